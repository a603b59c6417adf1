package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.BatchNorm;

/**
 * The generator: z ~ N(0, I) (concatenated with the one-hot label when conditional) to one example.
 *
 * <ul>
 *   <li>MLP: {@code layers} hidden ReLU layers of width {@code hidden}, He-initialised, then a linear
 *       output (vectors) or tanh/sigmoid output (images, by {@code image_range}).</li>
 *   <li>DCGAN-style conv (Radford et al. 2016) for H×W images with H, W divisible by 4: linear to
 *       2c×H/4×W/4, batch norm, ReLU, 4×4 stride-2 transposed conv to c×H/2×W/2, batch norm, ReLU,
 *       4×4 stride-2 transposed conv to C×H×W, tanh/sigmoid. Weights N(0, 0.02), BN scale N(1, 0.02).</li>
 * </ul>
 * Batch norm uses batch statistics while training and running averages when sampling; the running
 * averages are updated only by generator updates, as PyTorch's BatchNorm2d updates them (momentum 0.1,
 * unbiased batch variance).
 */
final class Generator {

    /** How batch norm behaves in a forward pass. */
    enum Mode {
        /** Batch statistics, running averages untouched (discriminator steps). */
        TRAIN,
        /** Batch statistics, running averages updated (generator steps). */
        TRAIN_UPDATE,
        /** Running averages (sampling). */
        EVAL
    }

    private static final float BN_EPS = 1e-5f;
    private static final float BN_MOMENTUM = 0.1f;

    private final boolean conv;
    private final int layers;
    private final int channels;
    private final int outChannels;
    private final int h0;
    private final int w0;
    private final int outSize;
    private final String activation;
    private final Shape exampleShape;
    final Weights weights;
    /** Running mean and variance of each batch-norm layer (conv only); buffers, not trainable. */
    final NDArray[] running;

    Generator(NDManager manager, GanConfig config) {
        this.conv = config.conv();
        this.layers = config.layers();
        this.channels = config.channels();
        this.weights = new Weights(manager);
        int[] dims = config.exampleDims();
        long[] shape = new long[dims.length];
        int size = 1;
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
            size *= dims[i];
        }
        this.exampleShape = new Shape(shape);
        this.outSize = size;
        this.activation = dims.length == 1 ? "linear" : config.imageRange();
        int in = config.latentDim() + (config.conditional() ? config.numClasses() : 0);
        if (conv) {
            outChannels = dims[0];
            h0 = dims[1] / 4;
            w0 = dims[2] / 4;
            weights.normal("g.fc.weight", 0.02f, new Shape(in, 2L * channels * h0 * w0));
            bn(manager, "g.bn0", 2 * channels);
            weights.normal("g.deconv1.weight", 0.02f, new Shape(2L * channels, channels, 4, 4));
            bn(manager, "g.bn1", channels);
            weights.normal("g.deconv2.weight", 0.02f, new Shape(channels, outChannels, 4, 4));
            weights.constant("g.deconv2.bias", 0f, new Shape(outChannels));
            running = new NDArray[] {
                manager.zeros(new Shape(2L * channels)), manager.ones(new Shape(2L * channels)),
                manager.zeros(new Shape(channels)), manager.ones(new Shape(channels))};
        } else {
            outChannels = 0;
            h0 = 0;
            w0 = 0;
            int fanIn = in;
            for (int l = 0; l < layers; l++) {
                weights.normal("g.fc" + l + ".weight", (float) Math.sqrt(2.0 / fanIn), new Shape(fanIn, config.hidden()));
                weights.constant("g.fc" + l + ".bias", 0f, new Shape(config.hidden()));
                fanIn = config.hidden();
            }
            weights.normal("g.out.weight", (float) Math.sqrt(1.0 / fanIn), new Shape(fanIn, outSize));
            weights.constant("g.out.bias", 0f, new Shape(outSize));
            running = new NDArray[0];
        }
    }

    private void bn(NDManager manager, String name, int width) {
        weights.add(name + ".weight", manager.randomNormal(1f, 0.02f, new Shape(width), DataType.FLOAT32));
        weights.constant(name + ".bias", 0f, new Shape(width));
    }

    /**
     * @param w weights (stored arrays or views)
     * @param z latent codes [n, latent_dim]
     * @param onehot one-hot labels [n, K] if conditional, else null
     * @param mode batch-norm behaviour
     * @return examples [n, ...dims]
     */
    NDArray forward(NDArray[] w, NDArray z, NDArray onehot, Mode mode) {
        long n = z.getShape().get(0);
        NDArray x = onehot == null ? z : z.concat(onehot, 1);
        NDArray y;
        if (conv) {
            NDArray a = x.matMul(w[0]).reshape(n, 2L * channels, h0, w0);
            a = Activation.relu(batchNorm(a, w[1], w[2], 0, mode));
            a = Conv.up(a, w[3], null);
            a = Activation.relu(batchNorm(a, w[4], w[5], 2, mode));
            y = Conv.up(a, w[6], w[7]);
        } else {
            NDArray a = x;
            for (int l = 0; l < layers; l++) {
                a = Activation.relu(a.matMul(w[2 * l]).add(w[2 * l + 1]));
            }
            y = a.matMul(w[2 * layers]).add(w[2 * layers + 1]);
        }
        switch (activation) {
            case GanConfig.MINUS_ONE_ONE:
                y = Activation.tanh(y);
                break;
            case GanConfig.ZERO_ONE:
                y = Activation.sigmoid(y);
                break;
            default:
                break;
        }
        return y.reshape(batchShape(n));
    }

    private Shape batchShape(long n) {
        return new Shape(n).addAll(exampleShape);
    }

    /** Batch norm of [n, C, H, W] over n, H, W per channel with the running statistics {@code stats}, {@code stats + 1}. */
    NDArray batchNorm(NDArray x, NDArray gamma, NDArray beta, int stats, Mode mode) {
        if (mode == Mode.EVAL) {
            long ch = x.getShape().get(1);
            NDArray scale = running[stats + 1].add(BN_EPS).sqrt().reshape(1, ch, 1, 1);
            return x.sub(running[stats].reshape(1, ch, 1, 1)).div(scale).mul(gamma.reshape(1, ch, 1, 1))
                    .add(beta.reshape(1, ch, 1, 1));
        }
        // The engine's fused batch norm (one kernel forward and backward, instead of a dozen elementwise
        // operations and reductions whose backward dominated the conv GAN's step). It always updates the
        // running statistics it is given, as PyTorch's BatchNorm2d does (momentum 0.1, the unbiased batch
        // variance): a discriminator step hands it throw-away copies so the real ones stay untouched.
        NDArray mean = running[stats];
        NDArray var = running[stats + 1];
        if (mode == Mode.TRAIN) {
            mean = mean.duplicate();
            var = var.duplicate();
        }
        // DJL's momentum is the weight of the old value: 1 − PyTorch's.
        return BatchNorm.batchNorm(x, mean, var, gamma, beta, 1, 1 - BN_MOMENTUM, BN_EPS, true).singletonOrThrow();
    }
}
