package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import dev.genlab.nn.Conv;
import dev.genlab.nn.Dense;
import dev.genlab.nn.Mlp;
import dev.genlab.nn.Parameters;

/**
 * The encoder and decoder architectures: MLPs for flat data (2-D points, or any shape flattened) and a
 * small DCGAN-style conv pair for images whose height and width are divisible by 4 (28×28 digits:
 * 28 → 14 → 7 and back). A condition (one-hot label, or null) is concatenated to the input of the first
 * dense layer of each network.
 *
 * <p>The networks are genlab-nn functional layers: each is created in its own {@link Parameters} scope
 * ({@code encoder}, {@code decoder}) with PyTorch's default initialisation, and runs on whichever arrays of
 * that scope it is given, the stored weights (evaluation) or differentiable views (a training step).
 */
final class Networks {

    private Networks() {}

    /** q(z|x[,y]): returns the posterior mean and log-variance, each {@code [B, L]}. */
    interface Encoder {
        NDArray[] forward(NDArray[] w, NDArray x, NDArray condition);
    }

    /** p(x|z[,y]): returns the decoder's raw outputs {@code [B, heads, D]} (head 0: mean or logits). */
    interface Decoder {
        NDArray forward(NDArray[] w, NDArray z, NDArray condition);
    }

    static NDArray withCondition(NDArray h, NDArray condition) {
        return condition == null ? h : h.concat(condition, 1);
    }

    static NDArray[] meanAndLogVar(NDArray out) {
        NDList halves = out.split(2, 1);
        return new NDArray[] {halves.get(0), halves.get(1)};
    }

    /** A ReLU MLP encoder: {@code layers} hidden layers of width {@code hidden}, then 2L outputs. */
    static Encoder mlpEncoder(Parameters p, int dims, int conditionDim, int hidden, int layers, int latent) {
        Mlp mlp = Mlp.create(p, "mlp", widths(dims + conditionDim, hidden, layers, 2 * latent), Activation::relu);
        return (w, x, condition) -> {
            NDArray h = withCondition(x.reshape(x.getShape().get(0), dims), condition);
            return meanAndLogVar(mlp.forward(w, h));
        };
    }

    /** A ReLU MLP decoder with {@code heads} outputs per data coordinate. */
    static Decoder mlpDecoder(Parameters p, int dims, int heads, int conditionDim, int hidden, int layers,
            int latent) {
        Mlp mlp = Mlp.create(p, "mlp", widths(latent + conditionDim, hidden, layers, heads * dims), Activation::relu);
        return (w, z, condition) -> mlp.forward(w, withCondition(z, condition)).reshape(z.getShape().get(0), heads,
                dims);
    }

    private static int[] widths(int in, int hidden, int layers, int out) {
        int[] widths = new int[layers + 2];
        widths[0] = in;
        for (int i = 1; i <= layers; i++) {
            widths[i] = hidden;
        }
        widths[layers + 1] = out;
        return widths;
    }

    /**
     * conv(C→c, 4×4/2/1) → conv(c→2c, 4×4/2/1) → dense(hidden) → dense(2L), ReLU between, for C×H×W with H, W
     * divisible by 4.
     */
    static Encoder convEncoder(Parameters p, int c, int h, int width, int conditionDim, int channels, int hidden,
            int latent) {
        Conv conv1 = Conv.create(p, "conv1", Conv.Kind.DOWN, c, channels, 4, 2, 1);
        Conv conv2 = Conv.create(p, "conv2", Conv.Kind.DOWN, channels, 2 * channels, 4, 2, 1);
        int flat = 2 * channels * (h / 4) * (width / 4);
        Dense dense1 = Dense.create(p, "fc1", flat + conditionDim, hidden);
        Dense dense2 = Dense.create(p, "fc2", hidden, 2 * latent);
        return (w, x, condition) -> {
            long b = x.getShape().get(0);
            NDArray f = Activation.relu(conv2.forward(w, Activation.relu(conv1.forward(w, x.reshape(b, c, h, width)))));
            NDArray e = Activation.relu(dense1.forward(w, withCondition(f.reshape(b, flat), condition)));
            return meanAndLogVar(dense2.forward(w, e));
        };
    }

    /**
     * The mirror of {@link #convEncoder}: dense(hidden) → dense(2c·H/4·W/4) → up-conv(2c→c) → up-conv(c→heads·C).
     * Each up-conv is a 2× nearest-neighbour upsampling followed by a 3×3 convolution (stride 1, padding 1,
     * {@link Conv.Kind#UPSAMPLE}): it doubles height and width like a stride-2 transposed convolution and avoids
     * its checkerboard artefacts (Odena et al. 2016).
     */
    static Decoder convDecoder(Parameters p, int c, int h, int width, int heads, int conditionDim, int channels,
            int hidden, int latent) {
        Dense dense1 = Dense.create(p, "fc1", latent + conditionDim, hidden);
        int flat = 2 * channels * (h / 4) * (width / 4);
        Dense dense2 = Dense.create(p, "fc2", hidden, flat);
        Conv up1 = Conv.create(p, "up1", Conv.Kind.UPSAMPLE, 2 * channels, channels, 3, 2, 1);
        Conv up2 = Conv.create(p, "up2", Conv.Kind.UPSAMPLE, channels, heads * c, 3, 2, 1);
        int dims = c * h * width;
        return (w, z, condition) -> {
            long b = z.getShape().get(0);
            NDArray e = Activation.relu(dense1.forward(w, withCondition(z, condition)));
            NDArray f = Activation.relu(dense2.forward(w, e));
            NDArray img = up2.forward(w, Activation.relu(up1.forward(w, f.reshape(b, 2 * channels, h / 4, width / 4))));
            // Channels are head-major ([mean channels..., std channels...]), so this keeps heads apart.
            return img.reshape(b, heads, dims);
        };
    }
}
