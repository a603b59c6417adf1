package dev.genlab.plugin.vaegan;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import java.util.List;

/**
 * The {@code vaegan} paradigm: a VAE whose decoder is also a GAN generator and whose reconstruction error
 * is measured on the discriminator's hidden features (Larsen et al. 2016). MLPs for flat data (2-D points),
 * small conv nets for images whose sides are divisible by 4 (28×28 digits). Losses are described in the
 * package documentation.
 */
public final class VaeGanProvider implements ParadigmProvider {

    /** The schema, built once: providers are stateless and asked for it often. */
    static final ParamSchema SCHEMA = ParamSchema.builder()
            .addDouble("lr", 1e-3, 1e-6, 1.0, "Adam learning rate of the encoder and the decoder")
            .addDouble("lr_d", 1e-3, 1e-6, 1.0, "Adam learning rate of the discriminator")
            .addDouble("beta1", 0.5, 0.0, 0.999, "Adam beta1 of all three networks (0.5 as in DCGAN)")
            .addDouble("beta2", 0.999, 0.0, 0.99999, "Adam beta2 of all three networks")
            .addInt("latent_dim", 8, 1, 512, "latent dimension L")
            .addInt("hidden", 128, 4, 4096, "width of the MLP layers and of the conv nets' dense layer")
            .addInt("layers", 2, 1, 8, "hidden layers of each MLP (mlp architecture)")
            .addInt("channels", 32, 2, 256, "channels of the first conv layer; the second has twice as many")
            .addChoice("architecture", "auto", List.of("auto", "mlp", "conv"),
                    "auto: conv for images with sides divisible by 4, else mlp")
            .addDouble("gamma", 1.0, 0.0, 1e6,
                    "decoder loss = gamma * recon_feat + GAN term (the paper's weighting of content vs style)")
            .addDouble("kl_weight", 1.0, 0.0, 1000.0, "weight of the prior KL in the encoder loss")
            .build();

    @Override
    public String name() {
        return "vaegan";
    }

    @Override
    public String description() {
        return "VAE-GAN: a VAE with a GAN discriminator's features as its reconstruction metric (Larsen et al. 2016)";
    }

    @Override
    public ParamSchema parameters() {
        return SCHEMA;
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Paradigm create(ParadigmSetup setup) {
        return new VaeGanParadigm(setup, VaeGanConfig.from(setup.params(), setup.shape()));
    }
}
