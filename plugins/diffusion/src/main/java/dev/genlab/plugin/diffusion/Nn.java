package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;

/**
 * The layers the denoisers are built from, as small records of parameter indices into a
 * {@link ParamLayout}: each registers its tensors when created and applies itself to any weight array
 * of that layout (trained or averaged). Functional ops only; no state beyond the indices.
 */
final class Nn {

    private static final float NORM_EPS = 1e-5f;

    private Nn() {}

    /** GELU: a single native kernel in the PyTorch engine (cheaper than composing SiLU from sigmoid). */
    static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /**
     * Fully connected layer x·W + b, with W of shape {@code [in, out]}.
     *
     * @param weight index of W
     * @param bias index of b
     */
    record Dense(int weight, int bias) {
        static Dense of(ParamLayout layout, String name, int in, int out, boolean zero) {
            ParamLayout.Init init = zero ? ParamLayout.Init.ZERO : ParamLayout.Init.FAN_IN_UNIFORM;
            int w = layout.add(name + ".weight", new Shape(in, out), init, in);
            int b = layout.add(name + ".bias", new Shape(out), zero ? ParamLayout.Init.ZERO
                    : ParamLayout.Init.FAN_IN_UNIFORM, in);
            return new Dense(w, b);
        }

        NDArray apply(NDArray[] p, NDArray x) {
            return x.matMul(p[weight]).add(p[bias]);
        }
    }

    /**
     * 2-D convolution with square kernel, weight {@code [out, in, k, k]}.
     *
     * @param weight index of the kernel
     * @param bias index of the bias
     * @param stride stride in both directions
     * @param pad zero padding in both directions
     */
    record Conv(int weight, int bias, int stride, int pad) {
        static Conv of(ParamLayout layout, String name, int in, int out, int kernel, int stride, int pad,
                boolean zero) {
            long fanIn = (long) in * kernel * kernel;
            ParamLayout.Init init = zero ? ParamLayout.Init.ZERO : ParamLayout.Init.FAN_IN_UNIFORM;
            int w = layout.add(name + ".weight", new Shape(out, in, kernel, kernel), init, fanIn);
            int b = layout.add(name + ".bias", new Shape(out), init, fanIn);
            return new Conv(w, b, stride, pad);
        }

        NDArray apply(NDArray[] p, NDArray x) {
            return Conv2d.conv2d(x, p[weight], p[bias], new Shape(stride, stride), new Shape(pad, pad),
                    new Shape(1, 1), 1).singletonOrThrow();
        }
    }

    /**
     * A transposed convolution whose kernel equals its stride k (each input pixel becomes its own k×k
     * patch): a 1×1 convolution to {@code out·k·k} channels followed by depth-to-space. The PyTorch
     * engine of DJL does not implement transposed convolution, and for kernel = stride the two are the
     * same linear map. The U-Net's learned upsampling and its output un-patching.
     *
     * @param weight index of the {@code [out·k·k, in, 1, 1]} kernel
     * @param bias index of the per-output-channel bias
     * @param out output channels
     * @param stride k
     */
    record Unpatch(int weight, int bias, int out, int stride) {
        static Unpatch of(ParamLayout layout, String name, int in, int out, int stride, boolean zero) {
            ParamLayout.Init init = zero ? ParamLayout.Init.ZERO : ParamLayout.Init.FAN_IN_UNIFORM;
            int w = layout.add(name + ".weight", new Shape((long) out * stride * stride, in, 1, 1), init, in);
            int b = layout.add(name + ".bias", new Shape(out), init, in);
            return new Unpatch(w, b, out, stride);
        }

        NDArray apply(NDArray[] p, NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0);
            long h = s.get(2);
            long w = s.get(3);
            NDArray y = Conv2d.conv2d(x, p[weight]).singletonOrThrow();
            // [B, out·k·k, H, W] → [B, out, k, k, H, W] → [B, out, H, k, W, k] → [B, out, H·k, W·k]
            y = y.reshape(b, out, stride, stride, h, w).transpose(0, 1, 4, 2, 5, 3)
                    .reshape(b, out, h * stride, w * stride);
            return y.add(p[bias].reshape(1, out, 1, 1));
        }
    }

    /**
     * Layer normalisation over the last axis with a learned gain and shift (the MLP's blocks).
     *
     * @param gain index of the gain
     * @param shift index of the shift
     * @param features size of the last axis
     */
    record LayerNormalisation(int gain, int shift, int features) {
        static LayerNormalisation of(ParamLayout layout, String name, int features) {
            int g = layout.add(name + ".gain", new Shape(features), ParamLayout.Init.ONE, 1);
            int s = layout.add(name + ".shift", new Shape(features), ParamLayout.Init.ZERO, 1);
            return new LayerNormalisation(g, s, features);
        }

        NDArray apply(NDArray[] p, NDArray x) {
            return LayerNorm.layerNorm(x, new Shape(features), p[gain], p[shift], NORM_EPS).singletonOrThrow();
        }
    }

    /**
     * Group normalisation (Wu &amp; He 2018) of {@code [B, C, H, W]} maps: statistics per example over
     * groups of channels, then a per-channel gain and shift. Batch-independent, so training and sampling
     * behave the same at any batch size.
     *
     * @param gain index of the gain
     * @param shift index of the shift
     * @param channels C
     * @param groups number of groups, dividing C
     */
    record GroupNormalisation(int gain, int shift, int channels, int groups) {
        static GroupNormalisation of(ParamLayout layout, String name, int channels) {
            int g = layout.add(name + ".gain", new Shape(channels), ParamLayout.Init.ONE, 1);
            int s = layout.add(name + ".shift", new Shape(channels), ParamLayout.Init.ZERO, 1);
            return new GroupNormalisation(g, s, channels, groupsFor(channels));
        }

        /** The largest divisor of C not above 8: small nets keep several channels per group. */
        static int groupsFor(int channels) {
            for (int g = Math.min(8, channels); g > 1; g--) {
                if (channels % g == 0) {
                    return g;
                }
            }
            return 1;
        }

        NDArray apply(NDArray[] p, NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0);
            long perGroup = s.size() / b / groups;
            // The engine's fused layer norm over each group's values: about twice as fast as composing
            // mean and variance from elementwise ops; its unit gain and zero shift are plain constants.
            NDManager m = x.getManager();
            NDArray normed = LayerNorm.layerNorm(x.reshape(b, groups, perGroup), new Shape(perGroup),
                    m.ones(new Shape(perGroup)), m.zeros(new Shape(perGroup)), NORM_EPS).singletonOrThrow()
                    .reshape(s);
            return normed.mul(p[gain].reshape(1, channels, 1, 1)).add(p[shift].reshape(1, channels, 1, 1));
        }
    }
}
