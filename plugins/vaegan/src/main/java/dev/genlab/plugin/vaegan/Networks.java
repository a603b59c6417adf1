package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.genlab.api.DataShape;

/**
 * The three networks. MLP (flat data): ReLU hidden layers for encoder and decoder, LeakyReLU(0.2) for the
 * discriminator, whose last hidden layer is the feature layer. Conv (C×H×W, H and W divisible by 4):
 * encoder and discriminator downsample twice with stride-2 4×4 convolutions (28 → 14 → 7), the decoder
 * mirrors them with upsampling convolutions; the discriminator's features are its second conv layer's
 * activations, flattened (the paper also takes a conv layer).
 */
final class Networks {

    private static final float LEAK = 0.2f;

    private Networks() {}

    /** q(z|x): {@link #forward} gives the posterior mean and log-variance, each [B, L]. */
    static final class Encoder {
        final Net net;
        private final DataShape shape;
        private final boolean conv;
        private final int[] layers;
        private final int flat;
        private final int latent;

        Encoder(NDManager manager, DataShape shape, VaeGanConfig c) {
            this.net = new Net(manager);
            this.shape = shape;
            this.conv = c.conv();
            this.latent = c.latentDim();
            if (conv) {
                int ch = c.channels();
                flat = 2 * ch * (shape.dims().get(1) / 4) * (shape.dims().get(2) / 4);
                layers = new int[] {net.conv(shape.dims().get(0), ch, 4), net.conv(ch, 2 * ch, 4),
                    net.dense(flat, c.hidden()), net.dense(c.hidden(), 2 * latent)};
            } else {
                flat = shape.size();
                layers = mlp(net, flat, c.hidden(), c.layers(), 2 * latent);
            }
        }

        NDArray[] forward(NDArray[] w, NDArray x) {
            long b = x.getShape().get(0);
            NDArray out;
            if (conv) {
                NDArray h = Activation.leakyRelu(Net.down(w, layers[0], x.reshape(shape.batchShape(b))), LEAK);
                h = Activation.leakyRelu(Net.down(w, layers[1], h), LEAK).reshape(b, flat);
                out = Net.dense(w, layers[3], Activation.relu(Net.dense(w, layers[2], h)));
            } else {
                out = runMlp(w, layers, x.reshape(b, flat), false);
            }
            NDList halves = out.split(2, 1);
            return new NDArray[] {halves.get(0), halves.get(1)};
        }
    }

    /** p(x|z): {@link #forward} maps codes [B, L] to examples in the data's batch shape (no output squashing). */
    static final class Decoder {
        final Net net;
        private final DataShape shape;
        private final boolean conv;
        private final int[] layers;
        private final int channels;

        Decoder(NDManager manager, DataShape shape, VaeGanConfig c) {
            this.net = new Net(manager);
            this.shape = shape;
            this.conv = c.conv();
            this.channels = c.channels();
            if (conv) {
                int grid = 2 * channels * (shape.dims().get(1) / 4) * (shape.dims().get(2) / 4);
                layers = new int[] {net.dense(c.latentDim(), c.hidden()), net.dense(c.hidden(), grid),
                    net.conv(2 * channels, channels, 3), net.conv(channels, shape.dims().get(0), 3)};
            } else {
                layers = mlp(net, c.latentDim(), c.hidden(), c.layers(), shape.size());
            }
        }

        NDArray forward(NDArray[] w, NDArray z) {
            long b = z.getShape().get(0);
            if (!conv) {
                return runMlp(w, layers, z, false).reshape(shape.batchShape(b));
            }
            NDArray h = Activation.relu(Net.dense(w, layers[1], Activation.relu(Net.dense(w, layers[0], z))));
            h = h.reshape(b, 2 * channels, shape.dims().get(1) / 4, shape.dims().get(2) / 4);
            return Net.up(w, layers[3], Activation.relu(Net.up(w, layers[2], h)));
        }
    }

    /** D: {@link #forward} gives the hidden features [B, F] (the similarity metric) and logits [B]. */
    static final class Discriminator {
        final Net net;
        private final DataShape shape;
        private final boolean conv;
        private final int[] layers;
        private final int flat;

        Discriminator(NDManager manager, DataShape shape, VaeGanConfig c) {
            this.net = new Net(manager);
            this.shape = shape;
            this.conv = c.conv();
            if (conv) {
                int ch = c.channels();
                flat = 2 * ch * (shape.dims().get(1) / 4) * (shape.dims().get(2) / 4);
                layers = new int[] {net.conv(shape.dims().get(0), ch, 4), net.conv(ch, 2 * ch, 4),
                    net.dense(flat, c.hidden()), net.dense(c.hidden(), 1)};
            } else {
                flat = shape.size();
                layers = mlp(net, flat, c.hidden(), c.layers(), 1);
            }
        }

        /** The features and logits of a batch. */
        record Out(NDArray features, NDArray logits) {}

        Out forward(NDArray[] w, NDArray x) {
            long b = x.getShape().get(0);
            if (conv) {
                NDArray h = Activation.leakyRelu(Net.down(w, layers[0], x.reshape(shape.batchShape(b))), LEAK);
                NDArray features = Activation.leakyRelu(Net.down(w, layers[1], h), LEAK).reshape(b, flat);
                NDArray d = Activation.leakyRelu(Net.dense(w, layers[2], features), LEAK);
                return new Out(features, Net.dense(w, layers[3], d).reshape(b));
            }
            NDArray features = runMlp(w, layers, x.reshape(b, flat), true);
            return new Out(features, Net.dense(w, layers[layers.length - 1], features).reshape(b));
        }
    }

    /** @return the first-array indices of a dense stack in → hidden × layers → out */
    private static int[] mlp(Net net, int in, int hidden, int layers, int out) {
        int[] idx = new int[layers + 1];
        int width = in;
        for (int i = 0; i < layers; i++) {
            idx[i] = net.dense(width, hidden);
            width = hidden;
        }
        idx[layers] = net.dense(width, out);
        return idx;
    }

    /**
     * Runs a dense stack. {@code leaky}: the discriminator's flavour, which stops before the output layer
     * and returns the last hidden activations (its features); otherwise ReLU hidden layers and the output.
     */
    private static NDArray runMlp(NDArray[] w, int[] layers, NDArray x, boolean leaky) {
        NDArray h = x;
        int hiddenLayers = layers.length - 1;
        for (int i = 0; i < hiddenLayers; i++) {
            h = Net.dense(w, layers[i], h);
            h = leaky ? Activation.leakyRelu(h, LEAK) : Activation.relu(h);
        }
        return leaky ? h : Net.dense(w, layers[hiddenLayers], h);
    }
}
