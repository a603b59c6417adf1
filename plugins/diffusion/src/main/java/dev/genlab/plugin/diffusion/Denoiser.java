package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * A noise-prediction network ε_θ(x_t, t, y). Its parameters live in the {@link dev.genlab.nn.Parameters}
 * scope it was created in; the forward pass reads them from whichever arrays of that scope it is given (the
 * stored weights, their differentiable views, or their moving average).
 */
interface Denoiser {

    /**
     * @param weights the scope's arrays, in {@code stored()} order
     * @param x noisy inputs, {@code [B, ...]} in the model's (normalised) coordinates
     * @param timeEmbedding sinusoidal embedding of each example's step, {@code [B, timeDim]}
     * @param classes one-hot labels {@code [B, K + 1]} (index K = "no label") for a conditional network,
     *     else null
     * @return the predicted noise, same shape as {@code x}
     */
    NDArray predict(NDArray[] weights, NDArray x, NDArray timeEmbedding, NDArray classes);

    /** @return a one-line description of the architecture, for logs */
    String describe();
}
