package dev.genlab.plugin.vae;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import java.util.List;
import java.util.Set;

/**
 * The {@code vae} paradigm: a variational autoencoder (Kingma &amp; Welling 2014) with a diagonal Gaussian
 * encoder and the reparameterisation trick, a Gaussian (fixed or learned variance) or Bernoulli decoder,
 * the β-VAE objective (Higgins et al. 2017) with KL warm-up and free bits (Kingma et al. 2016), an optional
 * label-conditioned (conditional) VAE, ELBO and IWAE likelihood bounds (Burda et al. 2016), and
 * posterior-collapse diagnostics. MLPs for flat data, a conv encoder/decoder for images whose sides are
 * divisible by 4 (28×28 digits).
 */
public final class VaeProvider implements ParadigmProvider {

    @Override
    public String name() {
        return "vae";
    }

    @Override
    public String description() {
        return "variational autoencoder: beta-VAE, conditional VAE, ELBO/IWAE likelihood, latent diagnostics";
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addDouble("lr", 1e-3, 1e-6, 1.0, "Adam learning rate")
                .addDouble("grad_clip", 0.0, 0.0, 1e6, "clip the global gradient L2 norm to this (0 = off)")
                .addInt("latent_dim", 16, 1, 512, "latent dimension L")
                .addInt("hidden", 256, 4, 4096, "width of the MLP layers and of the conv nets' dense layer")
                .addInt("layers", 2, 1, 8, "hidden layers of each MLP (mlp architecture)")
                .addInt("channels", 32, 2, 256, "channels of the first conv layer; the second has twice as many")
                .addChoice("architecture", "auto", List.of("auto", "mlp", "conv"),
                        "auto: conv for images with sides divisible by 4, else mlp")
                .addChoice("decoder", "gaussian", List.of("gaussian", "bernoulli"),
                        "p(x|z): gaussian, or bernoulli for binarised data")
                .addChoice("variance", "learned", List.of("learned", "fixed"),
                        "gaussian decoder: learned per-coordinate std, or fixed decoder_std")
                .addDouble("decoder_std", 0.1, 1e-4, 100, "gaussian decoder with fixed variance: its std")
                .addDouble("min_std", 1e-3, 1e-6, 10, "gaussian decoder with learned variance: std floor")
                .addChoice("data_range", "auto", List.of("auto", "zero_one", "minus_one_one"),
                        "bernoulli decoder: data scale of 0/1 (auto: [-1,1] if the first batch has negatives)")
                .addChoice("sample_mode", "auto", List.of("auto", "mean", "draw"),
                        "samples: decoder mean, or a draw from p(x|z) (auto: draw for points, mean for images)")
                .addDouble("beta", 1.0, 0.0, 1000.0, "KL weight: 1 = ELBO, > 1 = beta-VAE")
                .addInt("warmup_steps", 0, 0, 1_000_000_000L, "KL weight rises linearly 0 -> beta over these steps")
                .addDouble("free_bits", 0.0, 0.0, 100.0,
                        "nats per latent dim whose batch-mean KL is not penalised (0 = off)")
                .addBoolean("conditional", false, "conditional VAE: encoder and decoder see the class label")
                .addInt("iwae_samples", 100, 1, 100_000, "K importance samples of the IWAE bound")
                .addChoice("likelihood", "iwae", List.of("iwae", "elbo"), "the bound reported as NLL")
                .addInt("diag_every", 50, 0, 1_000_000_000L,
                        "steps between batch diagnostics active_units and mi (0 = off); carried forward between")
                .addBoolean("log_kl_per_dim", false, "report kl_dim_<j> with each diagnostic")
                .addDouble("active_threshold", 0.01, 0.0, 10.0, "a unit is active when Cov_x(E[z_u|x]) exceeds this")
                // Added later (hash-neutral at 0): a final NLL at large K (e.g. 5,000) would otherwise be paid
                // twice, once by the likelihood metric and once by the diagnostics, which can report a cheap
                // K = 100 bound of the same model beside it instead.
                .addInt("diag_iwae_samples", 0, 0, 100_000,
                        "K of the held-out diagnostics' elbo and iwae (0: iwae_samples)").addedLater()
                .build();
    }

    /**
     * Only {@code sample_mode} changes nothing but sampling: the decoder mean or a draw from p(x|z) of the
     * same trained model. ({@code likelihood}, {@code iwae_samples} and {@code active_threshold} do not
     * change training either, but they are evaluation settings, not sampling ones: variants re-score
     * samples only.)
     */
    @Override
    public Set<String> samplingParameters() {
        return Set.of("sample_mode");
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Paradigm create(ParadigmSetup setup) {
        return new VaeParadigm(setup, VaeConfig.from(setup.params(), setup.shape()));
    }
}
