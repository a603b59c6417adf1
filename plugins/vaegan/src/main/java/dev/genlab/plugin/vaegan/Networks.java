package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Conv;
import dev.genlab.nn.Dense;
import dev.genlab.nn.Parameters;

/**
 * The three networks, each on its own {@link Parameters} scope ({@code encoder}, {@code decoder},
 * {@code discriminator}); a forward pass takes the scope's arrays (stored weights, or per-step views that
 * collect gradients). MLP (flat data): ReLU hidden layers for encoder and decoder, LeakyReLU(0.2) for the
 * discriminator, whose last hidden layer is the feature layer. Conv (C×H×W, H and W divisible by 4):
 * encoder and discriminator downsample twice with stride-2 4×4 convolutions (28 → 14 → 7), the decoder
 * mirrors them with nearest-neighbour 2× upsampling and a 3×3 convolution; the discriminator's features are
 * its second conv layer's activations, flattened (the paper also takes a conv layer).
 *
 * <p>Every layer has PyTorch's default initialisation, U(±1/√fan_in) for weights and biases, drawn from the
 * engine's generator (which the framework seeds per trial) in the order the layers are created.
 */
final class Networks {

    private static final float LEAK = 0.2f;

    private Networks() {}

    /** q(z|x): {@link #forward} gives the posterior mean and log-variance, each [B, L]. */
    static final class Encoder {
        final Parameters params;
        private final DataShape shape;
        private final Conv[] convs;
        private final Dense[] dense;
        private final int flat;

        Encoder(Parameters params, DataShape shape, VaeGanConfig c) {
            this.params = params;
            this.shape = shape;
            int latent2 = 2 * c.latentDim();
            if (c.conv()) {
                int ch = c.channels();
                flat = 2 * ch * (shape.dims().get(1) / 4) * (shape.dims().get(2) / 4);
                convs = downs(params, shape.dims().get(0), ch);
                dense = new Dense[] {Dense.create(params, "fc", flat, c.hidden()),
                    Dense.create(params, "out", c.hidden(), latent2)};
            } else {
                flat = shape.size();
                convs = null;
                dense = mlp(params, flat, c.hidden(), c.layers(), latent2);
            }
        }

        NDArray[] forward(NDArray[] w, NDArray x) {
            long b = x.getShape().get(0);
            NDArray out;
            if (convs != null) {
                NDArray h = Activation.leakyRelu(convs[0].forward(w, x.reshape(shape.batchShape(b))), LEAK);
                h = Activation.leakyRelu(convs[1].forward(w, h), LEAK).reshape(b, flat);
                out = dense[1].forward(w, Activation.relu(dense[0].forward(w, h)));
            } else {
                out = runMlp(w, dense, x.reshape(b, flat), false);
            }
            NDList halves = out.split(2, 1);
            return new NDArray[] {halves.get(0), halves.get(1)};
        }
    }

    /** p(x|z): {@link #forward} maps codes [B, L] to examples in the data's batch shape (no output squashing). */
    static final class Decoder {
        final Parameters params;
        private final DataShape shape;
        private final Conv[] ups;
        private final Dense[] dense;
        private final int channels;

        Decoder(Parameters params, DataShape shape, VaeGanConfig c) {
            this.params = params;
            this.shape = shape;
            this.channels = c.channels();
            if (c.conv()) {
                int grid = 2 * channels * (shape.dims().get(1) / 4) * (shape.dims().get(2) / 4);
                dense = new Dense[] {Dense.create(params, "fc0", c.latentDim(), c.hidden()),
                    Dense.create(params, "fc1", c.hidden(), grid)};
                ups = new Conv[] {
                    Conv.create(params, "up0", Conv.Kind.UPSAMPLE, 2 * channels, channels, 3, 2, 1),
                    Conv.create(params, "up1", Conv.Kind.UPSAMPLE, channels, shape.dims().get(0), 3, 2, 1)};
            } else {
                ups = null;
                dense = mlp(params, c.latentDim(), c.hidden(), c.layers(), shape.size());
            }
        }

