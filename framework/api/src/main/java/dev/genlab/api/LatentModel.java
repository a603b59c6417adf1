package dev.genlab.api;

import ai.djl.ndarray.NDArray;

/** Capability of paradigms with an explicit latent space (VAEs). Arrays are owned by the caller. */
public interface LatentModel {

    /** @return the latent dimension */
    int latentDim();

    /**
     * @param data examples {@code [B, ...]}
     * @return latent codes (posterior means) {@code [B, latentDim]}
     */
    NDArray encode(NDArray data);

    /**
     * @param latents codes {@code [B, latentDim]}
     * @return decoded examples {@code [B, ...]}
     */
    NDArray decode(NDArray latents);
}
