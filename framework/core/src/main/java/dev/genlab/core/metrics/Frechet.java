package dev.genlab.core.metrics;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Fréchet distance between Gaussians fitted to two feature sets — the formula of the FID (Heusel et
 * al. 2017), in whatever feature space the sets come from:
 * <pre>
 *   FD = ‖μ₁ − μ₂‖² + tr(Σ₁) + tr(Σ₂) − 2 tr((Σ₁ Σ₂)^½)
 * </pre>
 * Σ₁Σ₂ is not symmetric, so instead of a general matrix square root (scipy's {@code sqrtm}, a complex
 * Schur form) we use a similarity: with Σ₁ = B Bᵀ, B = V Λ^½ from Σ₁'s eigendecomposition, Σ₁Σ₂ = B Bᵀ Σ₂
 * has the eigenvalues of the symmetric PSD matrix Bᵀ Σ₂ B, so tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(Bᵀ Σ₂ B). That is one
 * symmetric eigendecomposition with vectors and one of values only ({@link SymmetricEigen}), all in double
 * precision. The covariances are rank-4 updates in plain Java, which the JIT vectorises: for 10k × 64
 * features they are most of the work, and copying the data into the engine and back cost more than the
 * arithmetic (see docs/metrics.md).
 */
final class Frechet {

    /**
     * A fitted Gaussian.
     *
     * @param mean the sample mean μ
     * @param cov the unbiased sample covariance Σ (divisor n − 1, as {@code numpy.cov})
     */
    record Gaussian(double[] mean, double[][] cov) {}

    private Frechet() {}

    /**
     * @param set at least 2 vectors
     * @return their mean and unbiased covariance
     */
    static Gaussian fit(FeatureSet set) {
        int n = set.rows();
        int d = set.dim();
        if (n < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 vectors, got " + n);
        }
        double[] v = set.values();
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                mean[j] += v[base + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        // Upper triangle of CᵀC for the centred rows C, four rows per pass: each pass reads and writes the
        // triangle once for four rank-1 updates. The inner loop stores into one array and reads four
        // others, the shape the JIT turns into vector instructions (a store into a second row of the same
        // array, or one array holding all four rows, defeats its alias analysis and runs 2× slower).
        double[][] gram = new double[d][d];
        double[] x0 = new double[d];
        double[] x1 = new double[d];
        double[] x2 = new double[d];
        double[] x3 = new double[d];
        for (int start = 0; start < n; start += 4) {
            centre(v, start, n, mean, x0);
            centre(v, start + 1, n, mean, x1);
            centre(v, start + 2, n, mean, x2);
            centre(v, start + 3, n, mean, x3);
            for (int a = 0; a < d; a++) {
                double c0 = x0[a];
                double c1 = x1[a];
                double c2 = x2[a];
                double c3 = x3[a];
                double[] row = gram[a];
                for (int b = a; b < d; b++) {
                    row[b] += c0 * x0[b] + c1 * x1[b] + c2 * x2[b] + c3 * x3[b];
                }
            }
        }
        double[][] cov = new double[d][d];
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                double s = gram[a][b] / (n - 1);
                cov[a][b] = s;
                cov[b][a] = s;
            }
        }
        return new Gaussian(mean, cov);
    }

    /** Writes row i of {@code v} minus the mean into {@code out}, or zeros past the last row. */
    private static void centre(double[] v, int i, int n, double[] mean, double[] out) {
        int d = mean.length;
        if (i >= n) {
            Arrays.fill(out, 0);
            return;
        }
        int base = i * d;
        for (int j = 0; j < d; j++) {
            out[j] = v[base + j] - mean[j];
        }
    }

    /**
     * @param a first Gaussian
     * @param b second Gaussian, of the same dimension
     * @return the Fréchet (2-Wasserstein²) distance, clamped at 0 against rounding
     */
    static double distance(Gaussian a, Gaussian b) {
        int d = a.mean().length;
        if (b.mean().length != d) {
            throw new IllegalArgumentException("dimensions differ: " + d + " vs " + b.mean().length);
        }
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
            traces += a.cov()[i][i] + b.cov()[i][i];
        }
        double[][] root = SymmetricEigen.of(a.cov()).rootFactor();
        double[][] inner = multiply(transpose(root), multiply(b.cov(), root));
        double traceRoot = 0;
        for (double lambda : SymmetricEigen.valuesOf(inner)) {
            traceRoot += Math.sqrt(Math.max(lambda, 0));
        }
        return Math.max(0.0, meanTerm + traces - 2 * traceRoot);
    }

    /**
     * @param x first set
     * @param y second set
     * @return the Fréchet distance between Gaussians fitted to them
     */
    static double distance(FeatureSet x, FeatureSet y) {
        // The two fits are independent: the second runs on the common pool while this thread does the first
        // (two cores, as scipy's BLAS uses; one core still works, serially).
        CompletableFuture<Gaussian> second = CompletableFuture.supplyAsync(() -> fit(y));
        Gaussian first = fit(x);
        try {
            return distance(first, second.join());
        } catch (CompletionException e) {
            // The caller sees the second fit's own exception, as if it had run here.
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static double[][] transpose(double[][] x) {
        double[][] out = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                out[j][i] = x[i][j];
            }
        }
        return out;
    }

    private static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length;
        int k = y.length;
        int m = y[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < k; t++) {
                double xit = x[i][t];
                for (int j = 0; j < m; j++) {
                    out[i][j] += xit * y[t][j];
                }
            }
        }
        return out;
    }
}
