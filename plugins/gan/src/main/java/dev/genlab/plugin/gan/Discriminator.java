package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.genlab.nn.Conv;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;

/**
 * The discriminator (critic): a trunk that maps a (possibly packed) input to a feature vector h, and a
 * head that maps h to one score.
 *
 * <ul>
 *   <li>Trunk: an MLP ({@code layers_d} × {@code hidden_d}) with LeakyReLU(0.2), ReLU (WGAN-GP's toy critic),
 *       tanh (the unrolled-GAN demo's) or maxout units (Goodfellow et al. 2013: each unit the maximum of
 *       {@code maxout_pieces} linear pieces, PacGAN's toy discriminator) for vectors, or DCGAN-style
 *       convolutions (4×4, stride 2, padding 1: C→c→2c channels, H×W → H/4×W/4) with LeakyReLU(0.2) (or
 *       ReLU) and no normalisation for images (batch norm would make the gradient penalty ill-defined).</li>
 *   <li>Head: optional minibatch standard deviation (Karras et al. 2018: the mean over features of the
 *       per-feature std across the batch, appended as one feature) and minibatch discrimination
 *       (Salimans et al. 2016: M = hT reshaped to A kernels × C dims, o_ia = mean_{j≠i}
 *       exp(−‖M_ia − M_ja‖₁), appended as A features; the mean over j ≠ i rather than the sum keeps it
 *       in [0, 1] whatever the batch size), then a linear score, plus the projection term
 *       ⟨E y, h⟩ of Miyato &amp; Koyama (2018) when conditional.</li>
 *   <li>Spectral normalisation (Miyato et al. 2018) divides every trunk weight and the output weight
 *       by σ = ‖Wᵀu‖, where u is a persistent estimate of the top left singular vector refreshed by power
 *       iteration at each discriminator update and treated as a constant when differentiating. Conv
 *       kernels are taken as (out, in·k·k) matrices. The minibatch-discrimination tensor and the class
 *       embedding are not normalised.</li>
 * </ul>
 * Weights are trainable entries and the power-iteration vectors buffers of the {@code discriminator} scope
 * of the model's {@link Parameters} (MLP weights are [in, out], used as x·W).
 *
 * <p><b>Hand-written vector-Jacobian products.</b> {@link #backward} computes ∂(Σ gᵢ·D(x)ᵢ)/∂x (and,
 * for the MLP, ∂/∂θ) from the {@link Trace} with ordinary array operations. Those results are
 * themselves differentiable, so the engine's first-order autograd differentiates through them: that is
 * how the WGAN-GP penalty (which needs ∂/∂θ of a function of ∂D/∂x) and unrolled updates that the
 * generator backpropagates through get their second-order terms, without the engine's create-graph
 * backward (see the package documentation for why).
 */
final class Discriminator {

    /** LeakyReLU slope. */
    static final float SLOPE = 0.2f;

    /** Negative-side slope of the trunk's units: {@link #SLOPE}, or 0 for {@code d_activation: relu}. */
    private final float slope;
    private final boolean conv;
    private final int inDim;
    private final int height;
    private final int width;
    private final int trunkLayers;
    /** Maxout pieces per MLP unit, 0 for the other units. */
    private final int pieces;
    /** tanh units in the MLP trunk. */
    private final boolean tanh;
    private final int unitWidth;
    private final int channels;
    private final boolean spectral;
    private final int mbdKernels;
    private final int mbdDim;
    private final boolean mbstd;
    private final int classes;
    private final int features;
    private final int headIn;
    /** This network's scope: its trainable weights, in the order {@link #forward} indexes them. */
    final Parameters weights;
    private final int mbd;
    private final int out;
    private final int embed;
    /** Indices of the spectrally normalised weights: the trunk weights, then the output weight. */
    private final int[] snTargets;
    /** Power-iteration vectors, shape (rows, 1), one per SN target; buffers, not trainable. */
    final NDArray[] u;

