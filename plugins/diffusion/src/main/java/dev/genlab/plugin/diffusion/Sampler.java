package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;

/**
 * The reverse process: from x_T ~ N(0, I) to data, in the model's coordinates, on a subsequence τ of
 * the T steps ({@link NoiseSchedule#spacedSteps(int, String)}). At each visited step the network's ε̂ gives the
 * predicted clean data x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t (optionally clipped to the data range, with ε̂
 * recomputed to match), and:
 * <ul>
 *   <li>{@code ddim} (Song et al. 2021, eq. 12): x_prev = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev − σ²) ε̂ + σ z with
 *       σ = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev);</li>
 *   <li>{@code ancestral}: a draw from the forward posterior q(x_prev | x_t, x̂₀) of the chain respaced to
 *       the visited steps (Nichol &amp; Dhariwal 2021): mean √ᾱ_prev β'/(1−ᾱ_t) x̂₀ + √α' (1−ᾱ_prev)/(1−ᾱ_t) x_t
 *       and variance β̃' = β' (1−ᾱ_prev)/(1−ᾱ_t), with α' = 1 − β' = ᾱ_t/ᾱ_prev
 *       ({@link NoiseSchedule#posteriorVariance(int, int)}). That mean is the step above with η = 1, so
 *       both run the same code;</li>
 *   <li>{@code ddpm}: the ancestral sampler on all T steps (Ho et al. 2020, variance β̃) unless asked
 *       for fewer;</li>
 *   <li>{@code dpm_solver}: DPM-Solver++(2M) (Lu et al. 2022, Alg. 2), a second-order multistep solver in
 *       λ = log(α/σ) on the data prediction: x_next = (σ_next/σ_t) x_t + α_next (1 − e^{−h}) D, with
 *       D = x̂₀ on the first step and (1 + 1/2r) x̂₀ − (1/2r) x̂₀_last after, r = h_last / h.</li>
 * </ul>
 * Every sampler visits the same timesteps for the same {@code steps} and {@code spacing}, so at equal steps
 * and spacing samplers differ only in how they step. The last step always goes to the clean data
 * (ᾱ_prev = 1), returning x̂₀. Every visited step costs the predictor's evaluations, so the network
 * evaluations per sample are steps × evaluations per step.
 */
final class Sampler {

    /** ε̂ for a batch at one step (guidance already applied). */
    interface NoisePredictor {
        /**
         * @param x current samples; results must be created on {@code x.getManager()}
         * @param step 0-based step
         * @return ε̂, same shape as x
         */
        NDArray predict(NDArray x, int step);

        /** @return network forward passes per sample and step (2 under classifier-free guidance) */
        int evaluationsPerStep();
    }

    /**
     * A clip range for x̂₀, or null for none.
     *
     * @param low lower bound
     * @param high upper bound
     */
    record Clip(float low, float high) {}

    private final NoiseSchedule schedule;
    private final Clip clip;

    /**
     * @param schedule the forward process the model was trained with
     * @param clip range for predicted clean data, or null
     */
    Sampler(NoiseSchedule schedule, Clip clip) {
        this.schedule = schedule;
        this.clip = clip;
    }

