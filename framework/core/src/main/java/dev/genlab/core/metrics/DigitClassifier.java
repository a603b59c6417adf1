package dev.genlab.core.metrics;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

/**
 * A small LeNet-style digit classifier for 28×28 grey images in [0, 1], whose penultimate layer is the
 * feature space of genlab's image metrics ("FD-LeNet"): conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 →
 * ReLU → max-pool 2 → dense 128 → ReLU → dense {@value #FEATURE_DIM} → ReLU (the features) → dense 10
 * (logits). Inputs are standardised with fixed constants ({@link #PIXEL_MEAN}, {@link #PIXEL_STD}).
 *
 * <p>Instances are made by {@link DigitClassifierStore} (bundled weights, or trained once and cached).
 * Inference is serialised on the instance, so one classifier can serve metrics of concurrent trials.
 */
public final class DigitClassifier implements AutoCloseable {

    /** Dimension of the feature space (the penultimate layer). */
    public static final int FEATURE_DIM = 64;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Pixels per image. */
    public static final int PIXELS = 28 * 28;
    /** Approximate mean grey level of MNIST in [0, 1], subtracted from inputs. */
    static final float PIXEL_MEAN = 0.13f;
    /** Approximate grey-level standard deviation of MNIST, dividing inputs. */
    static final float PIXEL_STD = 0.31f;
    /** Images per forward pass at inference. */
    private static final int BATCH = 500;

    private final NDManager manager;
    private final SequentialBlock features;
    private final Block head;
    private final SequentialBlock network;

    private DigitClassifier(NDManager manager, SequentialBlock features, Block head, SequentialBlock network) {
        this.manager = manager;
        this.features = features;
        this.head = head;
        this.network = network;
    }

    /**
     * Builds the network with weights drawn from {@code random} (He-uniform weights, zero biases), so
     * initialisation depends only on the Java seed and never touches the engine's global generator.
     *
     * @param manager owner of the parameters; closed with the classifier
     * @param random the seeded generator
     * @return an untrained classifier
     */
    static DigitClassifier initialised(NDManager manager, Random random) {
        DigitClassifier c = create(manager);
        c.network.setInitializer(heUniform(random), Parameter.Type.WEIGHT);
        c.network.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        c.network.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        return c;
    }

    /**
     * @param manager owner of the parameters; closed with the classifier
     * @param in parameters written by {@link #save}
     * @return the restored classifier
     * @throws IOException on a read error or malformed parameters
     */
    static DigitClassifier load(NDManager manager, DataInputStream in) throws IOException {
        DigitClassifier c = create(manager);
        c.network.setInitializer(Initializer.ZEROS, p -> true);
        c.network.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        try {
            c.network.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("malformed classifier parameters: " + e.getMessage(), e);
        }
        c.network.freezeParameters(true);
        return c;
    }

    private static DigitClassifier create(NDManager manager) {
        SequentialBlock features = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(16).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(FEATURE_DIM).build())
                .add(Activation.reluBlock());
        Block head = Linear.builder().setUnits(CLASSES).build();
        SequentialBlock network = new SequentialBlock().add(features).add(head);
        return new DigitClassifier(manager, features, head, network);
    }

    private static Initializer heUniform(Random random) {
        return (m, shape, type) -> {
            long fanIn = shape.size() / shape.get(0);
            double bound = Math.sqrt(6.0 / fanIn);
            float[] w = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
            return m.create(w, shape).toType(type, false);
        };
    }

    /** @return the whole network (features then head), for training */
    SequentialBlock network() {
        return network;
    }

    /** @return the manager owning the parameters */
    NDManager manager() {
        return manager;
    }

    /** Freezes the parameters after training, so inference builds no autograd graph. */
    void freeze() {
        network.freezeParameters(true);
    }

    /**
     * @param out destination of the parameters
     * @throws IOException on write failure
     */
    void save(DataOutputStream out) throws IOException {
        network.saveParameters(out);
    }

    /**
     * Standardises images in [0, 1] into a network input on {@code m}.
     *
     * @param m manager of the new array
     * @param unitImages row-major {@code [n, 784]} grey levels in [0, 1]
     * @param from first image
     * @param n number of images
     * @return {@code [n, 1, 28, 28]} float32
     */
    static NDArray input(NDManager m, float[] unitImages, int from, int n) {
        float[] x = new float[n * PIXELS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (unitImages[from * PIXELS + i] - PIXEL_MEAN) / PIXEL_STD;
        }
        return m.create(x, new Shape(n, 1, 28, 28));
    }

    /**
     * @param unitImages row-major {@code [n, 784]} grey levels in [0, 1]
     * @return the penultimate-layer activations, {@code n × 64}
     */
    public synchronized FeatureSet features(float[] unitImages) {
        int n = count(unitImages);
        double[] out = new double[n * FEATURE_DIM];
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                NDArray f = features.forward(ps, new NDList(input(step, unitImages, start, b)), false)
                        .singletonOrThrow();
                float[] v = f.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    out[start * FEATURE_DIM + i] = v[i];
                }
            }
        }
        return new FeatureSet(n, FEATURE_DIM, out);
    }

    /**
     * @param unitImages row-major {@code [n, 784]} grey levels in [0, 1]
     * @return class probabilities p(y|x), row-major {@code n × 10}
     */
    public synchronized double[] probabilities(float[] unitImages) {
        int n = count(unitImages);
        double[] out = new double[n * CLASSES];
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                NDArray logits = network.forward(ps, new NDList(input(step, unitImages, start, b)), false)
                        .singletonOrThrow();
                double[] p = logits.toType(DataType.FLOAT64, false).softmax(1).toDoubleArray();
                System.arraycopy(p, 0, out, start * CLASSES, p.length);
            }
        }
        return out;
    }

    /**
     * @param unitImages row-major {@code [n, 784]} grey levels in [0, 1]
     * @return the most probable class of each image
     */
    public int[] predict(float[] unitImages) {
        return argmax(probabilities(unitImages));
    }

    /**
     * @param unitImages row-major {@code [n, 784]} grey levels in [0, 1]
     * @param labels the true classes
     * @return the fraction classified correctly
     */
    public double accuracy(float[] unitImages, int[] labels) {
        int[] predicted = predict(unitImages);
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException(predicted.length + " images but " + labels.length + " labels");
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * @param probabilities row-major {@code n × 10}
     * @return the index of each row's largest entry
     */
    static int[] argmax(double[] probabilities) {
        int n = probabilities.length / CLASSES;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < CLASSES; c++) {
                if (probabilities[i * CLASSES + c] > probabilities[i * CLASSES + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    private static int count(float[] unitImages) {
        if (unitImages.length % PIXELS != 0) {
            throw new IllegalArgumentException("image data of " + unitImages.length
                    + " values is not a whole number of 28×28 images");
        }
        return unitImages.length / PIXELS;
    }

    /** Releases the parameters. */
    @Override
    public void close() {
        manager.close();
    }
}
