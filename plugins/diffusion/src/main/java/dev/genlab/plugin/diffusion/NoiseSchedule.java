package dev.genlab.plugin.diffusion;

import java.util.Arrays;

/**
 * The forward process of a discrete-time diffusion model: β_t for t = 1..T and the quantities derived
 * from it. Arrays are 0-based: index {@code i} holds the paper's step t = i + 1, so {@code alphaBar(0)} is
 * ᾱ_1 = 1 − β_1 and {@code alphaBar(T − 1)} is ᾱ_T. Values are doubles on the host: they are scalars per
 * step and cheap, and double precision keeps 1 − ᾱ accurate near t = 1.
 *
 * <ul>
 *   <li>{@code linear} (Ho et al. 2020): β evenly spaced from β_start to β_end, both multiplied by 1000 / T
 *       so that any T spans the same amount of noise as the paper's T = 1000 (the convention of Nichol
 *       &amp; Dhariwal's code); capped at {@link #MAX_BETA}.</li>
 *   <li>{@code cosine} (Nichol &amp; Dhariwal 2021, eq. 17): ᾱ(t) = f(t)/f(0) with
 *       f(t) = cos²(((t/T) + s)/(1 + s) · π/2), s = 0.008, and β_t = 1 − ᾱ(t)/ᾱ(t−1) capped at
 *       {@link #MAX_BETA} (which then defines ᾱ).</li>
 * </ul>
 */
final class NoiseSchedule {

    /** Upper bound on any β_t: β = 1 would make the last step singular (ᾱ_T = 0 and 1/√α infinite). */
    static final double MAX_BETA = 0.999;
    /** The cosine schedule's offset s, which keeps β_1 from being vanishingly small. */
    static final double COSINE_OFFSET = 0.008;

    private final String kind;
    private final double[] beta;
    private final double[] alphaBar;

    private NoiseSchedule(String kind, double[] beta) {
        this.kind = kind;
        this.beta = beta;
        this.alphaBar = new double[beta.length];
        double product = 1;
        for (int i = 0; i < beta.length; i++) {
            product *= 1 - beta[i];
            alphaBar[i] = product;
        }
    }

