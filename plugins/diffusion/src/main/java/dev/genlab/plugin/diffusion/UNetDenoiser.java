package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.genlab.nn.Conv;
import dev.genlab.nn.Dense;
import dev.genlab.nn.GroupNorm;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * A small U-Net-style convolutional denoiser for C×H×W images, sized for CPU budgets.
 *
 * <p>A patch embedding (a full-resolution 3×3 convolution to {@code channels}/2 maps, then a p×p one with
 * stride p; just a 3×3 convolution for p = 1) maps the image to {@code channels} maps at H/p; level 0 runs
 * {@code blocks} residual blocks there, a strided 3×3 convolution halves the resolution and doubles the
 * channels, level 1 runs {@code blocks} residual blocks and one middle block; the way up mirrors it, adding
 * (not concatenating: half the cost) each level's skip before its blocks, with a learned 2×2 transposed
 * convolution of stride 2 between levels, a p×p one of stride p back to {@code channels}/2 full-resolution
 * maps (genlab-nn's exact transposed convolution; kernel = stride, so each input pixel becomes its own
 * patch, initialised U(±1/√in) since each output sees one input pixel's channels) and a
 * zero-initialised 3×3 convolution to pixels. The two full-resolution convolutions cost little and let
 * neighbouring pixels of different patches interact. Residual blocks are GN → GELU → conv3 (+ projected
 * conditioning) → GN → GELU → conv3 (zero-initialised, so each block starts as the identity), as in Ho et
 * al. (2020) without attention, which costs too much on a CPU at this size. With p = 2 and 32 channels a
 * 28×28 example costs about 40 MFLOP per forward pass (24 channels: about 25).
 */
final class UNetDenoiser implements Denoiser {

    /** Largest number of channel groups of a group normalisation. */
    private static final int GROUPS = 8;

    private final Parameters params;
    private final int channels;
    private final int patch;
    private final Conditioning conditioning;
    /** Full-resolution 3×3 convolution before patching (null for p = 1). */
    private final Conv stemPixels;
    private final Conv stemConv;
    private final Conv down;
    private final Conv up;
    private final List<ResBlock> level0Down = new ArrayList<>();
    private final List<ResBlock> level1Down = new ArrayList<>();
    private final ResBlock middle;
    private final List<ResBlock> level1Up = new ArrayList<>();
    private final List<ResBlock> level0Up = new ArrayList<>();
    private final GroupNorm outNorm;
    private final Conv outConv;
    private final Conv outUnpatch;
    /** Full-resolution 3×3 convolution after un-patching (null for p = 1). */
    private final Conv outPixels;

    /** One residual block at a fixed channel count. */
    private record ResBlock(GroupNorm norm1, Conv conv1, Dense embed, GroupNorm norm2, Conv conv2, int channels) {

        static ResBlock of(Parameters p, String name, int channels, int embedDim) {
            return new ResBlock(norm(p, name + ".norm1", channels),
                    conv(p, name + ".conv1", channels, channels, 3, 1, 1),
                    Dense.create(p, name + ".embed", embedDim, channels),
                    norm(p, name + ".norm2", channels),
                    Conv.create(p, name + ".conv2", Conv.Kind.DOWN, channels, channels, 3, 1, 1, Init.zeros(),
                            Init.zeros()),
                    channels);
        }

        NDArray apply(NDArray[] p, NDArray x, NDArray e) {
            long b = x.getShape().get(0);
            NDArray h = conv1.forward(p, Activation.gelu(norm1.forward(p, x)));
            h = h.add(embed.forward(p, e).reshape(b, channels, 1, 1));
            h = conv2.forward(p, Activation.gelu(norm2.forward(p, h)));
            return x.add(h);
        }
    }

    private static GroupNorm norm(Parameters p, String name, int channels) {
        return GroupNorm.create(p, name, channels, GroupNorm.groupsUpTo(channels, GROUPS));
    }

    /** A plain convolution with PyTorch's default initialisation. */
    private static Conv conv(Parameters p, String name, int in, int out, int k, int stride, int padding) {
        return Conv.create(p, name, Conv.Kind.DOWN, in, out, k, stride, padding);
    }

    /** A k×k transposed convolution of stride k: each input pixel becomes its own k×k patch of the output. */
    private static Conv unpatch(Parameters p, String name, int in, int out, int k) {
        Init init = Init.fanIn(in);
        return Conv.create(p, name, Conv.Kind.TRANSPOSED, in, out, k, k, 0, init, init);
    }

    /**
     * @param p the scope that holds the network's parameters
     * @param imageChannels C of the data
     * @param channels base channel count (level 0; level 1 has twice as many)
     * @param blocks residual blocks per level and direction
     * @param patch p, the stem's stride: 1 (full resolution) to 4
     * @param timeDim sinusoidal embedding size
     * @param classes K, or 0 if unconditional
     */
    UNetDenoiser(Parameters p, int imageChannels, int channels, int blocks, int patch, int timeDim, int classes) {
        this.params = p;
        this.channels = channels;
        this.patch = patch;
        int embedDim = 4 * channels;
        int wide = 2 * channels;
        conditioning = Conditioning.of(p, timeDim, embedDim, classes);
        int pixelChannels = Math.max(1, channels / 2);
        if (patch == 1) {
            stemPixels = null;
            stemConv = conv(p, "stem", imageChannels, channels, 3, 1, 1);
        } else {
            stemPixels = conv(p, "stem.pixels", imageChannels, pixelChannels, 3, 1, 1);
            stemConv = conv(p, "stem", pixelChannels, channels, patch, patch, 0);
        }
        for (int j = 0; j < blocks; j++) {
            level0Down.add(ResBlock.of(p, "down0." + j, channels, embedDim));
        }
        down = conv(p, "down", channels, wide, 3, 2, 1);
        for (int j = 0; j < blocks; j++) {
            level1Down.add(ResBlock.of(p, "down1." + j, wide, embedDim));
        }
        middle = ResBlock.of(p, "middle", wide, embedDim);
        for (int j = 0; j < blocks; j++) {
            level1Up.add(ResBlock.of(p, "up1." + j, wide, embedDim));
        }
        up = unpatch(p, "up", wide, channels, 2);
        for (int j = 0; j < blocks; j++) {
            level0Up.add(ResBlock.of(p, "up0." + j, channels, embedDim));
        }
        outNorm = norm(p, "out.norm", channels);
        if (patch == 1) {
            outConv = Conv.create(p, "out", Conv.Kind.DOWN, channels, imageChannels, 3, 1, 1, Init.zeros(),
                    Init.zeros());
            outUnpatch = null;
            outPixels = null;
        } else {
            outConv = null;
            outUnpatch = unpatch(p, "out.unpatch", channels, pixelChannels, patch);
            outPixels = Conv.create(p, "out", Conv.Kind.DOWN, pixelChannels, imageChannels, 3, 1, 1, Init.zeros(),
                    Init.zeros());
        }
    }

    @Override
    public NDArray predict(NDArray[] p, NDArray x, NDArray timeEmbedding, NDArray classes) {
        NDArray e = conditioning.apply(p, timeEmbedding, classes);
        NDArray h = stemPixels == null ? stemConv.forward(p, x)
                : stemConv.forward(p, Activation.gelu(stemPixels.forward(p, x)));
        for (ResBlock block : level0Down) {
            h = block.apply(p, h, e);
        }
        NDArray skip0 = h;
        h = down.forward(p, h);
        for (ResBlock block : level1Down) {
            h = block.apply(p, h, e);
        }
        NDArray skip1 = h;
        h = middle.apply(p, h, e).add(skip1);
        for (ResBlock block : level1Up) {
            h = block.apply(p, h, e);
        }
        h = up.forward(p, h).add(skip0);
        for (ResBlock block : level0Up) {
            h = block.apply(p, h, e);
        }
        h = Activation.gelu(outNorm.forward(p, h));
        return outConv != null ? outConv.forward(p, h)
                : outPixels.forward(p, Activation.gelu(outUnpatch.forward(p, h)));
    }

    @Override
    public String describe() {
        return "U-Net (channels " + channels + "/" + 2 * channels + ", " + level0Down.size()
                + " blocks per level, patch " + patch + ", " + params.count() + " parameters)";
    }
}
