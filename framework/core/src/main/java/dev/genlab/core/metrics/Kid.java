package dev.genlab.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Kernel distance (KID, Bińkowski et al. 2018): the unbiased estimate of the squared maximum mean
 * discrepancy with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over random subsets.
 * For X of size m and Y of size n:
 * <pre>
 *   MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ) / (n(n−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / (mn)
 * </pre>
 * KID is the mean of MMD²ᵤ over {@link #SUBSETS} pairs of subsets of size min({@link #SUBSET_SIZE}, m, n),
 * each drawn without replacement; the spread is the population standard deviation over subsets. When
 * both sets are no larger than a subset, every subset would be the whole set: KID is then MMD²ᵤ of the
 * full sets, with spread 0. The
 * subsets come from a {@link Random} with a fixed seed, so KID is a deterministic function of its
 * inputs. Kernel sums run as float64 matrix products on the engine.
 */
final class Kid {

    /** Number of subset pairs (as in torch-fidelity and clean-fid). */
    static final int SUBSETS = 100;
    /** Largest subset size (as in torch-fidelity and clean-fid). */
    static final int SUBSET_SIZE = 1000;
    /** Seed of the subset draws. */
    static final long SEED = 20_180_101L;

    /**
     * @param mean KID, the mean of MMD²ᵤ over subsets
     * @param std the population standard deviation of MMD²ᵤ over subsets
     */
    record Result(double mean, double std) {}

    private Kid() {}

    /**
     * @param manager manager for temporary arrays
     * @param x first set
     * @param y second set
     * @return KID over {@link #SUBSETS} subsets of size min(1000, m, n)
     */
    static Result compute(NDManager manager, FeatureSet x, FeatureSet y) {
        return compute(manager, x, y, SUBSETS, SUBSET_SIZE, SEED);
    }

    /**
     * @param manager manager for temporary arrays
     * @param x first set
     * @param y second set
     * @param subsets number of subset pairs
     * @param maxSize largest subset size
     * @param seed seed of the subset draws
     * @return KID mean and spread
     */
    static Result compute(NDManager manager, FeatureSet x, FeatureSet y, int subsets, int maxSize, long seed) {
        int size = Math.min(maxSize, Math.min(x.rows(), y.rows()));
        if (size < 2) {
            throw new IllegalArgumentException("KID needs at least 2 vectors per set");
        }
        if (size == x.rows() && size == y.rows()) {
            // Every "subset" would be the whole of both sets: one exact value, no spread.
            return new Result(mmd2(manager, x, y), 0.0);
        }
        Random random = new Random(seed);
        double[] values = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            int[] ix = sample(random, x.rows(), size);
            int[] iy = sample(random, y.rows(), size);
            values[s] = mmd2(manager, x.select(ix), y.select(iy));
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= subsets;
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        return new Result(mean, Math.sqrt(var / subsets));
    }

    /**
     * @param manager manager for temporary arrays
     * @param x first set, at least 2 vectors
     * @param y second set, at least 2 vectors, same dimension
     * @return the unbiased MMD² between them with the cubic polynomial kernel
     */
    static double mmd2(NDManager manager, FeatureSet x, FeatureSet y) {
        if (x.dim() != y.dim()) {
            throw new IllegalArgumentException("dimensions differ: " + x.dim() + " vs " + y.dim());
        }
        int m = x.rows();
        int n = y.rows();
        if (m < 2 || n < 2) {
            throw new IllegalArgumentException("MMD² needs at least 2 vectors per set");
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.create(x.values(), new Shape(m, x.dim()));
            NDArray b = scope.create(y.values(), new Shape(n, y.dim()));
            double kxx = kernelSum(a, a) - diagonalSum(x);
            double kyy = kernelSum(b, b) - diagonalSum(y);
            double kxy = kernelSum(a, b);
            return kxx / ((double) m * (m - 1)) + kyy / ((double) n * (n - 1)) - 2 * kxy / ((double) m * n);
        }
    }

    /** Σ_{i,j} (aᵢᵀbⱼ/d + 1)³ over all pairs: the product on the engine, the kernel in one Java pass. */
    private static double kernelSum(NDArray a, NDArray b) {
        double d = a.getShape().get(1);
        int cols = Math.toIntExact(b.getShape().get(0));
        double[] dots = a.matMul(b.transpose()).toDoubleArray();
        double sum = 0;
        // Row sums first, then their total: keeps rounding error near that of pairwise summation.
        for (int start = 0; start < dots.length; start += cols) {
            double row = 0;
            for (int j = start; j < start + cols; j++) {
                double k = dots[j] / d + 1;
                row += k * k * k;
            }
            sum += row;
        }
        return sum;
    }

    /** Σᵢ k(xᵢ, xᵢ), removed from the within-set sums to make them unbiased. */
    private static double diagonalSum(FeatureSet set) {
        double sum = 0;
        int d = set.dim();
        double[] v = set.values();
        for (int i = 0; i < set.rows(); i++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += v[i * d + j] * v[i * d + j];
            }
            double k = dot / d + 1;
            sum += k * k * k;
        }
        return sum;
    }

    /** Draws {@code k} distinct indices from 0..n−1 (partial Fisher–Yates). */
    private static int[] sample(Random random, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = new int[k];
        System.arraycopy(all, 0, out, 0, k);
        return out;
    }
}