    /**
     * @param weights the (empty) scope this network creates its weights and buffers in
     * @param config the GAN's configuration
     * @param packedDims per-example input dims after packing: [m·d] or [m·C, H, W]
     */
    Discriminator(Parameters weights, GanConfig config, int[] packedDims) {
        this.conv = config.conv();
        this.spectral = config.spectralNorm();
        this.mbdKernels = config.minibatchDisc();
        this.mbdDim = config.minibatchDiscDim();
        this.mbstd = config.minibatchStddev();
        this.classes = config.conditional() ? config.numClasses() : 0;
        this.channels = config.channels();
        this.weights = weights;
        NDManager manager = weights.manager();
        int size = 1;
        for (int d : packedDims) {
            size *= d;
        }
        this.inDim = size;
        // init_orthogonal replaces every MLP weight's Gaussian (minibatch and embedding weights keep theirs).
        Init orthogonal = !conv && config.initOrthogonal() > 0 ? Init.orthogonal(config.initOrthogonal()) : null;
        if (conv) {
            int inChannels = packedDims[0];
            height = packedDims[1];
            width = packedDims[2];
            trunkLayers = 2;
            weights.add("conv1.weight", new Shape(channels, inChannels, 4, 4), Init.normal(0.02));
            weights.add("conv1.bias", new Shape(channels), Init.zeros());
            weights.add("conv2.weight", new Shape(2L * channels, channels, 4, 4), Init.normal(0.02));
            weights.add("conv2.bias", new Shape(2L * channels), Init.zeros());
            features = 2 * channels * (height / 4) * (width / 4);
        } else {
            height = 0;
            width = 0;
            trunkLayers = config.layersD();
            int fanIn = inDim;
            long outputs = (long) config.hiddenD() * Math.max(1, config.maxoutPieces());
            for (int l = 0; l < trunkLayers; l++) {
                weights.add("fc" + l + ".weight", new Shape(fanIn, outputs), orthogonal != null ? orthogonal
                        : Init.normal(config.initStd() > 0 ? config.initStd() : Math.sqrt(2.0 / fanIn)));
                weights.add("fc" + l + ".bias", new Shape(outputs), Init.zeros());
                fanIn = config.hiddenD();
            }
            features = config.hiddenD();
        }
        pieces = conv ? 0 : config.maxoutPieces();
        slope = config.dActivation().equals(GanConfig.RELU) ? 0f : SLOPE;
        tanh = config.dActivation().equals(GanConfig.TANH);
        unitWidth = conv ? 0 : config.hiddenD();
        int extra = (mbstd ? 1 : 0) + mbdKernels;
        headIn = features + extra;
        mbd = mbdKernels > 0
                ? weights.add("minibatch.T", new Shape(features, (long) mbdKernels * mbdDim),
                        Init.normal(1 / Math.sqrt(features)))
                : -1;
        out = weights.add("out.weight", new Shape(headIn, 1), orthogonal != null ? orthogonal
                : Init.normal(!conv && config.initStd() > 0 ? config.initStd() : 1 / Math.sqrt(headIn)));
        weights.add("out.bias", new Shape(1), Init.zeros());
        embed = classes > 0
                ? weights.add("embed", new Shape(classes, features), Init.normal(1 / Math.sqrt(features)))
                : -1;
        if (spectral) {
            snTargets = new int[trunkLayers + 1];
            for (int l = 0; l < trunkLayers; l++) {
                snTargets[l] = 2 * l;
            }
            snTargets[trunkLayers] = out;
            u = new NDArray[snTargets.length];
            NDArray[] w = weights.stored();
            for (int k = 0; k < snTargets.length; k++) {
                long rows = matrix(snTargets[k], w[snTargets[k]]).getShape().get(0);
                u[k] = weights.buffer("sn" + k + ".u", normalize(manager.randomNormal(new Shape(rows, 1))));
            }
            // A good σ estimate from the first step on: the weights are random, so a single iteration is far off.
            // In a scope of its own, so its ~2,000 intermediate arrays do not live as long as the model.
            try (NDManager scope = weights.open()) {
                powerIterate(50);
            }
        } else {
            snTargets = new int[0];
            u = new NDArray[0];
        }
    }

    /** @return the length of the feature vector h that feature matching compares */
    int features() {
        return features;
    }

    /**
     * @return true if each example's score depends on that example alone (no minibatch layers), so that
     *     real and generated inputs can share one forward pass
     */
    boolean batchIndependent() {
        return !mbstd && mbdKernels == 0;
    }

    /** @return whether parameter gradients ({@link #backward} with {@code params}) are available */
    boolean hasParamGradients() {
        return !conv;
    }

    /** The matrix whose top singular value spectral normalisation divides by. */
    private NDArray matrix(int index, NDArray w) {
        return conv && index < 2 * trunkLayers ? w.reshape(w.getShape().get(0), -1) : w;
    }

    private static NDArray normalize(NDArray x) {
        return x.div(x.square().sum().sqrt().add(1e-12f));
    }

    /**
     * Refreshes every u with {@code iterations} power iterations on the stored weights: v ← Wᵀu/‖Wᵀu‖,
     * u ← Wv/‖Wv‖. Runs outside any gradient recording; the stored weights never require gradients.
     */
    void powerIterate(int iterations) {
        NDArray[] w = weights.stored();
        for (int k = 0; k < snTargets.length; k++) {
            NDArray mat = matrix(snTargets[k], w[snTargets[k]]);
            NDArray current = u[k];
            for (int it = 0; it < iterations; it++) {
                NDArray v = normalize(mat.transpose().matMul(current));
                current = normalize(mat.matMul(v));
            }
            u[k].muli(0f).addi(current);
        }
    }

