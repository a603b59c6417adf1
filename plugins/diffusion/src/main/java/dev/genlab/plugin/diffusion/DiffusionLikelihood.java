package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Batch;
import dev.genlab.api.LikelihoodModel;
import java.util.SplittableRandom;

/**
 * The diffusion model's {@link LikelihoodModel}: an upper bound on −log p(x) per dimension, in nats, from the
 * discrete-time variational bound (Ho et al. 2020, eq. 5; Sohl-Dickstein et al. 2015)
 * L_T + Σ_{t=2..T} L_{t−1} + L_0 under the sampling weights, with the reverse variance β̃_t of the ddpm
 * sampler. L_T = KL(q(x_T|x₀) ‖ N(0, I)) is exact; L_{t−1} = β_t² / (2 β̃_t α_t (1 − ᾱ_t)) ‖ε − ε_θ(x_t, t)‖²
 * is estimated from {@code likelihood_timesteps} steps, one drawn from each of as many geometric strata
 * ({@link #strata}) and weighted by its stratum's size (all steps, exactly, when it is ≥ T − 1); L_0 is
 * −log p(x₀|x₁) under N(μ_θ(x₁, 1), β_1): a density for points (plus Σ log scale for the standardisation, so
 * the value is in the data's units), and for images the probability of the pixel's bin among 256 levels
 * spanning the training range (edge bins extend to ±∞), as in Ho et al. A model trained with label dropout is
 * evaluated unconditionally (the marginal p(x), comparable with unconditional paradigms); one trained without
 * it uses the batch's labels. The randomness is fixed by the seed, so repeated calls on the same batch agree.
 */
final class DiffusionLikelihood implements LikelihoodModel {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final DiffusionModel model;
    /** Parent of each call's scope. */
    private final NDManager manager;

