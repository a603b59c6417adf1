package dev.genlab.core.sweep.tpe;

import java.util.Arrays;
import java.util.Random;

/**
 * A one-dimensional Parzen estimator on a bounded interval {@code [low, high]}: an equally weighted mixture
 * of Gaussians truncated to the interval, one centred on each observation plus a broad prior component
 * centred on the interval (standard deviation its width), which keeps every region reachable.
 *
 * <p>Bandwidths follow Bergstra et al. (2011): an observation's standard deviation is the larger of the
 * distances to its neighbours (the interval's ends stand in for missing neighbours), clipped to
 * {@code [width / min(100, n + 1), width]}, so that dense clusters become sharp and lone points stay wide.
 */
final class Parzen {

    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    /** Rejection sampling accepts with probability above 0.3 (every centre is inside, sigma at most the width). */
    private static final int MAX_TRIES = 1000;

    private final double low;
    private final double high;
    private final double[] mu;
    private final double[] sigma;
    /** log of each component's truncation normaliser (its mass inside the interval). */
    private final double[] logMass;

    /**
     * @param low lower end
     * @param high upper end, above {@code low}
     * @param observed observed values inside the interval, in any order
     */
    Parzen(double low, double high, double[] observed) {
        this.low = low;
        this.high = high;
        double width = high - low;
        double[] sorted = observed.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        mu = new double[n + 1];
        sigma = new double[n + 1];
        double minSigma = width / Math.min(100.0, n + 1.0);
        for (int i = 0; i < n; i++) {
            double left = sorted[i] - (i == 0 ? low : sorted[i - 1]);
            double right = (i == n - 1 ? high : sorted[i + 1]) - sorted[i];
            mu[i] = sorted[i];
            sigma[i] = Math.max(minSigma, Math.min(width, Math.max(left, right)));
        }
        mu[n] = 0.5 * (low + high);
        sigma[n] = width;
        logMass = new double[n + 1];
        for (int k = 0; k <= n; k++) {
            logMass[k] = Math.log(cdf((high - mu[k]) / sigma[k]) - cdf((low - mu[k]) / sigma[k]));
        }
    }

    /** @return a draw: a component chosen uniformly, then its truncated Gaussian */
    double sample(Random rng) {
        int k = rng.nextInt(mu.length);
        for (int t = 0; t < MAX_TRIES; t++) {
            double x = mu[k] + sigma[k] * rng.nextGaussian();
            if (x >= low && x <= high) {
                return x;
            }
        }
        return Math.max(low, Math.min(high, mu[k]));
    }

    /** @return the log density at {@code x} */
    double logDensity(double x) {
        double[] terms = new double[mu.length];
        for (int k = 0; k < mu.length; k++) {
            double z = (x - mu[k]) / sigma[k];
            terms[k] = -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma[k]) - logMass[k];
        }
        return logSumExp(terms) - Math.log(mu.length);
    }

    /** @return the log of the probability of {@code [a, b]}, for integer values (their unit cells) */
    double logMass(double a, double b) {
        double p = 0;
        for (int k = 0; k < mu.length; k++) {
            double inside = cdf((b - mu[k]) / sigma[k]) - cdf((a - mu[k]) / sigma[k]);
            p += Math.max(0, inside) / Math.exp(logMass[k]);
        }
        // A cell far in every component's tail underflows: score it as barely possible, not impossible.
        return Math.log(Math.max(p / mu.length, Double.MIN_NORMAL));
    }

    private static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }

    /** The standard normal distribution function. */
    static double cdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /**
     * The complementary error function by the Chebyshev fit in Press et al., Numerical Recipes (2nd ed.,
     * section 6.2): fractional error below 1.2e-7 everywhere, plenty for comparing densities.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