    /**
     * @param w this network's weights (stored arrays, views, or an unrolled copy)
     * @return σ of each spectrally normalised weight under the current u, for tests and logging
     */
    float[] sigmas(NDArray[] w) {
        float[] s = new float[snTargets.length];
        for (int k = 0; k < snTargets.length; k++) {
            s[k] = matrix(snTargets[k], w[snTargets[k]]).transpose().matMul(u[k]).square().sum().sqrt().getFloat();
        }
        return s;
    }

    /** @return the effective weights, i.e. after spectral normalisation, for tests */
    NDArray[] effective(NDArray[] w) {
        return forward(w, null, null, true).eff;
    }

    /** Intermediate values of one forward pass, kept for the hand-written backward pass. */
    static final class Trace {
        NDArray[] w;
        NDArray[] eff;
        NDArray[] sigma;
        NDArray[] v;
        NDArray[] a;
        NDArray[] z;
        NDArray h;
        NDArray hp;
        NDArray dev;
        NDArray std;
        NDArray diff;
        NDArray c;
        NDArray onehot;
        NDArray ey;
        NDArray logits;
        Shape inputShape;
    }

    /**
     * @param w weights (see {@link #weights})
     * @param x input, shape [n, ...packed dims]
     * @param onehot one-hot labels [n, K] if conditional, else null
     * @return the trace; {@code logits} has shape [n]
     */
    Trace forward(NDArray[] w, NDArray x, NDArray onehot) {
        return forward(w, x, onehot, false);
    }

    private Trace forward(NDArray[] w, NDArray x, NDArray onehot, boolean weightsOnly) {
        Trace t = new Trace();
        t.w = w;
        t.eff = w.clone();
        t.sigma = new NDArray[snTargets.length];
        t.v = new NDArray[snTargets.length];
        for (int k = 0; k < snTargets.length; k++) {
            int i = snTargets[k];
            NDArray wtu = matrix(i, w[i]).transpose().matMul(u[k]);
            t.sigma[k] = wtu.square().sum().sqrt();
            t.v[k] = wtu.div(t.sigma[k]);
            t.eff[i] = w[i].div(t.sigma[k]);
        }
        if (weightsOnly) {
            return t;
        }
        t.inputShape = x.getShape();
        long n = x.getShape().get(0);
        t.a = new NDArray[trunkLayers + 1];
        t.z = new NDArray[trunkLayers];
        NDArray a = conv ? x : x.reshape(n, inDim);
        t.a[0] = a;
        for (int l = 0; l < trunkLayers; l++) {
            NDArray z = conv
                    ? Conv.conv(a, t.eff[2 * l], t.eff[2 * l + 1], 2, 1)
                    : a.matMul(t.eff[2 * l]).add(t.eff[2 * l + 1]);
            t.z[l] = z;
            a = pieces > 0 ? z.reshape(n, unitWidth, pieces).max(new int[] {2})
                    : tanh ? Activation.tanh(z) : Activation.leakyRelu(z, slope);
            t.a[l + 1] = a;
        }
        NDArray h = a.reshape(n, features);
        t.h = h;
        NDList parts = new NDList(h);
        if (mbstd) {
            t.dev = h.sub(h.mean(new int[] {0}, true));
            t.std = t.dev.square().mean(new int[] {0}, true).add(1e-8f).sqrt();
            parts.add(h.get(":, 0:1").onesLike().mul(t.std.mean()));
        }
        if (mbdKernels > 0) {
            NDArray m = h.matMul(w[mbd]).reshape(n, mbdKernels, mbdDim);
            t.diff = m.expandDims(1).sub(m.expandDims(0)); // [i, j, a, c] = M_i − M_j
            t.c = t.diff.abs().sum(new int[] {3}).neg().exp(); // [i, j, a]
            parts.add(t.c.sum(new int[] {1}).sub(1f).div(Scalars.of(h, n - 1.0))); // exp(0) = 1 of j = i removed
        }
        t.hp = parts.size() == 1 ? h : NDArrays.concat(parts, 1);
        NDArray logits = t.hp.matMul(t.eff[out]).add(t.eff[out + 1]).reshape(n);
        if (classes > 0) {
            t.onehot = onehot;
            t.ey = onehot.matMul(w[embed]);
            logits = logits.add(t.ey.mul(h).sum(new int[] {1}));
        }
        t.logits = logits;
        return t;
    }

