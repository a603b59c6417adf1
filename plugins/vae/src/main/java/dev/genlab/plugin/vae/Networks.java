package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoder and decoder architectures: MLPs for flat data (2-D points, or any shape flattened) and a
 * small DCGAN-style conv pair for images whose height and width are divisible by 4 (28×28 digits:
 * 28 → 14 → 7 and back). A condition (one-hot label, or null) is concatenated to the input of the first
 * dense layer of each network.
 */
final class Networks {

    private Networks() {}

    /** q(z|x[,y]): returns the posterior mean and log-variance, each {@code [B, L]}. */
    interface Encoder {
        NDArray[] forward(NDArray x, NDArray condition);
    }

    /** p(x|z[,y]): returns the decoder's raw outputs {@code [B, heads, D]} (head 0: mean or logits). */
    interface Decoder {
        NDArray forward(NDArray z, NDArray condition);
    }

    static NDArray withCondition(NDArray h, NDArray condition) {
        return condition == null ? h : h.concat(condition, 1);
    }

    static NDArray[] meanAndLogVar(NDArray out) {
        NDList halves = out.split(2, 1);
        return new NDArray[] {halves.get(0), halves.get(1)};
    }

    /** A ReLU MLP encoder. */
    static Encoder mlpEncoder(Weights w, int dims, int conditionDim, int hidden, int layers, int latent) {
        List<Weights.Dense> stack = mlp(w, dims + conditionDim, hidden, layers, 2 * latent);
        return (x, condition) -> {
            NDArray h = withCondition(x.reshape(x.getShape().get(0), dims), condition);
            return meanAndLogVar(run(stack, h));
        };
    }

    /** A ReLU MLP decoder with {@code heads} outputs per data coordinate. */
    static Decoder mlpDecoder(Weights w, int dims, int heads, int conditionDim, int hidden, int layers, int latent) {
        List<Weights.Dense> stack = mlp(w, latent + conditionDim, hidden, layers, heads * dims);
        return (z, condition) -> run(stack, withCondition(z, condition)).reshape(z.getShape().get(0), heads, dims);
    }

    private static List<Weights.Dense> mlp(Weights w, int in, int hidden, int layers, int out) {
        List<Weights.Dense> stack = new ArrayList<>();
        int width = in;
        for (int i = 0; i < layers; i++) {
            stack.add(w.dense(width, hidden));
            width = hidden;
        }
        stack.add(w.dense(width, out));
        return List.copyOf(stack);
    }

    private static NDArray run(List<Weights.Dense> stack, NDArray x) {
        NDArray h = x;
        for (int i = 0; i < stack.size(); i++) {
            h = stack.get(i).forward(h);
            if (i < stack.size() - 1) {
                h = Activation.relu(h);
            }
        }
        return h;
    }

    /** conv(C→c) → conv(c→2c) → dense(hidden) → dense(2L), ReLU between, for C×H×W with H, W divisible by 4. */
    static Encoder convEncoder(Weights w, int c, int h, int width, int conditionDim, int channels, int hidden,
            int latent) {
        Weights.Conv conv1 = w.conv(c, channels, 4);
        Weights.Conv conv2 = w.conv(channels, 2 * channels, 4);
        int flat = 2 * channels * (h / 4) * (width / 4);
        Weights.Dense dense1 = w.dense(flat + conditionDim, hidden);
        Weights.Dense dense2 = w.dense(hidden, 2 * latent);
        return (x, condition) -> {
            long b = x.getShape().get(0);
            NDArray f = Activation.relu(conv2.forward(Activation.relu(conv1.forward(x.reshape(b, c, h, width)))));
            NDArray e = Activation.relu(dense1.forward(withCondition(f.reshape(b, flat), condition)));
            return meanAndLogVar(dense2.forward(e));
        };
    }

    /**
     * The mirror of {@link #convEncoder}: dense(hidden) → dense(2c·H/4·W/4) → up-conv(2c→c) → up-conv(c→heads·C),
     * each up-conv doubling the resolution (see {@link Weights#upConv}).
     */
    static Decoder convDecoder(Weights w, int c, int h, int width, int heads, int conditionDim, int channels,
            int hidden, int latent) {
        Weights.Dense dense1 = w.dense(latent + conditionDim, hidden);
        int flat = 2 * channels * (h / 4) * (width / 4);
        Weights.Dense dense2 = w.dense(hidden, flat);
        Weights.UpConv up1 = w.upConv(2 * channels, channels);
        Weights.UpConv up2 = w.upConv(channels, heads * c);
        int dims = c * h * width;
        return (z, condition) -> {
            long b = z.getShape().get(0);
            NDArray f = Activation.relu(dense2.forward(Activation.relu(dense1.forward(withCondition(z, condition)))));
            NDArray img = up2.forward(Activation.relu(up1.forward(f.reshape(b, 2 * channels, h / 4, width / 4))));
            // Channels are head-major ([mean channels..., std channels...]), so this keeps heads apart.
            return img.reshape(b, heads, dims);
        };
    }
}
