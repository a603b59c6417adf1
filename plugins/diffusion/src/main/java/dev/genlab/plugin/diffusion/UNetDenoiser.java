package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
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
 * convolution between levels, a p×p one back to {@code channels}/2 full-resolution maps and a
 * zero-initialised 3×3 convolution to pixels. The two full-resolution convolutions cost little and let
 * neighbouring pixels of different patches interact. Residual blocks are GN → GELU → conv3 (+ projected
 * conditioning) → GN → GELU → conv3 (zero-initialised, so each block starts as the identity), as in Ho et
 * al. (2020) without attention, which costs too much on a CPU at this size. With p = 2 and 32 channels a
 * 28×28 example costs about 40 MFLOP per forward pass (24 channels: about 25).
 */
final class UNetDenoiser implements Denoiser {

    private final ParamLayout layout = new ParamLayout();
    private final int channels;
    private final int patch;
    private final Conditioning conditioning;
    /** Full-resolution 3×3 convolution before patching (null for p = 1). */
    private final Nn.Conv stemPixels;
    private final Nn.Conv stemConv;
    private final Nn.Conv down;
    private final Nn.Unpatch up;
    private final List<ResBlock> level0Down = new ArrayList<>();
    private final List<ResBlock> level1Down = new ArrayList<>();
    private final ResBlock middle;
    private final List<ResBlock> level1Up = new ArrayList<>();
    private final List<ResBlock> level0Up = new ArrayList<>();
    private final Nn.GroupNormalisation outNorm;
    private final Nn.Conv outConv;
    private final Nn.Unpatch outUnpatch;
    /** Full-resolution 3×3 convolution after un-patching (null for p = 1). */
    private final Nn.Conv outPixels;

    /** One residual block at a fixed channel count. */
    private record ResBlock(Nn.GroupNormalisation norm1, Nn.Conv conv1, Nn.Dense embed,
            Nn.GroupNormalisation norm2, Nn.Conv conv2, int channels) {

        static ResBlock of(ParamLayout layout, String name, int channels, int embedDim) {
            return new ResBlock(Nn.GroupNormalisation.of(layout, name + ".norm1", channels),
                    Nn.Conv.of(layout, name + ".conv1", channels, channels, 3, 1, 1, false),
                    Nn.Dense.of(layout, name + ".embed", embedDim, channels, false),
                    Nn.GroupNormalisation.of(layout, name + ".norm2", channels),
                    Nn.Conv.of(layout, name + ".conv2", channels, channels, 3, 1, 1, true),
                    channels);
        }

        NDArray apply(NDArray[] p, NDArray x, NDArray e) {
            long b = x.getShape().get(0);
            NDArray h = conv1.apply(p, Nn.gelu(norm1.apply(p, x)));
            h = h.add(embed.apply(p, e).reshape(b, channels, 1, 1));
            h = conv2.apply(p, Nn.gelu(norm2.apply(p, h)));
            return x.add(h);
        }
    }

    /**
     * @param imageChannels C of the data
     * @param channels base channel count (level 0; level 1 has twice as many)
     * @param blocks residual blocks per level and direction
     * @param patch p, the stem's stride: 1 (full resolution) to 4
     * @param timeDim sinusoidal embedding size
     * @param classes K, or 0 if unconditional
     */
    UNetDenoiser(int imageChannels, int channels, int blocks, int patch, int timeDim, int classes) {
        this.channels = channels;
        this.patch = patch;
        int embedDim = 4 * channels;
        int wide = 2 * channels;
        conditioning = Conditioning.of(layout, timeDim, embedDim, classes);
        int pixelChannels = Math.max(1, channels / 2);
        if (patch == 1) {
            stemPixels = null;
            stemConv = Nn.Conv.of(layout, "stem", imageChannels, channels, 3, 1, 1, false);
        } else {
            stemPixels = Nn.Conv.of(layout, "stem.pixels", imageChannels, pixelChannels, 3, 1, 1, false);
            stemConv = Nn.Conv.of(layout, "stem", pixelChannels, channels, patch, patch, 0, false);
        }
        for (int j = 0; j < blocks; j++) {
            level0Down.add(ResBlock.of(layout, "down0." + j, channels, embedDim));
        }
        down = Nn.Conv.of(layout, "down", channels, wide, 3, 2, 1, false);
        for (int j = 0; j < blocks; j++) {
            level1Down.add(ResBlock.of(layout, "down1." + j, wide, embedDim));
        }
        middle = ResBlock.of(layout, "middle", wide, embedDim);
        for (int j = 0; j < blocks; j++) {
            level1Up.add(ResBlock.of(layout, "up1." + j, wide, embedDim));
        }
        up = Nn.Unpatch.of(layout, "up", wide, channels, 2, false);
        for (int j = 0; j < blocks; j++) {
            level0Up.add(ResBlock.of(layout, "up0." + j, channels, embedDim));
        }
        outNorm = Nn.GroupNormalisation.of(layout, "out.norm", channels);
        if (patch == 1) {
            outConv = Nn.Conv.of(layout, "out", channels, imageChannels, 3, 1, 1, true);
            outUnpatch = null;
            outPixels = null;
        } else {
            outConv = null;
            outUnpatch = Nn.Unpatch.of(layout, "out.unpatch", channels, pixelChannels, patch, false);
            outPixels = Nn.Conv.of(layout, "out", pixelChannels, imageChannels, 3, 1, 1, true);
        }
    }

    @Override
    public ParamLayout layout() {
        return layout;
    }

    @Override
    public NDArray predict(NDArray[] p, NDArray x, NDArray timeEmbedding, NDArray classes) {
        NDArray e = conditioning.apply(p, timeEmbedding, classes);
        NDArray h = stemPixels == null ? stemConv.apply(p, x) : stemConv.apply(p, Nn.gelu(stemPixels.apply(p, x)));
        for (ResBlock block : level0Down) {
            h = block.apply(p, h, e);
        }
        NDArray skip0 = h;
        h = down.apply(p, h);
        for (ResBlock block : level1Down) {
            h = block.apply(p, h, e);
        }
        NDArray skip1 = h;
        h = middle.apply(p, h, e).add(skip1);
        for (ResBlock block : level1Up) {
            h = block.apply(p, h, e);
        }
        h = up.apply(p, h).add(skip0);
        for (ResBlock block : level0Up) {
            h = block.apply(p, h, e);
        }
        h = Nn.gelu(outNorm.apply(p, h));
        return outConv != null ? outConv.apply(p, h) : outPixels.apply(p, Nn.gelu(outUnpatch.apply(p, h)));
    }

    @Override
    public String describe() {
        return "U-Net (channels " + channels + "/" + 2 * channels + ", " + level0Down.size()
                + " blocks per level, patch " + patch + ", " + layout.count() + " parameters)";
    }
}
