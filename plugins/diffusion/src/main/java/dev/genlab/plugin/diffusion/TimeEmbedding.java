package dev.genlab.plugin.diffusion;

/**
 * Sinusoidal step embedding (Vaswani et al. 2017, as used by Ho et al. 2020): for frequencies
 * f_k = 10000^(−k/h), k = 0..h−1 with h = dim/2, the vector [sin(τ f_k)..., cos(τ f_k)...]. The step
 * is first mapped to τ = i · 1000 / T, so the frequencies suit any T the way they suit T = 1000.
 * Computed on the host: it is tiny, and it avoids gather ops on the device.
 */
final class TimeEmbedding {

    private final int dim;
    private final double scale;
    private final double[] frequencies;

    /**
     * @param dim embedding size, even and at least 2
     * @param timesteps T
     */
    TimeEmbedding(int dim, int timesteps) {
        if (dim < 2 || dim % 2 != 0) {
            throw new IllegalArgumentException("time_dim must be even and >= 2, got " + dim);
        }
        this.dim = dim;
        this.scale = 1000.0 / timesteps;
        int half = dim / 2;
        frequencies = new double[half];
        for (int k = 0; k < half; k++) {
            frequencies[k] = Math.exp(-Math.log(10000.0) * k / half);
        }
    }

    /** @return the embedding size */
    int dim() {
        return dim;
    }

    /**
     * @param steps 0-based steps, one per example
     * @return row-major {@code [steps.length, dim]}
     */
    float[] embed(int[] steps) {
        int half = dim / 2;
        float[] out = new float[steps.length * dim];
        for (int i = 0; i < steps.length; i++) {
            double tau = steps[i] * scale;
            for (int k = 0; k < half; k++) {
                out[i * dim + k] = (float) Math.sin(tau * frequencies[k]);
                out[i * dim + half + k] = (float) Math.cos(tau * frequencies[k]);
            }
        }
        return out;
    }

    /**
     * @param step one 0-based step shared by a whole batch
     * @param batch B
     * @return row-major {@code [batch, dim]}
     */
    float[] embed(int step, int batch) {
        // One row computed and copied: a sampler asks for this at every step, for batches of hundreds.
        float[] row = embed(new int[] {step});
        float[] out = new float[batch * dim];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(row, 0, out, i * dim, dim);
        }
        return out;
    }
}
