/**
 * The VAE-GAN paradigm plugin {@code vaegan} ({@link dev.genlab.plugin.vaegan.VaeGanProvider}): Larsen et
 * al., "Autoencoding beyond pixels using a learned similarity metric" (ICML 2016). It is meant to be installed
 * from a plugins folder, like a third-party plugin: it uses genlab-api and the DJL API, which genlab shares,
 * and genlab-nn (parameters, layers, Adam, the checkpoint format), which it bundles: its folder holds the
 * plugin jar and genlab-nn's jar, loaded by the plugin's own class loader.
 *
 * <h2>Losses</h2>
 * With encoder q(z|x) = N(μ(x), σ²(x)), decoder x̃ = Dec(z), z ~ q(z|x), prior samples x_p = Dec(z_p),
 * z_p ~ N(0, I), discriminator logits o(·) and hidden features f(·) (D's last hidden layer), batch means:
 * <pre>
 * kl         = Σ_j ½(μ_j² + σ_j² − 1 − log σ_j²)
 * recon_feat = ½ Σ_k (f_k(x) − f_k(x̃))²          (a Gaussian log-likelihood in D's feature space)
 * loss_d     = softplus(−o(x)) + softplus(o(x̃)) + softplus(o(x_p))
 * loss_enc   = kl_weight · kl + recon_feat
 * loss_dec   = γ · recon_feat + softplus(−o(x̃)) + softplus(−o(x_p))   (non-saturating GAN term)
 * </pre>
 * Each network is updated only from its own loss (the paper's rule: the GAN term never reaches the
 * encoder, and D is not trained on the feature loss): one step is a discriminator update, then an encoder
 * update, then a decoder update, each with its own Adam and its own backward pass. Gradients are taken on
 * per-step views of the weights, so no gradient ever lands on another network's weights.
 *
 * <p>Classes: {@link dev.genlab.plugin.vaegan.Networks} (the model), {@link dev.genlab.plugin.vaegan.VaeGanObjective}
 * (losses and the training step), {@link dev.genlab.plugin.vaegan.VaeGanLatent} (the {@code LatentModel}
 * capability), {@link dev.genlab.plugin.vaegan.VaeGanParadigm} (the trial: sampling and the checkpoint).
 */
package dev.genlab.plugin.vaegan;
