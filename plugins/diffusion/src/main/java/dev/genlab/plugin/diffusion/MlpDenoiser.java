package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Residual MLP for flat vectors (2-D points, or any flattened data): Fourier features of the input, an
 * input projection to {@code width}, {@code depth} pre-norm residual blocks
 * h ← h + W₂·GELU(W₁·GELU(LN(h)) + P·e), and a zero-initialised output projection (so training starts
 * from ε̂ = 0, loss ≈ 1).
 *
 * <p>Fourier features (Tancik et al. 2020): each coordinate x also enters as sin(2ᵏπx) and cos(2ᵏπx) for
 * k = 0..F−1. Near a tight mode the ideal noise prediction at low noise is a steep sawtooth in x (slope
 * ≈ 1/σ_t, jumping between modes), which a plain MLP of modest width fits slowly; with these features
 * it is a simple function of the inputs.
 */
final class MlpDenoiser implements Denoiser {

    private final ParamLayout layout = new ParamLayout();
    private final int dim;
    private final int width;
    private final int octaves;
    private final Conditioning conditioning;
    private final Nn.Dense input;
    private final List<Block> blocks = new ArrayList<>();
    private final Nn.LayerNormalisation outNorm;
    private final Nn.Dense output;

    private record Block(Nn.LayerNormalisation norm, Nn.Dense first, Nn.Dense embed, Nn.Dense second) {}

    /**
     * @param dim flattened data dimension d
     * @param octaves F, Fourier feature frequencies per coordinate (0 for the raw input only)
     * @param width hidden units
     * @param depth residual blocks
     * @param timeDim sinusoidal embedding size
     * @param classes K, or 0 if unconditional
     */
    MlpDenoiser(int dim, int octaves, int width, int depth, int timeDim, int classes) {
        this.dim = dim;
        this.octaves = octaves;
        this.width = width;
        conditioning = Conditioning.of(layout, timeDim, width, classes);
        input = Nn.Dense.of(layout, "input", dim * (1 + 2 * octaves), width, false);
        for (int j = 0; j < depth; j++) {
            String n = "block" + j;
            blocks.add(new Block(Nn.LayerNormalisation.of(layout, n + ".norm", width),
                    Nn.Dense.of(layout, n + ".dense1", width, width, false),
                    Nn.Dense.of(layout, n + ".embed", width, width, false),
                    Nn.Dense.of(layout, n + ".dense2", width, width, false)));
        }
        outNorm = Nn.LayerNormalisation.of(layout, "out.norm", width);
        output = Nn.Dense.of(layout, "out.dense", width, dim, true);
    }

    @Override
    public ParamLayout layout() {
        return layout;
    }

    @Override
    public NDArray predict(NDArray[] p, NDArray x, NDArray timeEmbedding, NDArray classes) {
        long b = x.getShape().get(0);
        NDArray e = conditioning.apply(p, timeEmbedding, classes);
        NDArray h = input.apply(p, features(x.reshape(b, dim)));
        for (Block block : blocks) {
            NDArray inner = block.first().apply(p, Nn.gelu(block.norm().apply(p, h))).add(block.embed().apply(p, e));
            h = h.add(block.second().apply(p, Nn.gelu(inner)));
        }
        return output.apply(p, Nn.gelu(outNorm.apply(p, h))).reshape(x.getShape());
    }

    /** [x, sin(2ᵏπx), cos(2ᵏπx)] for k = 0..F−1, shape {@code [B, d (1 + 2F)]}. */
    private NDArray features(NDArray x) {
        if (octaves == 0) {
            return x;
        }
        float[] frequencies = new float[octaves];
        for (int k = 0; k < octaves; k++) {
            frequencies[k] = (float) (Math.PI * (1L << k));
        }
        long b = x.getShape().get(0);
        NDArray angles = x.reshape(b, dim, 1).mul(x.getManager().create(frequencies, new Shape(1, 1, octaves)))
                .reshape(b, (long) dim * octaves);
        return x.concat(angles.sin(), 1).concat(angles.cos(), 1);
    }

    @Override
    public String describe() {
        return "residual MLP (width " + width + ", " + blocks.size() + " blocks, " + octaves + " Fourier octaves, "
                + layout.count() + " parameters)";
    }
}