    DiffusionLikelihood(DiffusionModel model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    @Override
    public double nllNatsPerDim(Batch batch) {
        DiffusionConfig config = model.config();
        NoiseSchedule schedule = model.schedule();
        int b = batch.size();
        int dim = model.dim();
        int tCount = config.timesteps();
        SplittableRandom random = model.stream(DiffusionModel.LIKELIHOOD_STREAM, 0, 0);
        NDArray[] sampling = model.samplingWeights();
        try (NDManager scope = manager.newSubManager()) {
            NDArray data = batch.data();
            data.tempAttach(scope);
            for (NDArray w : sampling) {
                w.tempAttach(scope);
            }
            NDArray x0 = model.data().toModel(data).reshape(model.modelShape(b));
            NDArray classes = null;
            if (config.conditional()) {
                int[] labels = DiffusionModel.filled(b, config.classes());
                if (config.labelDropout() == 0 && batch.labels() != null) {
                    labels = batch.labels().toIntArray();
                }
                classes = model.oneHot(scope, labels);
            }
            int[] sumAxes = model.exampleAxes();
            // L_T: KL(N(√ᾱ_T x₀, 1 − ᾱ_T) ‖ N(0, 1)) per coordinate.
            double aT = schedule.alphaBar(tCount - 1);
            NDArray total = x0.square().mul((float) aT).add((float) (-aT - Math.log(1 - aT))).mul(0.5f).sum(sumAxes);
            // Σ_{i=1..T−1} L_i, stratified.
            int[] bounds = strata(tCount - 1, config.likelihoodTimesteps());
            for (int s = 0; s + 1 < bounds.length; s++) {
                int from = bounds[s];
                int to = bounds[s + 1]; // exclusive
                int i = from + random.nextInt(to - from);
                double weight = to - from;
                double beta = schedule.beta(i);
                double coefficient = beta * beta
                        / (2 * schedule.posteriorVariance(i) * schedule.alpha(i) * (1 - schedule.alphaBar(i)));
                try (NDManager termScope = scope.newSubManager()) {
                    // Every operand lives in the term's scope, so each term's temporaries are freed with it.
                    x0.tempAttach(termScope);
                    if (classes != null) {
                        classes.tempAttach(termScope);
                    }
                    for (NDArray w : sampling) {
                        w.tempAttach(termScope);
                    }
                    NDArray eps = termScope.create(Sampler.gaussians(random, b * dim), x0.getShape());
                    NDArray xt = x0.mul((float) Math.sqrt(schedule.alphaBar(i)))
                            .add(eps.mul((float) Math.sqrt(1 - schedule.alphaBar(i))));
                    NDArray predicted = model.denoiser().predict(sampling, xt,
                            model.embedding().create(termScope, i, b), classes);
                    NDArray term = predicted.sub(eps).square().sum(sumAxes).mul((float) (coefficient * weight));
                    NDArray updated = total.add(term);
                    updated.attach(scope);
                    total = updated;
                }
            }
            total = total.add(decoderNll(scope, x0, classes, sampling, random, sumAxes));
            return total.mean().getFloat() / dim + model.data().logScale() / dim;
        }
    }

    /**
     * Strata of the intermediate steps 1..middle for the bound's estimate: geometric in the step (the
     * terms fall steeply with t, roughly like 1/t, so the first steps, which carry most of the sum, are
     * strata of their own and are evaluated exactly, while the flat tail is sampled), at least one step
     * each, all steps singletons (the exact sum) when {@code count} ≥ middle.
     *
     * @param middle T − 1
     * @param count the number of strata wanted
     * @return ascending boundaries from 1 to middle + 1 (exclusive); stratum j is [b_j, b_{j+1})
     */
    static int[] strata(int middle, int count) {
        int k = Math.min(count, middle);
        int[] b = new int[k + 1];
        b[0] = 1;
        b[k] = middle + 1;
        for (int j = 1; j < k; j++) {
            b[j] = (int) Math.round(Math.pow(middle + 1, (double) j / k));
        }
        for (int j = 1; j < k; j++) {
            b[j] = Math.max(b[j], b[j - 1] + 1);
        }
        for (int j = k - 1; j >= 1; j--) {
            b[j] = Math.min(b[j], b[j + 1] - 1);
        }
        return b;
    }

    /** L_0 = −log p_θ(x₀ | x₁) summed over coordinates, per example. */
    private NDArray decoderNll(NDManager scope, NDArray x0, NDArray classes, NDArray[] sampling,
            SplittableRandom random, int[] sumAxes) {
        NoiseSchedule schedule = model.schedule();
        Standardisation data = model.data();
        int b = Math.toIntExact(x0.getShape().get(0));
        double a0 = schedule.alphaBar(0);
        double beta0 = schedule.beta(0);
        NDArray eps = scope.create(Sampler.gaussians(random, b * model.dim()), x0.getShape());
        NDArray x1 = x0.mul((float) Math.sqrt(a0)).add(eps.mul((float) Math.sqrt(1 - a0)));
        NDArray predicted = model.denoiser().predict(sampling, x1, model.embedding().create(scope, 0, b), classes);
        NDArray mean = x1.sub(predicted.mul((float) (beta0 / Math.sqrt(1 - a0)))).div((float) Math.sqrt(1 - beta0));
        double sigma = Math.sqrt(beta0);
        if (model.shape().isPoints() || !data.hasRange()) {
            return x0.sub(mean).square().div((float) (2 * beta0)).add((float) (0.5 * (LOG_2PI + Math.log(beta0))))
                    .sum(sumAxes);
        }
        float low = data.low();
        float high = data.high();
        float halfBin = (high - low) / 255f / 2f;
        NDArray centred = x0.sub(mean);
        NDArray upper = normalCdf(centred.add(halfBin).div((float) sigma));
        NDArray lower = normalCdf(centred.sub(halfBin).div((float) sigma));
        NDArray top = x0.gte(high - halfBin);
        NDArray bottom = x0.lte(low + halfBin);
        upper = NDArrays.where(top, scope.ones(upper.getShape()), upper);
        lower = NDArrays.where(bottom, scope.zeros(lower.getShape()), lower);
        return upper.sub(lower).maximum(1e-12f).log().neg().sum(sumAxes);
    }

    private static NDArray normalCdf(NDArray z) {
        return z.div((float) Math.sqrt(2)).erf().add(1f).mul(0.5f);
    }
}
