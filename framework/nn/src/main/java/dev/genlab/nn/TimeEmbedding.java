package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Sinusoidal time (or position) embedding (Vaswani et al. 2017, as used for diffusion steps by Ho et al. 2020):
 * for frequencies f_k = 10000^(−k/h), k = 0..h−1 with h = dim/2, the vector [sin(τ f_k)..., cos(τ f_k)...].
 * A step i of a T-step chain is first mapped to τ = i · 1000 / T ({@link #TimeEmbedding(int, int)}), so the
 * frequencies suit any T the way they suit T = 1000; {@link #ofScale} sets another factor (e.g. 1000 for a
 * continuous time in [0, 1]). Computed on the host: it is tiny, and it avoids gather ops on the device.
 */
public final class TimeEmbedding {

    private final int dim;
    private final double scale;
    private final double[] frequencies;

    /**
     * @param dim embedding size, even and at least 2
     * @param timesteps T, the chain's length: step i is embedded at τ = i · 1000 / T
     */
    public TimeEmbedding(int dim, int timesteps) {
        this(dim, 1000.0 / requirePositive(timesteps));
    }

    private TimeEmbedding(int dim, double scale) {
        if (dim < 2 || dim % 2 != 0) {
            throw new IllegalArgumentException("the embedding size must be even and >= 2, got " + dim);
        }
        this.dim = dim;
        this.scale = scale;
        int half = dim / 2;
        frequencies = new double[half];
        for (int k = 0; k < half; k++) {
            frequencies[k] = Math.exp(-Math.log(10000.0) * k / half);
        }
    }

    /**
     * @param dim embedding size, even and at least 2
     * @param scale τ = time · scale
     * @return the embedding
     */
    public static TimeEmbedding ofScale(int dim, double scale) {
        return new TimeEmbedding(dim, scale);
    }

    private static int requirePositive(int timesteps) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be >= 1, got " + timesteps);
        }
        return timesteps;
    }

    /** @return the embedding size */
    public int dim() {
        return dim;
    }

    /**
     * @param times one time (or 0-based step) per example, before scaling
     * @return row-major {@code [times.length, dim]}
     */
    public float[] embed(double[] times) {
        int half = dim / 2;
        float[] out = new float[times.length * dim];
        for (int i = 0; i < times.length; i++) {
            double tau = times[i] * scale;
            for (int k = 0; k < half; k++) {
                out[i * dim + k] = (float) Math.sin(tau * frequencies[k]);
                out[i * dim + half + k] = (float) Math.cos(tau * frequencies[k]);
            }
        }
        return out;
    }

    /**
     * @param steps 0-based steps, one per example
     * @return row-major {@code [steps.length, dim]}
     */
    public float[] embed(int[] steps) {
        double[] times = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            times[i] = steps[i];
        }
        return embed(times);
    }

    /**
     * @param step one 0-based step shared by a whole batch
     * @param batch B
     * @return row-major {@code [batch, dim]}
     */
    public float[] embed(int step, int batch) {
        // One row computed and copied: a sampler asks for this at every step, for batches of hundreds.
        float[] row = embed(new int[] {step});
        float[] out = new float[batch * dim];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(row, 0, out, i * dim, dim);
        }
        return out;
    }

    /** @return {@link #embed(int[])} as a {@code [B, dim]} array on {@code manager} */
    public NDArray create(NDManager manager, int[] steps) {
        return manager.create(embed(steps), new Shape(steps.length, dim));
    }

    /** @return {@link #embed(int, int)} as a {@code [batch, dim]} array on {@code manager} */
    public NDArray create(NDManager manager, int step, int batch) {
        return manager.create(embed(step, batch), new Shape(batch, dim));
    }
}
