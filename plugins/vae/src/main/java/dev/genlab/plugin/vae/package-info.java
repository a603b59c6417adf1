/**
 * The VAE paradigm plugin {@code vae}: variational autoencoders with Gaussian or Bernoulli decoders, the
 * β-VAE objective with KL warm-up and free bits, a conditional variant, ELBO and IWAE likelihood bounds,
 * latent encode/decode and interpolation, and posterior-collapse diagnostics (KL per unit, active units,
 * I(x; z), linear-probe accuracy). It depends on genlab-api, the DJL API and genlab-nn (parameters, Adam,
 * layers, the checkpoint format).
 */
package dev.genlab.plugin.vae;