    /**
     * Runs the reverse process. Each step works in its own sub-scope of {@code xT}'s manager, so memory
     * stays bounded by one step's temporaries whatever the number of steps.
     *
     * @param kind {@code ddpm}, {@code ancestral}, {@code ddim} or {@code dpm_solver}
     * @param steps visited steps, 1..T
     * @param spacing how the visited steps spread over the chain ({@link NoiseSchedule#spacedSteps(int, String)})
     * @param eta DDIM's η (ignored by the others; ddpm and ancestral use 1)
     * @param xT the starting noise; consumed (closed)
     * @param predictor the (guided) noise prediction
     * @param random host generator for the noise of stochastic steps
     * @return the samples in model coordinates, on {@code xT}'s manager
     */
    NDArray run(String kind, int steps, String spacing, double eta, NDArray xT, NoisePredictor predictor,
            SplittableRandom random) {
        int[] tau = schedule.spacedSteps(steps, spacing);
        NDManager home = xT.getManager();
        double effectiveEta = kind.equals(DiffusionConfig.DDIM) ? eta : 1.0;
        boolean solver = kind.equals(DiffusionConfig.DPM_SOLVER);
        NDArray x = xT;
        NDArray lastX0 = null;
        int lastStep = -1;
        for (int k = tau.length - 1; k >= 0; k--) {
            int i = tau[k];
            int prev = k > 0 ? tau[k - 1] : -1;
            NDArray next;
            NDArray x0;
            try (NDManager scope = home.newSubManager()) {
                x.tempAttach(scope);
                if (lastX0 != null) {
                    lastX0.tempAttach(scope);
                }
                double a = schedule.alphaBar(i);
                float sa = (float) Math.sqrt(a);
                float sb = (float) Math.sqrt(1 - a);
                NDArray eps = predictor.predict(x, i);
                x0 = x.sub(eps.mul(sb)).div(sa);
                if (clip != null) {
                    x0 = x0.clip(clip.low(), clip.high());
                    eps = x.sub(x0.mul(sa)).div(sb);
                }
                if (prev < 0) {
                    next = x0; // the final step lands on the clean data
                } else if (solver) {
                    next = solverStep(x, x0, lastX0, i, prev, lastStep);
                } else {
                    next = ddimStep(x0, eps, i, prev, effectiveEta, random);
                }
                next.attach(home);
                if (solver) {
                    x0.attach(home);
                }
            }
            x.close();
            if (lastX0 != null) {
                lastX0.close();
            }
            lastX0 = solver ? x0 : null;
            lastStep = i;
            x = next;
        }
        if (lastX0 != null && lastX0 != x) {
            lastX0.close();
        }
        return x;
    }

    /**
     * One DDIM step from step i to the earlier step prev (Song et al. 2021, eq. 12); with η = 1 the ancestral
     * step. Package-private so a test can check it against the posterior's mean and variance.
     *
     * @param x0 predicted clean data
     * @param eps the noise prediction consistent with x0
     * @param i current 0-based step
     * @param prev the next (earlier) step, ≥ 0
     * @param eta DDIM's η
     * @param random source of the step's noise
     * @return x_prev
     */
    NDArray ddimStep(NDArray x0, NDArray eps, int i, int prev, double eta, SplittableRandom random) {
        double aPrev = schedule.alphaBar(prev);
        double sigma = eta * Math.sqrt(schedule.posteriorVariance(i, prev));
        double direction = Math.sqrt(Math.max(0, 1 - aPrev - sigma * sigma));
        NDArray next = x0.mul((float) Math.sqrt(aPrev)).add(eps.mul((float) direction));
        if (sigma > 0) {
            next = next.add(gaussian(x0, random).mul((float) sigma));
        }
        return next;
    }

    private NDArray solverStep(NDArray x, NDArray x0, NDArray lastX0, int i, int next, int last) {
        double lambda = schedule.lambda(i);
        double lambdaNext = schedule.lambda(next);
        double h = lambdaNext - lambda;
        NDArray d = x0;
        if (lastX0 != null) {
            double r = (lambda - schedule.lambda(last)) / h;
            d = x0.mul((float) (1 + 1 / (2 * r))).sub(lastX0.mul((float) (1 / (2 * r))));
        }
        double sigma = Math.sqrt(1 - schedule.alphaBar(i));
        double sigmaNext = Math.sqrt(1 - schedule.alphaBar(next));
        double alphaNext = Math.sqrt(schedule.alphaBar(next));
        return x.mul((float) (sigmaNext / sigma)).add(d.mul((float) (alphaNext * -Math.expm1(-h))));
    }

    /** Standard normal noise shaped like {@code like}, drawn on the host (see {@link DiffusionParadigm}). */
    static NDArray gaussian(NDArray like, SplittableRandom random) {
        return like.getManager().create(gaussians(random, Math.toIntExact(like.size())), like.getShape());
    }

    /**
     * @param random generator
     * @param n count
     * @return n standard normal floats
     */
    static float[] gaussians(SplittableRandom random, int n) {
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            out[j] = (float) random.nextGaussian();
        }
        return out;
    }
}
