package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import dev.genlab.api.Batch;
import dev.genlab.api.LikelihoodModel;

/**
 * The VAE's {@link LikelihoodModel} capability: lower bounds on log p(x) from K posterior draws per example,
 * the ELBO and the IWAE bound (Burda et al. 2016), both from the same draws (see {@link LikelihoodEstimate}).
 * {@link #nllNatsPerDim} reports the IWAE bound with K = {@code iwae_samples}, or the ELBO with
 * {@code likelihood: elbo}.
 */
public final class VaeLikelihood implements LikelihoodModel {

    private final VaeModel model;

    VaeLikelihood(VaeModel model) {
        this.model = model;
    }

    @Override
    public double nllNatsPerDim(Batch batch) {
        VaeConfig config = model.config();
        LikelihoodEstimate e = estimate(batch.data(), batch.labels(), config.iwaeSamples());
        return config.iwaeLikelihood() ? e.nllNatsPerDim() : e.elboNatsPerDim();
    }

    /**
     * Estimates the ELBO and the IWAE bound with {@code k} importance samples per example.
     *
     * @param data examples {@code [n, ...]}
     * @param labels int labels {@code [n]} (needed by a conditional model), or null
     * @param k importance samples, at least 1
     * @return both bounds, averaged over the examples
     */
    public LikelihoodEstimate estimate(NDArray data, NDArray labels, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int n = Math.toIntExact(data.getShape().get(0));
        return model.withScratch(tmp -> {
            model.observation().resolveRange(data);
            double[] elboIwae = new double[2];
            VaeModel.inChunks(data, labels, Math.max(1, VaeModel.EVAL_ROWS / k), tmp, (xs, ys, from, to, scope) -> {
                float[] logW = logWeights(xs, ys, k);
                for (int i = 0; i < to - from; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    double mean = 0;
                    for (int s = 0; s < k; s++) {
                        max = Math.max(max, logW[i * k + s]);
                        mean += logW[i * k + s] / (double) k;
                    }
                    double sum = 0;
                    for (int s = 0; s < k; s++) {
                        sum += Math.exp(logW[i * k + s] - max);
                    }
                    elboIwae[0] += mean / n;
                    elboIwae[1] += (max + Math.log(sum / k)) / n;
                }
            });
            return new LikelihoodEstimate(elboIwae[0], elboIwae[1], k, model.dims(), n);
        }, data, labels);
    }

    /** @return log p(x, z) − log q(z|x) for k draws per example, example-major {@code [m·k]} */
    private float[] logWeights(NDArray x, NDArray labels, int k) {
        NDArray condition = model.condition(labels);
        VaeModel.Posterior q = model.encode(model.encoderWeights(), x, condition);
        VaeModel.Posterior repeated = new VaeModel.Posterior(repeatRows(q.mu(), k), repeatRows(q.logvar(), k));
        NDArray z = repeated.draw();
        NDArray raw = model.decode(model.decoderWeights(), z, condition == null ? null : repeatRows(condition, k));
        NDArray logPx = model.observation().logLikelihood(raw, repeatRows(model.flat(x), k));
        NDArray logPz = GaussianMath.logStandardNormal(z).sum(new int[] {1});
        NDArray logQ = GaussianMath.logNormal(z, repeated.mu(), repeated.logvar()).sum(new int[] {1});
        return logPx.add(logPz).sub(logQ).toFloatArray();
    }

    /** @return {@code [m·k, d]}: each row of {@code a [m, d]} repeated k times in a row */
    private static NDArray repeatRows(NDArray a, int k) {
        long m = a.getShape().get(0);
        long d = a.getShape().get(1);
        return a.reshape(m, 1, d).broadcast(m, k, d).reshape(m * k, d);
    }
}
