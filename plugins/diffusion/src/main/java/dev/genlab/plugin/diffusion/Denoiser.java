package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * A noise-prediction network ε_θ(x_t, t, y). Its parameters are described by {@link #layout()}; the
 * forward pass reads them from whichever weight array it is given (trained or EMA).
 */
interface Denoiser {

    /** @return the network's parameter tensors */
    ParamLayout layout();

    /**
     * @param weights tensors of {@link #layout()}
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