        NDArray forward(NDArray[] w, NDArray z) {
            long b = z.getShape().get(0);
            if (ups == null) {
                return runMlp(w, dense, z, false).reshape(shape.batchShape(b));
            }
            NDArray h = Activation.relu(dense[1].forward(w, Activation.relu(dense[0].forward(w, z))));
            h = h.reshape(b, 2 * channels, shape.dims().get(1) / 4, shape.dims().get(2) / 4);
            return ups[1].forward(w, Activation.relu(ups[0].forward(w, h)));
        }
    }

    /** D: {@link #forward} gives the hidden features [B, F] (the similarity metric) and logits [B]. */
    static final class Discriminator {
        final Parameters params;
        private final DataShape shape;
        private final Conv[] convs;
        private final Dense[] dense;
        private final int flat;

        Discriminator(Parameters params, DataShape shape, VaeGanConfig c) {
            this.params = params;
            this.shape = shape;
            if (c.conv()) {
                int ch = c.channels();
                flat = 2 * ch * (shape.dims().get(1) / 4) * (shape.dims().get(2) / 4);
                convs = downs(params, shape.dims().get(0), ch);
                dense = new Dense[] {Dense.create(params, "fc", flat, c.hidden()),
                    Dense.create(params, "out", c.hidden(), 1)};
            } else {
                flat = shape.size();
                convs = null;
                dense = mlp(params, flat, c.hidden(), c.layers(), 1);
            }
        }

        /** The features and logits of a batch. */
        record Out(NDArray features, NDArray logits) {}

        Out forward(NDArray[] w, NDArray x) {
            long b = x.getShape().get(0);
            if (convs != null) {
                NDArray h = Activation.leakyRelu(convs[0].forward(w, x.reshape(shape.batchShape(b))), LEAK);
                NDArray features = Activation.leakyRelu(convs[1].forward(w, h), LEAK).reshape(b, flat);
                NDArray d = Activation.leakyRelu(dense[0].forward(w, features), LEAK);
                return new Out(features, dense[1].forward(w, d).reshape(b));
            }
            NDArray features = runMlp(w, dense, x.reshape(b, flat), true);
            return new Out(features, dense[dense.length - 1].forward(w, features).reshape(b));
        }
    }

    /** @return two 4×4 stride-2 convolutions in → ch → 2·ch, each halving height and width */
    private static Conv[] downs(Parameters params, int in, int ch) {
        return new Conv[] {Conv.create(params, "conv0", Conv.Kind.DOWN, in, ch, 4, 2, 1),
            Conv.create(params, "conv1", Conv.Kind.DOWN, ch, 2 * ch, 4, 2, 1)};
    }

    /** @return a dense stack in → hidden × layers → out, named fc0, fc1, …, out */
    private static Dense[] mlp(Parameters params, int in, int hidden, int layers, int out) {
        Dense[] stack = new Dense[layers + 1];
        int width = in;
        for (int i = 0; i < layers; i++) {
            stack[i] = Dense.create(params, "fc" + i, width, hidden);
            width = hidden;
        }
        stack[layers] = Dense.create(params, "out", width, out);
        return stack;
    }

    /**
     * Runs a dense stack. {@code leaky}: the discriminator's flavour, which stops before the output layer
     * and returns the last hidden activations (its features); otherwise ReLU hidden layers and the output.
     */
    private static NDArray runMlp(NDArray[] w, Dense[] layers, NDArray x, boolean leaky) {
        NDArray h = x;
        int hiddenLayers = layers.length - 1;
        for (int i = 0; i < hiddenLayers; i++) {
            h = layers[i].forward(w, h);
            h = leaky ? Activation.leakyRelu(h, LEAK) : Activation.relu(h);
        }
        return leaky ? h : layers[hiddenLayers].forward(w, h);
    }
}
