package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.BatchNorm;
import dev.genlab.nn.Conv;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;

/**
 * The generator: z ~ N(0, I) (concatenated with the one-hot label when conditional) to one example.
 *
 * <ul>
 *   <li>MLP: {@code layers_g} hidden ReLU (or, {@code g_activation: tanh}, tanh) layers of width
 *       {@code hidden_g}, then a linear output (vectors) or tanh/sigmoid output (images, by
 *       {@code image_range}). Weights N(0, 2/fan_in) (He), the output's N(0, 1/fan_in), or all N(0, init_std²),
 *       or all random orthogonal × {@code init_orthogonal}; biases 0. With {@code g_batchnorm} each hidden
 *       layer is linear (no bias), batch norm (gain 1, shift 0, as PyTorch's BatchNorm1d starts), then the
 *       activation: PacGAN's and VEEGAN's toy generator.</li>
 *   <li>DCGAN-style conv (Radford et al. 2016) for H×W images with H, W divisible by 4: linear to
 *       2c×H/4×W/4, batch norm, ReLU, 4×4 stride-2 transposed conv to c×H/2×W/2, batch norm, ReLU,
 *       4×4 stride-2 transposed conv to C×H×W, tanh/sigmoid. Weights N(0, 0.02), BN scale N(1, 0.02).</li>
 * </ul>
 * Batch norm uses batch statistics while training and running averages when sampling; the running
 * averages are updated only by generator updates, as PyTorch's BatchNorm updates them (momentum 0.1,
 * unbiased batch variance). Weights are trainable entries and running averages are buffers of the
 * {@code generator} scope of the model's {@link Parameters} (MLP weights are [in, out], used as x·W).
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
    private final boolean mlpBatchNorm;
    /** Groups of rows whose batch statistics are taken apart: the pack slots with g_batchnorm_per_slot, else 1. */
    private final int bnSlots;
    /** MLP: per hidden layer the indices of its weight, bias (−1 with batch norm), BN gain and shift (−1 without). */
    private final int[] fcWeight;
    private final int[] fcBias;
    private final int[] bnGain;
    private final int[] bnShift;
    private final int outWeight;
    private final int outBias;
    private final int channels;
    private final int outChannels;
    private final int h0;
    private final int w0;
    private final int outSize;
    private final String activation;
    /** Hidden units of the MLP: tanh rather than ReLU. */
    private final boolean tanh;
    private final Shape exampleShape;
    /** This network's scope: its trainable weights, in the order {@link #forward} indexes them. */
    final Parameters weights;
    /** Running mean and variance of each batch-norm layer (conv only); buffers, not trainable. */
    final NDArray[] running;

    /** @param weights the (empty) scope this network creates its weights and buffers in */
    Generator(Parameters weights, GanConfig config) {
        this.conv = config.conv();
        this.layers = config.layersG();
        this.mlpBatchNorm = !conv && config.gBatchnorm();
        this.bnSlots = mlpBatchNorm && config.gBatchnormPerSlot() ? config.pack() : 1;
        this.channels = config.channels();
        this.weights = weights;
        NDManager manager = weights.manager();
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
        this.tanh = config.gActivation().equals(GanConfig.TANH);
        int in = config.latentDim() + (config.conditional() ? config.numClasses() : 0);
        if (conv) {
            outChannels = dims[0];
            h0 = dims[1] / 4;
            w0 = dims[2] / 4;
            weights.add("fc.weight", new Shape(in, 2L * channels * h0 * w0), Init.normal(0.02));
            bn("bn0", 2 * channels);
            weights.add("deconv1.weight", new Shape(2L * channels, channels, 4, 4), Init.normal(0.02));
            bn("bn1", channels);
            weights.add("deconv2.weight", new Shape(channels, outChannels, 4, 4), Init.normal(0.02));
            weights.add("deconv2.bias", new Shape(outChannels), Init.zeros());
            running = new NDArray[] {
                weights.buffer("bn0.running_mean", manager.zeros(new Shape(2L * channels))),
                weights.buffer("bn0.running_var", manager.ones(new Shape(2L * channels))),
                weights.buffer("bn1.running_mean", manager.zeros(new Shape(channels))),
                weights.buffer("bn1.running_var", manager.ones(new Shape(channels)))};
            fcWeight = fcBias = bnGain = bnShift = new int[0];
            outWeight = 6;
            outBias = 7;
        } else {
            outChannels = 0;
            h0 = 0;
            w0 = 0;
            int width = config.hiddenG();
            float std = config.initStd();
            Init orthogonal = config.initOrthogonal() > 0 ? Init.orthogonal(config.initOrthogonal()) : null;
            fcWeight = new int[layers];
            fcBias = new int[layers];
            bnGain = new int[layers];
            bnShift = new int[layers];
            running = new NDArray[mlpBatchNorm ? 2 * layers : 0];
            int fanIn = in;
            for (int l = 0; l < layers; l++) {
                fcWeight[l] = weights.add("fc" + l + ".weight", new Shape(fanIn, width),
                        orthogonal != null ? orthogonal : Init.normal(std > 0 ? std : Math.sqrt(2.0 / fanIn)));
                if (mlpBatchNorm) {
                    // A bias before batch norm is cancelled by its mean subtraction: none, as in PacGAN's layers.
                    fcBias[l] = -1;
                    bnGain[l] = weights.add("bn" + l + ".weight", new Shape(width), Init.constant(1));
                    bnShift[l] = weights.add("bn" + l + ".bias", new Shape(width), Init.zeros());
                    running[2 * l] = weights.buffer("bn" + l + ".running_mean", manager.zeros(new Shape(width)));
                    running[2 * l + 1] = weights.buffer("bn" + l + ".running_var", manager.ones(new Shape(width)));
                } else {
                    fcBias[l] = weights.add("fc" + l + ".bias", new Shape(width), Init.zeros());
                    bnGain[l] = -1;
                    bnShift[l] = -1;
                }
                fanIn = width;
            }
            outWeight = weights.add("out.weight", new Shape(fanIn, outSize),
                    orthogonal != null ? orthogonal : Init.normal(std > 0 ? std : Math.sqrt(1.0 / fanIn)));
            outBias = weights.add("out.bias", new Shape(outSize), Init.zeros());
        }
    }

    /** Batch-norm gain N(1, 0.02²) and shift 0, as DCGAN initialises them. */
    private void bn(String name, int width) {
        weights.add(name + ".weight", new Shape(width), (m, s) -> m.randomNormal(1f, 0.02f, s, DataType.FLOAT32));
        weights.add(name + ".bias", new Shape(width), Init.zeros());
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
            a = Conv.transposed(a, w[3], null, 2, 1);
            a = Activation.relu(batchNorm(a, w[4], w[5], 2, mode));
            y = Conv.transposed(a, w[6], w[7], 2, 1);
        } else {
            NDArray a = x;
            for (int l = 0; l < layers; l++) {
                NDArray pre = a.matMul(w[fcWeight[l]]);
                if (mlpBatchNorm && bnSlots > 1 && mode != Mode.EVAL) {
                    pre = slotBatchNorm(pre, w[bnGain[l]], w[bnShift[l]], 2 * l, mode);
                } else if (mlpBatchNorm) {
                    long width = pre.getShape().get(1);
                    pre = batchNorm(pre.reshape(n, width, 1, 1), w[bnGain[l]], w[bnShift[l]], 2 * l, mode)
                            .reshape(n, width);
                } else {
                    pre = pre.add(w[fcBias[l]]);
                }
                a = tanh ? Activation.tanh(pre) : Activation.relu(pre);
            }
            y = a.matMul(w[outWeight]).add(w[outBias]);
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

    /**
     * Batch norm of [n, width] with statistics per pack slot. D packs consecutive rows (pack k is rows
     * k·m … k·m + m − 1), so slot j is every row i with i mod m = j; PacGAN's generator runs once per slot,
     * so each slot is normalised by its own batch statistics. Seen as [n/m, m·width], each (slot, unit)
     * pair is one channel of the fused batch norm, with the gain and shift shared across slots. Each slot
     * updates its own copy of the running averages (as each of PacGAN's per-slot calls does); the copies'
     * mean is written back.
     */
    NDArray slotBatchNorm(NDArray pre, NDArray gamma, NDArray beta, int stats, Mode mode) {
        long n = pre.getShape().get(0);
        long width = pre.getShape().get(1);
        if (n % bnSlots != 0) {
            throw new IllegalStateException("g_batchnorm_per_slot: " + n + " generated rows are not whole packs of "
                    + bnSlots);
        }
        NDArray mean = running[stats].tile(bnSlots);
        NDArray var = running[stats + 1].tile(bnSlots);
        NDArray y = BatchNorm.batchNorm(pre.reshape(n / bnSlots, bnSlots * width, 1, 1), mean, var,
                gamma.tile(bnSlots), beta.tile(bnSlots), 1, 1 - BN_MOMENTUM, BN_EPS, true).singletonOrThrow();
        if (mode == Mode.TRAIN_UPDATE) {
            // In place: the running arrays are the checkpointed buffers.
            running[stats].muli(0).addi(mean.reshape(bnSlots, width).mean(new int[] {0}));
            running[stats + 1].muli(0).addi(var.reshape(bnSlots, width).mean(new int[] {0}));
        }
        return y.reshape(n, width);
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