    /**
     * @param timesteps T, at least 1
     * @param betaStart β_1 for T = 1000
     * @param betaEnd β_T for T = 1000
     * @return the linear schedule, scaled by 1000 / T
     */
    static NoiseSchedule linear(int timesteps, double betaStart, double betaEnd) {
        requirePositive(timesteps);
        double scale = 1000.0 / timesteps;
        double[] beta = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            double fraction = timesteps == 1 ? 1.0 : (double) i / (timesteps - 1);
            beta[i] = Math.min(MAX_BETA, scale * (betaStart + fraction * (betaEnd - betaStart)));
        }
        return new NoiseSchedule("linear", beta);
    }

    /**
     * @param timesteps T, at least 1
     * @return the cosine schedule
     */
    static NoiseSchedule cosine(int timesteps) {
        requirePositive(timesteps);
        double[] beta = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            double ratio = cosineF(i + 1, timesteps) / cosineF(i, timesteps);
            beta[i] = Math.min(MAX_BETA, 1 - ratio);
        }
        return new NoiseSchedule("cosine", beta);
    }

    /**
     * @param kind {@code linear} or {@code cosine}
     * @param timesteps T
     * @param betaStart β_1 of the linear schedule at T = 1000
     * @param betaEnd β_T of the linear schedule at T = 1000
     * @return the named schedule
     */
    static NoiseSchedule of(String kind, int timesteps, double betaStart, double betaEnd) {
        return switch (kind) {
            case "linear" -> linear(timesteps, betaStart, betaEnd);
            case "cosine" -> cosine(timesteps);
            default -> throw new IllegalArgumentException("unknown schedule '" + kind + "'");
        };
    }

    /** f(t) = cos²(((t/T) + s)/(1 + s) · π/2) of the cosine schedule. */
    static double cosineF(double t, int timesteps) {
        double c = Math.cos((t / timesteps + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
        return c * c;
    }

    private static void requirePositive(int timesteps) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be >= 1, got " + timesteps);
        }
    }

    /** @return {@code linear} or {@code cosine} */
    String kind() {
        return kind;
    }

    /** @return T */
    int timesteps() {
        return beta.length;
    }

    /** @return β at 0-based step i */
    double beta(int i) {
        return beta[i];
    }

    /** @return α = 1 − β at step i */
    double alpha(int i) {
        return 1 - beta[i];
    }

    /**
     * @param i a 0-based step, or −1 for the clean data (ᾱ = 1)
     * @return ᾱ at step i
     */
    double alphaBar(int i) {
        return i < 0 ? 1.0 : alphaBar[i];
    }

    /**
     * The variance β̃ of the forward posterior q(x_{t−1} | x_t, x_0); zero at the first step.
     *
     * @param i 0-based step
     * @return β̃_i = β_i (1 − ᾱ_{i−1}) / (1 − ᾱ_i)
     */
    double posteriorVariance(int i) {
        return beta[i] * (1 - alphaBar(i - 1)) / (1 - alphaBar[i]);
    }

    /**
     * The variance of q(x_prev | x_t, x_0) for a sampler that jumps from step i to an earlier step prev:
     * the chain respaced to the visited steps has β' = 1 − ᾱ_i/ᾱ_prev (Nichol &amp; Dhariwal 2021, sec. 4),
     * and its posterior variance is β̃' = β' (1 − ᾱ_prev)/(1 − ᾱ_i), which is also DDIM's σ² at η = 1
     * (Song et al. 2021, eq. 16). For prev = i − 1 it is {@link #posteriorVariance(int)} (up to rounding:
     * β' is recovered from the ᾱ products).
     *
     * @param i 0-based step
     * @param prev an earlier 0-based step, or −1 for the clean data (variance 0)
     * @return β̃' for the jump i → prev
     */
    double posteriorVariance(int i, int prev) {
        if (prev >= i) {
            throw new IllegalArgumentException("the jump must go to an earlier step: " + i + " -> " + prev);
        }
        double a = alphaBar[i];
        double aPrev = alphaBar(prev);
        return (1 - a / aPrev) * (1 - aPrev) / (1 - a);
    }

    /**
     * @param i a 0-based step
     * @return λ = log(α_t / σ_t) = ½ log(ᾱ / (1 − ᾱ)), the half log signal-to-noise ratio DPM-Solver uses
     */
    double lambda(int i) {
        return 0.5 * Math.log(alphaBar[i] / (1 - alphaBar[i]));
    }

    /** @return a copy of ᾱ for steps 0..T−1 */
    double[] alphaBars() {
        return alphaBar.clone();
    }

    /**
     * The {@code steps} 0-based timesteps a shortened sampler visits, in increasing order, always from 0
     * to T − 1 (so sampling starts from the noisiest step and ends at the cleanest), spread by
     * {@code spacing}:
     * <ul>
     *   <li>{@code uniform}: evenly in t, round(k (T−1)/(steps−1));</li>
     *   <li>{@code quadratic}: evenly in √t, round((k/(steps−1))² (T−1)) (Song et al. 2021 for CIFAR-10):
     *       more steps at low noise;</li>
     *   <li>{@code logsnr}: the steps whose λ = ½ log SNR is nearest to an even grid in λ (Lu et al. 2022
     *       recommend it for few-step solvers on small images).</li>
     * </ul>
     * Collisions after rounding are pushed apart so there are exactly {@code steps} distinct steps.
     *
     * @param steps the number of sampler steps, 1..T
     * @param spacing {@code uniform}, {@code quadratic} or {@code logsnr}
     * @return the timesteps, ascending; {@code steps = T} gives 0..T−1 for every spacing
     */
    int[] spacedSteps(int steps, String spacing) {
        int t = beta.length;
        if (steps < 1 || steps > t) {
            throw new IllegalArgumentException("sampler steps must be in [1, " + t + "], got " + steps);
        }
        if (steps == 1) {
            return new int[] {t - 1};
        }
        int[] out = new int[steps];
        double lambdaFirst = lambda(0);
        double lambdaLast = lambda(t - 1);
        for (int k = 0; k < steps; k++) {
            double u = (double) k / (steps - 1);
            out[k] = switch (spacing) {
                case "uniform" -> (int) Math.round(u * (t - 1));
                case "quadratic" -> (int) Math.round(u * u * (t - 1));
                case "logsnr" -> nearestLambda(lambdaFirst + u * (lambdaLast - lambdaFirst));
                default -> throw new IllegalArgumentException("unknown spacing '" + spacing + "'");
            };
        }
        out[0] = 0;
        out[steps - 1] = t - 1;
        for (int k = 1; k < steps; k++) {
            out[k] = Math.max(out[k], out[k - 1] + 1);
        }
        out[steps - 1] = t - 1;
        for (int k = steps - 2; k >= 0; k--) {
            out[k] = Math.min(out[k], out[k + 1] - 1);
        }
        return out;
    }

    /** @return the uniform spacing, {@link #spacedSteps(int, String)} with {@code uniform} */
    int[] spacedSteps(int steps) {
        return spacedSteps(steps, "uniform");
    }

    /** λ decreases with t: binary search for the step whose λ is closest to the target. */
    private int nearestLambda(double target) {
        int lo = 0;
        int hi = beta.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (lambda(mid) > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.abs(lambda(lo) - target) <= Math.abs(lambda(hi) - target) ? lo : hi;
    }

    @Override
    public String toString() {
        return kind + "(T=" + beta.length + ", beta=" + Arrays.toString(new double[] {beta[0], beta[beta.length - 1]})
                + ", alphaBar_T=" + alphaBar[beta.length - 1] + ")";
    }
}
