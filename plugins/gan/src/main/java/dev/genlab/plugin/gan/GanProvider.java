package dev.genlab.plugin.gan;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Params;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code gan} paradigm: a generative adversarial network whose objective, stabilisers and
 * mode-collapse remedies are all parameters, so that one sweep can compare them.
 *
 * <ul>
 *   <li>Objectives ({@code loss}): {@code minimax}, {@code non_saturating}, {@code wgan_gp}, {@code hinge},
 *       {@code lsgan} (formulas in the package documentation).</li>
 *   <li>Stabilisers: spectral normalisation of D, {@code n_critic}, separate learning rates (TTUR), Adam
 *       betas, one-sided label smoothing, annealed instance noise.</li>
 *   <li>Mode-collapse remedies: minibatch discrimination, minibatch standard deviation, feature matching,
 *       unrolled GAN (with or without backpropagation through the unrolled steps), PacGAN packing.</li>
 *   <li>Conditional GAN (label-concatenating G, projection D) on labelled data, offering
 *       {@link dev.genlab.api.ConditionalModel}.</li>
 *   <li>Networks: MLPs for vectors (and, with {@code architecture: mlp}, flattened images), DCGAN-style
 *       conv nets for images whose height and width are divisible by 4 (e.g. 28×28 digits). The MLPs can
 *       differ in width and depth between G and D, D can use maxout units, G batch norm, and the weights a
 *       N(0, σ²) initialisation (PacGAN's toy networks).</li>
 *   <li>Procedure: packs per update (PacGAN), a fresh slice of the batch per critic update (WGAN-GP's
 *       reference), the real-data term of the unrolled objective (Metz et al.), an EMA of G's weights for
 *       sampling, linear or step learning-rate decay. All off by default.</li>
 * </ul>
 * Parameter combinations that contradict each other or the data fail {@link #create} with an
 * {@link IllegalArgumentException} saying what to change.
 */
public final class GanProvider implements ParadigmProvider {

    @Override
    public String name() {
        return "gan";
    }

    @Override
    public String description() {
        return "GAN: minimax/non-saturating/WGAN-GP/hinge/LSGAN, spectral norm, minibatch discrimination, "
                + "feature matching, unrolling, PacGAN, conditional";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addChoice("loss", "non_saturating",
                        Arrays.stream(Objective.values()).map(Objective::key).toList(), "adversarial objective")
                .addChoice("architecture", "auto", List.of("auto", "mlp", "conv"),
                        "auto: DCGAN-style conv nets for images with H, W divisible by 4, MLPs otherwise")
                .addInt("latent_dim", 64, 1, 1024, "dimension of the generator's Gaussian input z")
                .addInt("hidden", 128, 4, 4096, "MLP width (both networks)")
                .addInt("layers", 3, 1, 8, "MLP hidden layers (each network)")
                .addInt("channels", 32, 4, 512, "conv base width c: D has c and 2c channels, G 2c and c")
                .addDouble("lr_g", 2e-4, 1e-6, 1.0, "generator Adam learning rate")
                .addDouble("lr_d", 2e-4, 1e-6, 1.0, "discriminator Adam learning rate (TTUR: differ from lr_g)")
                .addDouble("beta1", 0.5, 0.0, 0.999, "Adam beta1 (both networks)")
                .addDouble("beta2", 0.999, 0.0, 0.9999, "Adam beta2 (both networks)")
                .addInt("n_critic", 1, 1, 50, "discriminator updates per generator update")
                .addDouble("gp_weight", 10.0, 0.0, 1e4, "gradient-penalty weight lambda (wgan_gp)")
                .addBoolean("spectral_norm", false, "spectral normalisation of the discriminator (power iteration)")
                .addInt("sn_iterations", 1, 1, 50, "power iterations per discriminator update")
                .addDouble("label_smoothing", 0.0, 0.0, 0.5,
                        "one-sided label smoothing: real target 1 - s (minimax, non_saturating, lsgan)")
                .addDouble("instance_noise", 0.0, 0.0, 10.0,
                        "std of Gaussian noise added to every discriminator input (real and generated)")
                .addInt("instance_noise_anneal", 0, 0, 100_000_000,
                        "steps over which instance_noise decays linearly to 0 (0: constant)")
                .addInt("minibatch_disc", 0, 0, 256, "minibatch-discrimination kernels A (0: off)")
                .addInt("minibatch_disc_dim", 5, 1, 64, "dimension C of each minibatch-discrimination kernel")
                .addBoolean("minibatch_stddev", false, "append the minibatch standard deviation as a D feature")
                .addBoolean("feature_matching", false,
                        "generator matches the mean of D's last hidden features instead of fooling D")
                .addInt("unroll_steps", 0, 0, 50, "unrolled discriminator steps for the generator loss (0: off)")
                .addBoolean("unroll_through", true,
                        "backpropagate through the unrolled steps (MLP discriminator); false: surrogate gradient")
                .addInt("pack", 1, 1, 16, "PacGAN: the discriminator judges this many samples jointly")
                .addBoolean("conditional", false, "class-conditional GAN (labelled data; projection discriminator)")
                .addChoice("image_range", GanConfig.MINUS_ONE_ONE, List.of(GanConfig.MINUS_ONE_ONE, GanConfig.ZERO_ONE),
                        "pixel range of the data: tanh output for minus_one_one, sigmoid for zero_one")
                // Added for issue 21 (the papers' setups). Each default reproduces the plugin before it, and
                // addedLater() keeps it out of the trial hash at that default, so existing specs keep theirs.
                .addInt("hidden_g", 0, 0, 4096, "generator MLP width (0: hidden)").addedLater()
                .addInt("layers_g", 0, 0, 8, "generator MLP hidden layers (0: layers)").addedLater()
                .addInt("hidden_d", 0, 0, 4096, "discriminator MLP width, units after maxout (0: hidden)").addedLater()
                .addInt("layers_d", 0, 0, 8, "discriminator MLP hidden layers (0: layers)").addedLater()
                .addChoice("d_activation", "leaky_relu",
                        List.of("leaky_relu", GanConfig.RELU, GanConfig.MAXOUT, GanConfig.TANH),
                        "discriminator units: LeakyReLU(0.2), ReLU, or (MLP) maxout over maxout_pieces linear pieces "
                                + "or tanh")
                .addedLater()
                .addChoice("g_activation", GanConfig.RELU, List.of(GanConfig.RELU, GanConfig.TANH),
                        "hidden units of the MLP generator: ReLU or tanh").addedLater()
                .addInt("maxout_pieces", 5, 2, 16, "linear pieces per maxout unit (d_activation: maxout)").addedLater()
                .addBoolean("g_batchnorm", false,
                        "batch norm after every hidden linear layer of the MLP generator").addedLater()
                .addBoolean("simultaneous_updates", false, "D's and G's gradients on the same batch and z, G's taken "
                        + "against (or unrolled from) D before D's update, both applied together (PacGAN's and "
                        + "ALI's loop; the unrolled GAN demo's)").addedLater()
                .addBoolean("g_batchnorm_per_slot", false, "with pack > 1, g_batchnorm takes its statistics over each "
                        + "pack slot's generated samples apart, as PacGAN's generator (run once per slot) does").addedLater()
                .addDouble("init_std", 0.0, 0.0, 1.0,
                        "MLP weights drawn from N(0, init_std^2), biases 0 (0: fan-in defaults)").addedLater()
                .addDouble("init_orthogonal", 0.0, 0.0, 10.0, "MLP weights drawn as random orthogonal matrices "
                        + "times this gain, biases 0 (0: off; init_std then applies)").addedLater()
                .addInt("packs_per_update", 0, 0, 1_000_000, "packs (samples if pack is 1) per side per update: "
                        + "pack x this many real rows of the batch and as many generated (0: all the batch holds)").addedLater()
                .addBoolean("fresh_real_per_critic", false, "split the batch into n_critic disjoint slices, "
                        + "one per critic update (train.batch_size = n_critic x per-update batch)").addedLater()
                .addBoolean("unroll_real_term", false, "the unrolled generator loss includes the real-data term "
                        + "of Metz et al.'s f (it depends on G through the unrolled D)").addedLater()
                .addDouble("ema_decay", 0.0, 0.0, 0.99999,
                        "sample with an exponential moving average of the generator's weights (0: off)").addedLater()
                .addChoice("lr_decay", "none", List.of("none", GanConfig.LINEAR, GanConfig.STEP),
                        "learning-rate schedule of both networks over generator steps").addedLater()
                .addInt("lr_decay_steps", 0, 0, 1_000_000_000,
                        "linear: steps to reach 0 (e.g. train.steps); step: steps per factor lr_decay_gamma").addedLater()
                .addDouble("lr_decay_gamma", 0.1, 0.0, 1.0, "factor per lr_decay_steps (lr_decay: step)").addedLater()
                .build();
    }

    /**
     * @throws IllegalArgumentException if the parameters contradict each other or the data shape
     */
    @Override
    public List<String> validate(Params params) {
        return GanConfig.problems(params);
    }

    @Override
    public Paradigm create(ParadigmSetup setup) {
        return new GanParadigm(setup, GanConfig.from(setup.params(), setup.shape()));
    }
}
