package dev.genlab.core.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.genlab.core.data.MnistArchive;
import java.util.Random;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The fixed recipe that trains {@link DigitClassifier} on the bundled MNIST train split (8,000 images):
 * Adam with L2 weight decay {@value #WEIGHT_DECAY}, {@value #EPOCHS} epochs of minibatches of {@value #BATCH},
 * learning rate {@value #LEARNING_RATE} divided by 5 after 60 % and again after 85 % of the steps, each image shifted by a random whole
 * number of pixels in [−{@value #MAX_SHIFT}, {@value #MAX_SHIFT}] per axis (zero fill) as augmentation.
 * Every random choice (initial weights, batch order, shifts) comes from one {@link Random} seeded with
 * {@value #SEED}; the engine's generator is never used, so training is repeatable (for one engine build
 * and thread configuration) and does not disturb other users of the engine.
 *
 * <p>Caveat: the PyTorch engine allows one gradient collector per process at a time, so this must not
 * run while another thread trains (train it before parallel trials start, see
 * {@link DigitClassifierStore#get()}).
 */
final class DigitClassifierTrainer {

    static final int EPOCHS = 15;
    static final int BATCH = 64;
    static final float LEARNING_RATE = 3e-3f;
    static final float WEIGHT_DECAY = 5e-4f;
    static final int MAX_SHIFT = 2;
    static final long SEED = 1L;

    /** Everything that changes the trained weights; part of the cache key. */
    static final String RECIPE = "lenet-v1 conv5x5x16-relu-pool2-conv5x5x32-relu-pool2-fc128-relu-fc64-relu-fc10"
            + " norm(0.13,0.31) heuniform adam lr=" + LEARNING_RATE + " wd=" + WEIGHT_DECAY + " x0.2@60%,85% epochs=" + EPOCHS
            + " batch=" + BATCH + " shift=" + MAX_SHIFT + " seed=" + SEED
            + " split=train(" + MnistArchive.SPLIT_SEED + "," + MnistArchive.ORDER_SEED + ")";

    private static final Logger LOG = LogManager.getLogger(DigitClassifierTrainer.class);

    private DigitClassifierTrainer() {}

    /**
     * Trains a classifier on the train split of {@code archive}.
     *
     * @param archive the bundled digits
     * @param manager owner of the classifier's parameters
     * @return the trained, frozen classifier
     */
    static DigitClassifier train(MnistArchive archive, NDManager manager) {
        return train(archive, manager, EPOCHS, Integer.MAX_VALUE);
    }

    /**
     * The recipe with fewer epochs or images, for tests of the training code itself.
     *
     * @param archive the bundled digits
     * @param manager owner of the classifier's parameters
     * @param epochs passes over the data
     * @param limit use at most this many training images (the first of the split's fixed order)
     * @return the trained, frozen classifier
     */
    static DigitClassifier train(MnistArchive archive, NDManager manager, int epochs, int limit) {
        int[] all = archive.indices(MnistArchive.Split.TRAIN);
        int[] rows = java.util.Arrays.copyOf(all, Math.min(limit, all.length));
        float[] images = archive.unitImages(rows);
        int[] labels = archive.labels(rows);
        int n = rows.length;
        Random random = new Random(SEED);
        DigitClassifier classifier = DigitClassifier.initialised(manager, random);
        int stepsPerEpoch = n / BATCH;
        int total = stepsPerEpoch * epochs;
        Optimizer adam = Optimizer.adam()
                .optLearningRateTracker(Tracker.multiFactor().setBaseValue(LEARNING_RATE)
                        .setSteps(new int[] {(int) (0.6 * total), (int) (0.85 * total)}).optFactor(0.2f).build())
                .optWeightDecays(WEIGHT_DECAY)
                .build();
        Loss loss = Loss.softmaxCrossEntropyLoss();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long t0 = System.nanoTime();
        float[] batch = new float[BATCH * DigitClassifier.PIXELS];
        int[] batchLabels = new int[BATCH];
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, random);
            double lossSum = 0;
            for (int s = 0; s < stepsPerEpoch; s++) {
                for (int b = 0; b < BATCH; b++) {
                    int i = order[s * BATCH + b];
                    shifted(images, i, batch, b, random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT,
                            random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT);
                    batchLabels[b] = labels[i];
                }
                lossSum += step(classifier, adam, loss, batch, batchLabels);
            }
            LOG.debug("digit classifier epoch {}/{}: mean loss {}", epoch + 1, epochs, lossSum / stepsPerEpoch);
        }
        classifier.freeze();
        LOG.info("trained the LeNet digit classifier in {} s", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        return classifier;
    }

    private static double step(DigitClassifier classifier, Optimizer adam, Loss loss, float[] batch, int[] labels) {
        NDManager root = classifier.manager();
        try (NDManager step = root.newSubManager()) {
            NDArray x = DigitClassifier.input(step, batch, 0, labels.length);
            NDArray y = step.create(labels);
            ParameterStore ps = new ParameterStore(step, false);
            double value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = classifier.network().forward(ps, new NDList(x), true).singletonOrThrow();
                NDArray l = loss.evaluate(new NDList(y), new NDList(logits));
                collector.backward(l);
                value = l.getFloat();
            }
            for (Parameter p : classifier.network().getParameters().values()) {
                NDArray w = p.getArray();
                NDArray g = w.getGradient();
                g.attach(step); // the handle would otherwise pile up on the long-lived parameter manager
                adam.update(p.getId(), w, g);
                // Gradients accumulate across backward passes in PyTorch; clear them for the next step.
                g.subi(g);
            }
            return value;
        }
    }

    /** Copies image {@code i} into slot {@code b} of {@code out}, moved by (dx, dy) pixels, zero-filled. */
    static void shifted(float[] images, int i, float[] out, int b, int dx, int dy) {
        int src = i * DigitClassifier.PIXELS;
        int dst = b * DigitClassifier.PIXELS;
        for (int y = 0; y < 28; y++) {
            int sy = y - dy;
            for (int x = 0; x < 28; x++) {
                int sx = x - dx;
                out[dst + y * 28 + x] = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? images[src + sy * 28 + sx] : 0f;
            }
        }
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
