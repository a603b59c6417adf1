package dev.genlab.plugin.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@link Gaussian} trial. Per example, −log p(x) = ½‖L⁻¹(x − μ)‖² + Σᵢ log Lᵢᵢ + (d/2)·log 2π; training
 * minimises its batch mean divided by d (nats per dimension) with genlab-nn's {@link Adam} ({@code adam},
 * PyTorch's defaults β = (0.9, 0.999), ε = 1e-8) or plain gradient descent ({@code sgd}, w ← w − lr·g).
 * Sampling is x = μ + Lz with z ~ N(0, I) from the engine's seeded generator.
 *
 * <p>With {@code optimizer: moments} there is no gradient step: a {@link MomentsFit} accumulates every batch
 * and its estimate is refitted every {@value #REFIT_EVERY} steps and before sampling or scoring; a step
 * reports the batch's nll under the current estimate, before the batch is added.
 *
 * <p>{@code save}/{@code load} use one checkpoint layout ({@code "gaussian"}, layout 1): the parameters,
 * Adam's moments and counts ({@code adam}) or the moments fit's sums and estimate ({@code moments}), and the
 * step count. A checkpoint of another dimension or optimiser is refused and leaves the model as it was.
 */
final class GaussianParadigm implements Paradigm {

    /** moments mode: steps between refits of the estimate (each costs two d×d cubic operations). */
    static final int REFIT_EVERY = 16;

    private final NDManager trialManager;
    /** Owns parameters, optimiser state and constants; closing it frees the model. */
    private final NDManager manager;
    private final DataShape shape;
    private final int d;
    private final float lr;
    private final Parameters params;
    private final Gaussian gaussian;
    /** Adam for {@code adam}, else null. */
    private final Adam adam;
    /** The running fit for {@code moments}, else null. */
    private final MomentsFit moments;
    private final Checkpoint checkpoint;
    private final LikelihoodModel likelihood = this::nllNatsPerDim;
    private long steps;

    GaussianParadigm(ParadigmSetup setup) {
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        this.shape = setup.shape();
        this.d = shape.size();
        this.lr = (float) setup.params().getDouble("lr");
        String optimizer = setup.params().getString("optimizer");
        double minStd = setup.params().getDouble("min_std");
        params = new Parameters(manager);
        gaussian = new Gaussian(params, d, setup.params().getDouble("init_std"), minStd);
        adam = "adam".equals(optimizer) ? new Adam(params, Adam.Options.lr(lr)) : null;
        moments = "moments".equals(optimizer) ? new MomentsFit(manager, params.get("mean"), d, minStd) : null;
        checkpoint = new Checkpoint("gaussian", 1).part("", params);
        if (adam != null) {
            checkpoint.part("adam", adam);
        }
        if (moments != null) {
            checkpoint.part("moments", moments);
        }
        checkpoint.longValue("steps", () -> steps, v -> steps = v);
    }

    /**
     * Opens a scope holding every long-lived array of the model and the given ones: everything computed in it
     * is freed when it closes.
     */
    private NDManager open(NDArray... extra) {
        List<NDArray> all = new ArrayList<>(Arrays.asList(gaussian.constants()));
        if (moments != null) {
            all.addAll(Arrays.asList(moments.arrays()));
        }
        all.addAll(Arrays.asList(extra));
        return params.open(all.toArray(new NDArray[0]));
    }

    private NDArray flat(NDArray x) {
        return x.reshape(x.getShape().get(0), d);
    }

    /** @return L in use: the moments estimate, or assembled from the parameters {@code w} */
    private NDArray factor(NDArray[] w) {
        return moments != null && moments.fitted() ? moments.factor() : gaussian.cholesky(w);
    }

    /** @return −log p(x) per example under the estimate in use */
    private NDArray nllPerExample(NDArray[] w, NDArray x) {
        NDArray l = factor(w);
        NDArray inverse = moments != null && moments.fitted() ? moments.inverse() : l.inverse();
        return gaussian.nllPerExample(w, l, inverse, x);
    }

    @Override
    public StepResult trainStep(Batch batch) {
        if (moments != null) {
            return accumulate(batch);
        }
        try (NDManager step = open(batch.data())) {
            NDArray x = flat(batch.data());
            NDArray[] w = params.views(step);
            NDArray loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                loss = nllPerExample(w, x).mean().div(Scalars.of(x, d));
                collector.backward(loss);
            }
            double value = loss.getFloat();
            steps++;
            NDArray[] grads = new NDArray[w.length];
            for (int i = 0; i < w.length; i++) {
                grads[i] = w[i].getGradient();
            }
            if (adam != null) {
                adam.step(grads);
            } else {
                NDArray[] stored = params.stored();
                for (int i = 0; i < stored.length; i++) {
                    stored[i].subi(grads[i].mul(lr));
                }
            }
            return StepResult.of("nll", value);
        }
    }

    /** moments mode: scores the batch under the current estimate, adds it to the sums, refits periodically. */
    private StepResult accumulate(Batch batch) {
        double loss;
        try (NDManager step = open(batch.data())) {
            NDArray x = flat(batch.data());
            loss = nllPerExample(params.stored(), x).mean().getFloat() / d;
            moments.add(x);
        }
        steps++;
        if (steps % REFIT_EVERY == 0) {
            moments.refit();
        }
        return StepResult.of("nll", loss);
    }

    /** Brings a moments estimate up to date before it is sampled or scored. */
    private void ensureFitted() {
        if (moments != null && moments.stale()) {
            moments.refit();
        }
    }

    /** The {@link LikelihoodModel} capability: the exact nll in nats per dimension. */
    double nllNatsPerDim(Batch batch) {
        ensureFitted();
        try (NDManager tmp = open(batch.data())) {
            return nllPerExample(params.stored(), flat(batch.data())).mean().getFloat() / d;
        }
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(likelihood) ? Optional.of(type.cast(likelihood)) : Optional.empty();
    }

    @Override
    public Samples sample(SampleRequest request) {
        ensureFitted();
        int n = request.n();
        try (NDManager tmp = open()) {
            NDArray z = tmp.randomNormal(new Shape(n, d));
            NDArray[] w = params.stored();
            NDArray x = gaussian.sample(w, factor(w), z).reshape(shape.batchShape(n));
            x.attach(trialManager); // the caller owns and closes the samples
            return new Samples(x, null, 1);
        }
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return Map.of("gaussian", (long) d + (long) d * (d + 1) / 2);
    }

    /** @return μ, for tests */
    double[] mean() {
        ensureFitted();
        float[] values = params.get("mean").toFloatArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** @return Σ = LLᵀ, for tests */
    double[][] covariance() {
        ensureFitted();
        try (NDManager tmp = open()) {
            NDArray l = factor(params.stored());
            float[] flat = l.matMul(l.transpose()).toFloatArray();
            double[][] sigma = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    sigma[i][j] = flat[i * d + j];
                }
            }
            return sigma;
        }
    }

    @Override
    public void save(OutputStream out) throws IOException {
        checkpoint.write(out);
    }

    @Override
    public void load(InputStream in) throws IOException {
        checkpoint.read(in);
        if (moments != null) {
            moments.loaded();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
