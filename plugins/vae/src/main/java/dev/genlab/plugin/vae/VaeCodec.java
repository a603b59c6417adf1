package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.LatentModel;

/**
 * Encoding to and decoding from the latent space: posterior means E_q[z|x] and decoder means E_p[x|z].
 * It is the {@link LatentModel} capability of an unconditional VAE and the {@link ConditionalModel}
 * capability of a conditional one (whose encoder needs labels, which the label-free {@code LatentModel}
 * contract cannot pass: use {@link #encode(NDArray, NDArray)} and {@link #decode(NDArray, NDArray)}).
 */
public final class VaeCodec implements LatentModel, ConditionalModel {

    private final VaeModel model;

    VaeCodec(VaeModel model) {
        this.model = model;
    }

    @Override
    public int numClasses() {
        return model.shape().numClasses();
    }

    @Override
    public int latentDim() {
        return model.config().latentDim();
    }

    @Override
    public NDArray encode(NDArray data) {
        return encode(data, null);
    }

    @Override
    public NDArray decode(NDArray latents) {
        return decode(latents, null);
    }

    /**
     * @param data examples {@code [B, ...]}
     * @param labels int labels {@code [B]} (needed by a conditional model, ignored otherwise)
     * @return posterior means {@code [B, L]}, on {@code data}'s manager
     */
    public NDArray encode(NDArray data, NDArray labels) {
        return model.posteriorMeans(data, labels);
    }

    /**
     * @param latents codes {@code [B, L]}
     * @param labels int labels {@code [B]} (needed by a conditional model, ignored otherwise)
     * @return decoder means {@code [B, ...]} in the data's scale, on {@code latents}' manager
     */
    public NDArray decode(NDArray latents, NDArray labels) {
        return model.decodeMeans(latents, labels);
    }
}