    /** Result of {@link #backward}: the input gradient and, if asked for, the weight gradients. */
    record Gradients(NDArray input, NDArray[] weights) {}

    /**
     * Vector-Jacobian products of the scores: with L = Σᵢ gᵢ·logitsᵢ, returns ∂L/∂x (shaped like the
     * input) and, if {@code params}, ∂L/∂w for every weight (through spectral normalisation). All results
     * are differentiable functions of the trace.
     *
     * @param g upstream gradient, shape [n]
     * @param params also compute weight gradients (MLP trunk only)
     */
    Gradients backward(Trace t, NDArray g, boolean params) {
        if (params && conv) {
            throw new UnsupportedOperationException("weight gradients are written out for the MLP only");
        }
        long n = t.h.getShape().get(0);
        NDArray[] grads = params ? new NDArray[t.w.length] : null;
        NDArray g2 = g.reshape(n, 1);
        NDArray dhp = g2.matMul(t.eff[out].transpose());
        NDArray dh = headIn == features ? dhp : dhp.get(":, 0:" + features);
        int col = features;
        if (mbstd) {
            NDArray total = dhp.get(":, " + col + ":" + (col + 1)).sum();
            // ∂s/∂h_bj = (h_bj − μ_j) / (n·F·σ_j); the μ_j term cancels because Σ_b (h_bj − μ_j) = 0.
            dh = dh.add(t.dev.div(t.std).mul(total).div(Scalars.of(dh, (double) n * features)));
            col++;
        }
        if (mbdKernels > 0) {
            NDArray dout = dhp.get(":, " + col + ":" + (col + mbdKernels)).div(Scalars.of(dhp, n - 1.0));
            // ∂L/∂M_kac = −Σ_j (g_ka + g_ja)·c_kja·sign(M_kac − M_jac), c symmetric in k, j.
            NDArray weight = dout.expandDims(1).add(dout.expandDims(0)).mul(t.c);
            NDArray dm = weight.expandDims(3).mul(t.diff.sign()).sum(new int[] {1}).neg()
                    .reshape(n, (long) mbdKernels * mbdDim);
            dh = dh.add(dm.matMul(t.w[mbd].transpose()));
            if (params) {
                grads[mbd] = t.h.transpose().matMul(dm);
            }
        }
        if (classes > 0) {
            dh = dh.add(t.ey.mul(g2));
            if (params) {
                grads[embed] = t.onehot.transpose().matMul(g2.mul(t.h));
            }
        }
        if (params) {
            grads[out] = t.hp.transpose().matMul(g2);
            grads[out + 1] = g.sum().reshape(1);
        }
        NDArray da = conv ? dh.reshape(n, 2L * channels, height / 4, width / 4) : dh;
        for (int l = trunkLayers - 1; l >= 0; l--) {
            // tanh' = 1 − a², itself a function of the weights: its own derivative reaches the unrolled G.
            NDArray dz = pieces > 0 ? maxoutBackward(da, t.z[l])
                    : tanh ? da.mul(t.a[l + 1].square().neg().add(1f)) : da.mul(slope(t.z[l]));
            if (params) {
                grads[2 * l] = t.a[l].transpose().matMul(dz);
                grads[2 * l + 1] = dz.sum(new int[] {0});
            }
            da = conv
                    ? Conv.transposed(dz, t.eff[2 * l], null, 2, 1)
                    : dz.matMul(t.eff[2 * l].transpose());
        }
        if (params) {
            for (int k = 0; k < snTargets.length; k++) {
                int i = snTargets[k];
                // W_eff = W/σ with σ = uᵀWv: ∂L/∂W = (G − ⟨G, W_eff⟩·u vᵀ)/σ, G = ∂L/∂W_eff.
                NDArray dEff = grads[i];
                grads[i] = dEff.sub(u[k].matMul(t.v[k].transpose()).mul(dEff.mul(t.eff[i]).sum()))
                        .div(t.sigma[k]);
            }
        }
        return new Gradients(da.reshape(t.inputShape), grads);
    }

    /** Routes each unit's upstream gradient to its largest piece (the argmax; ties have measure zero). */
    private NDArray maxoutBackward(NDArray da, NDArray z) {
        long n = z.getShape().get(0);
        NDArray winner = z.reshape(n, unitWidth, pieces).argMax(2).oneHot(pieces).toType(DataType.FLOAT32, false);
        return da.expandDims(2).mul(winner).reshape(n, (long) unitWidth * pieces);
    }

    private NDArray slope(NDArray z) {
        return z.gt(0f).toType(DataType.FLOAT32, false).mul(1 - slope).add(slope);
    }
}
