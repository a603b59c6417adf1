package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Ema;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Training (Ho et al. 2020, Alg. 1): for each example a step t ~ U{1..T} and noise ε ~ N(0, I),
 * x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε, and the loss is the mean of ‖ε − ε_θ(x_t, t, y)‖² ("L_simple"). With labels
 * and {@code label_dropout} p, each label is replaced by the "no label" class with probability p, so the
 * same network also learns the unconditional model that classifier-free guidance needs. genlab-nn's Adam
 * with warm-up and gradient-norm clipping updates the weights (an update whose gradients are not finite is
 * skipped whole, which a finite run never meets); the moving average, with the usual (1+n)/(10+n) ramp so
 * early averages are not stuck at the initialisation, follows them.
 *
 * <p>It is the {@link Checkpoint.Part} of the training state: Adam's moments and counters ({@code adam.*})
 * and the step count ({@code steps}), which keys the training and sampling random streams.
 */
final class DiffusionObjective implements Checkpoint.Part {

    private final DiffusionModel model;
    private final DiffusionConfig config;
    private final Adam adam;
    /** Training steps taken (the key of each step's random draws). */
    private long steps;

    DiffusionObjective(DiffusionModel model) {
        this.model = model;
        this.config = model.config();
        this.adam = new Adam(model.network(), Adam.Options.lr(config.lr()).clipNorm(config.gradClip())
                .warmup(config.warmup()).skipNonFinite(true));
    }

    /** @return training steps taken so far */
    long steps() {
        return steps;
    }

    /** @return the optimiser, for tests */
    Adam adam() {
        return adam;
    }

    /**
     * One step: L_simple on the batch with this step's draws, differentiated on fresh views of the weights,
     * one Adam update, one average update.
     *
     * @return the loss before the update
     */
    double trainStep(Batch batch) {
        long step = steps + 1;
        try (NDManager scope = model.parameters().open(batch.data())) {
            model.data().observe(batch.data());
            NDArray[] views = model.network().views(scope);
            NDArray loss;
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                loss = simpleLoss(scope, views, batch, step);
                collector.backward(loss);
            }
            double value = loss.getFloat();
            NDArray[] grads = new NDArray[views.length];
            for (int i = 0; i < views.length; i++) {
                grads[i] = views[i].getGradient();
            }
            adam.step(grads);
            steps = step;
            Ema ema = model.ema();
            if (ema != null) {
                ema.update(Ema.rampedDecay(config.emaDecay(), steps));
            }
            return value;
        }
    }

    /**
     * The training loss the given step would see, with the trained (not averaged) weights and without
     * updating anything: for tests that compare the loss on a fixed batch and fixed noise.
     *
     * @param batch examples
     * @param step the training step whose random draws to use
     * @return L_simple on that batch
     */
    double lossAt(Batch batch, long step) {
        try (NDManager scope = model.parameters().open(batch.data())) {
            return simpleLoss(scope, model.network().stored(), batch, step).getFloat();
        }
    }

    /**
     * L_simple = mean ‖ε − ε_θ(√ᾱ_t x₀ + √(1−ᾱ_t) ε, t, y)‖² with the steps, label dropout and noise of
     * training step {@code step}, drawn from that step's own host stream.
     */
    private NDArray simpleLoss(NDManager scope, NDArray[] weights, Batch batch, long step) {
        int b = batch.size();
        NoiseSchedule schedule = model.schedule();
        SplittableRandom random = model.stream(DiffusionModel.TRAIN_STREAM, step, 0);
        int[] t = new int[b];
        float[] signal = new float[b];
        float[] noiseLevel = new float[b];
        for (int j = 0; j < b; j++) {
            t[j] = random.nextInt(config.timesteps());
            signal[j] = (float) Math.sqrt(schedule.alphaBar(t[j]));
            noiseLevel[j] = (float) Math.sqrt(1 - schedule.alphaBar(t[j]));
        }
        int[] labels = config.conditional() ? droppedLabels(batch, random) : null;
        NDArray x0 = model.data().toModel(batch.data());
        NDArray eps = scope.create(Sampler.gaussians(random, b * model.dim()), x0.getShape());
        NDArray xt = x0.mul(scope.create(signal, model.perExample(b)))
                .add(eps.mul(scope.create(noiseLevel, model.perExample(b))));
        NDArray classes = labels == null ? null : model.oneHot(scope, labels);
        return model.denoiser().predict(weights, xt, model.embedding().create(scope, t), classes)
                .sub(eps).square().mean();
    }

    /** The batch's labels with label dropout applied; unlabelled batches train the "no label" class. */
    private int[] droppedLabels(Batch batch, SplittableRandom random) {
        int b = batch.size();
        int[] labels = new int[b];
        Arrays.fill(labels, config.classes());
        if (batch.labels() != null) {
            int[] given = batch.labels().toIntArray();
            for (int j = 0; j < b; j++) {
                if (given[j] < 0 || given[j] >= config.classes()) {
                    throw new IllegalArgumentException("label " + given[j] + " outside [0, " + config.classes() + ")");
                }
                labels[j] = given[j];
            }
        }
        for (int j = 0; j < b; j++) {
            // Always draw, so the stream (and so the noise) does not depend on the labels' values.
            if (random.nextDouble() < config.labelDropout()) {
                labels[j] = config.classes();
            }
        }
        return labels;
    }

    @Override
    public void addTo(Checkpoint checkpoint, String prefix) {
        checkpoint.part(prefix + "adam", adam);
        checkpoint.longValue(prefix + "steps", () -> steps, v -> steps = v);
    }
}
