package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.Diagnostics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The VAE's {@link Diagnostics} capability on held-out examples: both likelihood bounds, posterior-collapse
 * statistics (KL per unit, active units, I(x; z)), a linear probe of the code on the labels, and a
 * latent-interpolation figure.
 */
public final class VaeDiagnostics implements Diagnostics {

    /** Most examples for the O(n²) mutual-information estimate. */
    private static final int MI_MAX = 2000;

    private final VaeModel model;
    private final VaeLikelihood likelihood;
    private final VaeCodec codec;
    private final LinearProbe probe = LinearProbe.standard();

    VaeDiagnostics(VaeModel model, VaeLikelihood likelihood, VaeCodec codec) {
        this.model = model;
        this.likelihood = likelihood;
        this.codec = codec;
    }

    /**
     * Everything this paradigm can say about itself on held-out examples, in nats per example: {@code elbo}
     * and {@code iwae} (both from the same K posterior draws, so elbo ≤ iwae; K = {@code diag_iwae_samples},
     * or {@code iwae_samples} if that is 0),
     * {@code kl}, {@code active_units}, {@code mi}, {@code kl_dim_<u>} if {@code log_kl_per_dim}, and
     * {@code probe_accuracy} when the examples have labels (and there are at least 5). The NLL itself is the
     * framework's {@code likelihood} metric, through {@link VaeLikelihood#nllNatsPerDim}.
     *
     * @param heldOut examples the model never trained on, n ≥ 2; labels needed by a conditional model
     * @return the named values
     */
    @Override
    public Map<String, Double> diagnose(Batch heldOut) {
        NDArray data = heldOut.data();
        NDArray labels = heldOut.labels();
        if (heldOut.size() < 2) {
            throw new IllegalArgumentException("diagnostics need at least 2 held-out examples, got "
                    + heldOut.size());
        }
        VaeConfig config = model.config();
        LikelihoodEstimate e = likelihood.estimate(data, labels, config.diagIwaeSamples());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("elbo", e.elbo());
        out.put("iwae", e.iwae());
        float[][][] post = posteriors(data, labels);
        out.putAll(latentDiagnostics(post).toMap(config.logKlPerDim()));
        if (labels != null && heldOut.size() >= 5) {
            out.put("probe_accuracy", probeAccuracy(post[0], labels));
        }
        return out;
    }

    /**
     * Posterior statistics on a set of examples: KL per latent unit, activity and active units (over all
     * examples), and I(x; z) (on at most the first 2,000).
     *
     * @param data examples {@code [n, ...]}, n ≥ 2
     * @param labels int labels (needed by a conditional model), or null
     * @return the diagnostics
     */
    public LatentDiagnostics latentDiagnostics(NDArray data, NDArray labels) {
        return latentDiagnostics(posteriors(data, labels));
    }

    private LatentDiagnostics latentDiagnostics(float[][][] post) {
        float[][] mu = post[0];
        float[][] logvar = post[1];
        int miN = Math.min(MI_MAX, mu.length);
        double mi = LatentStats.mutualInformation(Host.head(mu, miN), Host.head(logvar, miN), Host.head(post[2], miN));
        return new LatentDiagnostics(LatentStats.klPerDim(mu, logvar), LatentStats.meanVariance(mu),
                LatentStats.activeUnits(mu, model.config().activeThreshold()), mi, mu.length, miN);
    }

    /**
     * Linear-probe accuracy of the posterior means on class labels (see {@link LinearProbe#accuracy}).
     *
     * @param data examples {@code [n, ...]}, n ≥ 5
     * @param labels their int labels {@code [n]}
     * @return held-out accuracy of a linear classifier on z
     */
    public double probeAccuracy(NDArray data, NDArray labels) {
        return probeAccuracy(posteriors(data, labels)[0], labels);
    }

    private double probeAccuracy(float[][] mu, NDArray labels) {
        int[] y = labels.toType(DataType.INT32, false).toIntArray();
        int classes = model.shape().numClasses();
        for (int v : y) {
            classes = Math.max(classes, v + 1);
        }
        return probe.accuracy(mu, y, classes);
    }

