package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * Group normalisation (Wu &amp; He 2018) with a learned per-channel gain and shift, functional like {@link Dense}:
 * an input {@code [B, C, ...]} is normalised per example over each group of C/G channels (and every further
 * axis), then scaled and shifted per channel. Batch-independent, so training and sampling behave the same at
 * any batch size. With one group on {@code [B, F]} it is layer normalisation over the features
 * ({@link #layer}), run as the engine's fused layer norm.
 *
 * @param gain index of the gain [C] (initialised to ones)
 * @param shift index of the shift [C] (initialised to zeros)
 * @param channels C
 * @param groups G, dividing C
 */
public record GroupNorm(int gain, int shift, int channels, int groups) {

    /** ε added to the variance, PyTorch's default. */
    public static final float EPS = 1e-5f;

    public GroupNorm {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(groups + " groups do not divide " + channels + " channels");
        }
    }

    /** @return group normalisation with parameters {@code name.weight} (gain) and {@code name.bias} (shift) */
    public static GroupNorm create(Parameters p, String name, int channels, int groups) {
        int g = p.add(name + ".weight", new Shape(channels), Init.constant(1));
        int s = p.add(name + ".bias", new Shape(channels), Init.zeros());
        return new GroupNorm(g, s, channels, groups);
    }

    /** @return layer normalisation over the last axis of {@code [B, features]} (one group) */
    public static GroupNorm layer(Parameters p, String name, int features) {
        return create(p, name, features, 1);
    }

    /** @return the largest divisor of {@code channels} not above {@code max} (small nets keep several channels per group) */
    public static int groupsUpTo(int channels, int max) {
        for (int g = Math.min(max, channels); g > 1; g--) {
            if (channels % g == 0) {
                return g;
            }
        }
        return 1;
    }

    /**
     * @param w the scope's arrays
     * @param x {@code [B, C, ...]}
     * @return the normalised x, same shape
     */
    public NDArray forward(NDArray[] w, NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() == 2 && groups == 1) {
            return LayerNorm.layerNorm(x, new Shape(channels), w[gain], w[shift], EPS).singletonOrThrow();
        }
        long b = s.get(0);
        long perGroup = s.size() / b / groups;
        // The engine's fused layer norm over each group's values: about twice as fast as composing mean and
        // variance from elementwise ops; its unit gain and zero shift are plain constants.
        NDManager m = x.getManager();
        NDArray normed = LayerNorm.layerNorm(x.reshape(b, groups, perGroup), new Shape(perGroup),
                m.ones(new Shape(perGroup)), m.zeros(new Shape(perGroup)), EPS).singletonOrThrow().reshape(s);
        long[] perChannel = new long[s.dimension()];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = channels;
        Shape c = new Shape(perChannel);
        return normed.mul(w[gain].reshape(c)).add(w[shift].reshape(c));
    }
}
