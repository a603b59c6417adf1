package dev.genlab.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Batch;
import dev.genlab.api.Dataset;
import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.MetricProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code likelihood}: the model's negative log-likelihood (or the upper bound its
 * {@link LikelihoodModel} computes: an IWAE or ELBO bound for a VAE, the variational bound for diffusion)
 * on held-out examples it never trained on, averaged per example over chunks of at most {@link #CHUNK}:
 * {@code nll_nats_per_dim}, {@code nll_bits_per_dim} (÷ ln 2), and {@code nll_nats} per example (× the
 * example's dimension; the unit small-VAE papers quote on MNIST). Applies when the evaluation has held-out
 * data ({@code evaluate.heldout} > 0 and a dataset with a held-out split) and the model the capability.
 */
public final class LikelihoodMetric implements MetricProvider {

    /** Examples per call, so a model's own memory per call stays bounded. */
    static final int CHUNK = 250;

    @Override
    public String name() {
        return "likelihood";
    }

    @Override
    public String description() {
        return "held-out negative log-likelihood (bound) in nats/dim, bits/dim and nats per example";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public boolean appliesTo(EvalInput input) {
        return input.heldOutIfPresent().isPresent() && input.paradigmIfPresent()
                .flatMap(p -> p.capability(LikelihoodModel.class)).isPresent();
    }

    @Override
    public Map<String, Double> compute(EvalInput input) {
        LikelihoodModel model = input.paradigm().capability(LikelihoodModel.class).orElseThrow();
        Dataset heldOut = input.heldOut();
        int n = heldOut.size();
        double sum = 0;
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            try (NDManager scope = input.manager().newSubManager()) {
                NDArray x = heldOut.data().get(from + ":" + to);
                x.attach(scope);
                NDArray y = heldOut.labels() == null ? null : heldOut.labels().get(from + ":" + to);
                if (y != null) {
                    y.attach(scope);
                }
                double perDim = model.nllNatsPerDim(new Batch(x, y));
                if (!Double.isFinite(perDim)) {
                    throw new IllegalStateException("the model's NLL of held-out rows " + from + ".." + (to - 1)
                            + " is " + perDim);
                }
                sum += perDim * (to - from);
            }
        }
        double perDim = sum / n;
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("nll_nats_per_dim", perDim);
        out.put("nll_bits_per_dim", perDim / Math.log(2));
        out.put("nll_nats", perDim * heldOut.shape().size());
        return out;
    }
}