    /** @return {μ, log σ², one draw z} per example, each {@code [n][L]} */
    private float[][][] posteriors(NDArray data, NDArray labels) {
        int n = Math.toIntExact(data.getShape().get(0));
        int l = model.config().latentDim();
        float[] mu = new float[n * l];
        float[] logvar = new float[n * l];
        float[] z = new float[n * l];
        model.withScratch(tmp -> {
            NDArray[] w = model.encoderWeights();
            VaeModel.inChunks(data, labels, VaeModel.EVAL_ROWS, tmp, (xs, ys, from, to, scope) -> {
                VaeModel.Posterior q = model.encode(w, xs, model.condition(ys));
                NDArray draw = q.draw();
                System.arraycopy(q.mu().toFloatArray(), 0, mu, from * l, (to - from) * l);
                System.arraycopy(q.logvar().toFloatArray(), 0, logvar, from * l, (to - from) * l);
                System.arraycopy(draw.toFloatArray(), 0, z, from * l, (to - from) * l);
            });
            return null;
        }, data, labels);
        return new float[][][] {Host.unflatten(mu, n, l), Host.unflatten(logvar, n, l), Host.unflatten(z, n, l)};
    }

    /**
     * One figure, {@code interpolation}: decoded latent interpolations between held-out examples, the first
     * P as starts and the next P as ends. Images: P = 8 paths of 10 steps, {@code [8, 10, C, H, W]}; points
     * (and other flat data): P = 4 paths of 9 steps, {@code [4, 9, ...]}; fewer paths when there are fewer
     * than 2P examples. A conditional model decodes every path with its start's label.
     */
    @Override
    public Map<String, NDArray> figures(Batch heldOut, NDManager owner) {
        DataShape shape = model.shape();
        boolean image = shape.isImage();
        int steps = image ? 10 : 9;
        int pairs = Math.min(image ? 8 : 4, heldOut.size() / 2);
        if (pairs == 0) {
            return Map.of();
        }
        try (NDManager tmp = owner.newSubManager()) {
            NDArray from = slice(heldOut.data(), 0, pairs, tmp);
            NDArray to = slice(heldOut.data(), pairs, 2 * pairs, tmp);
            NDArray y = heldOut.labels();
            NDArray path = interpolate(from, to, y == null ? null : slice(y, 0, pairs, tmp),
                    y == null ? null : slice(y, pairs, 2 * pairs, tmp), steps);
            long[] dims = new long[2 + shape.dims().size()];
            dims[0] = pairs;
            dims[1] = steps;
            for (int i = 0; i < shape.dims().size(); i++) {
                dims[2 + i] = shape.dims().get(i);
            }
            NDArray figure = path.reshape(new Shape(dims));
            figure.attach(owner);
            return Map.of("interpolation", figure);
        }
    }

    /** @return rows {@code [from, to)} of {@code a}, owned by {@code owner} */
    private static NDArray slice(NDArray a, int from, int to, NDManager owner) {
        NDArray rows = a.get(from + ":" + to);
        rows.attach(owner);
        return rows;
    }

    /**
     * Decodes straight lines in latent space between the posterior means of pairs of examples.
     *
     * @param from start examples {@code [P, ...]}
     * @param to end examples {@code [P, ...]}
     * @param fromLabels int labels of the start examples {@code [P]}: a conditional model encodes the starts
     *     with them and decodes the whole path with them (ignored by an unconditional model; may be null then)
     * @param toLabels int labels of the end examples, with which a conditional model encodes them; null to use
     *     {@code fromLabels}
     * @param steps points per path, start and end included, at least 2
     * @return decoded means {@code [P·steps, ...]}, path after path, on {@code from}'s manager
     */
    public NDArray interpolate(NDArray from, NDArray to, NDArray fromLabels, NDArray toLabels, int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("an interpolation needs at least 2 steps, got " + steps);
        }
        NDManager owner = from.getManager();
        long pairs = from.getShape().get(0);
        NDArray a = codec.encode(from, fromLabels);
        NDArray b = codec.encode(to, toLabels == null ? fromLabels : toLabels);
        try (NDManager tmp = owner.newSubManager()) {
            a.attach(tmp);
            b.attach(tmp);
            float[] t = new float[steps];
            for (int s = 0; s < steps; s++) {
                t[s] = (float) s / (steps - 1);
            }
            NDArray ts = tmp.create(t, new Shape(1, steps, 1));
            int l = model.config().latentDim();
            NDArray z = a.reshape(pairs, 1, l).mul(ts.neg().add(1f)).add(b.reshape(pairs, 1, l).mul(ts))
                    .reshape(pairs * steps, l);
            NDArray y = null;
            if (model.conditionDim() > 0 && fromLabels != null) {
                y = tmp.create(Host.repeatEach(fromLabels.toType(DataType.INT32, false).toIntArray(), steps));
            }
            NDArray x = codec.decode(z, y);
            x.attach(owner);
            return x;
        }
    }
}
