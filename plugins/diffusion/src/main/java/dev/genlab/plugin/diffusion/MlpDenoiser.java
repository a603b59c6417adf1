package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.genlab.nn.Dense;
import dev.genlab.nn.GroupNorm;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;
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

    private final Parameters params;
    private final int dim;
    private final int width;
    private final int octaves;
    private final Conditioning conditioning;
    private final Dense input;
    private final List<Block> blocks = new ArrayList<>();
    private final GroupNorm outNorm;
    private final Dense output;

    private record Block(GroupNorm norm, Dense first, Dense embed, Dense second) {}

    /**
     * @param p the scope that holds the network's parameters
     * @param dim flattened data dimension d
     * @param octaves F, Fourier feature frequencies per coordinate (0 for the raw input only)
     * @param width hidden units
     * @param depth residual blocks
     * @param timeDim sinusoidal embedding size
     * @param classes K, or 0 if unconditional
     */
    MlpDenoiser(Parameters p, int dim, int octaves, int width, int depth, int timeDim, int classes) {
        this.params = p;
        this.dim = dim;
        this.octaves = octaves;
        this.width = width;
        conditioning = Conditioning.of(p, timeDim, width, classes);
        input = Dense.create(p, "input", dim * (1 + 2 * octaves), width);
        for (int j = 0; j < depth; j++) {
            String n = "block" + j;
            blocks.add(new Block(GroupNorm.layer(p, n + ".norm", width),
                    Dense.create(p, n + ".dense1", width, width),
                    Dense.create(p, n + ".embed", width, width),
                    Dense.create(p, n + ".dense2", width, width)));
        }
        outNorm = GroupNorm.layer(p, "out.norm", width);
        output = Dense.create(p, "out.dense", width, dim, Init.zeros(), Init.zeros());
    }

    @Override
    public NDArray predict(NDArray[] p, NDArray x, NDArray timeEmbedding, NDArray classes) {
        long b = x.getShape().get(0);
        NDArray e = conditioning.apply(p, timeEmbedding, classes);
        NDArray h = input.forward(p, features(x.reshape(b, dim)));
        for (Block block : blocks) {
            NDArray inner = block.first().forward(p, Activation.gelu(block.norm().forward(p, h)))
                    .add(block.embed().forward(p, e));
            h = h.add(block.second().forward(p, Activation.gelu(inner)));
        }
        return output.forward(p, Activation.gelu(outNorm.forward(p, h))).reshape(x.getShape());
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
                + params.count() + " parameters)";
    }
}
