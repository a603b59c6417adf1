package dev.genlab.plugin.diffusion;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Params;
import java.util.List;
import java.util.Set;

/**
 * The {@code diffusion} paradigm: a denoising diffusion probabilistic model (Ho et al. 2020) trained with
 * the ε-prediction objective, sampled by ancestral draws (on all T or on fewer respaced steps), DDIM
 * (Song et al. 2021) or DPM-Solver++(2M)
 * (Lu et al. 2022), with classifier-free guidance (Ho &amp; Salimans 2021) for labelled data and the
 * discrete-time variational bound as its likelihood. A residual MLP denoises points, a small U-Net
 * images.
 *
 * <p>Cross-parameter checks (sample_steps ≤ timesteps, guidance only with a conditional model trained
 * with label dropout, U-Net only on images of suitable size) run in {@link #create} and fail the trial
 * with an {@link IllegalArgumentException} that names the parameters.
 */
public final class DiffusionProvider implements ParadigmProvider {

    @Override
    public String name() {
        return "diffusion";
    }

    @Override
    public String description() {
        return "DDPM with ancestral/DDIM/DPM-Solver++ samplers, classifier-free guidance, EMA, variational bound";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addInt("timesteps", 1000, 1, 10_000, "diffusion steps T")
                .addChoice("schedule", "linear", List.of("linear", "cosine"),
                        "beta schedule: linear (Ho et al. 2020) or cosine (Nichol & Dhariwal 2021)")
                .addDouble("beta_start", 1e-4, 1e-8, 0.5,
                        "linear schedule: beta_1 at T = 1000 (scaled by 1000/T for other T)")
                .addDouble("beta_end", 0.02, 1e-8, 0.999,
                        "linear schedule: beta_T at T = 1000 (scaled by 1000/T, capped at 0.999)")
                .addChoice("sampler", "ancestral", List.of("ancestral", "ddpm", "ddim", "dpm_solver"),
                        "ancestral: posterior draws on sample_steps steps (= ddim with eta 1); ddpm: ancestral, "
                                + "all T steps; ddim: sample_steps steps with eta; "
                                + "dpm_solver: DPM-Solver++(2M), sample_steps steps")
                .addInt("sample_steps", 50, 1, 10_000,
                        "network evaluations of ancestral, ddim and dpm_solver (<= timesteps)")
                .addChoice("spacing", "uniform", List.of("uniform", "quadratic", "logsnr"),
                        "steps of a shortened sampler: even in t, in sqrt(t), or in log-SNR")
                .addDouble("eta", 0.0, 0.0, 1.0, "DDIM noise: 0 deterministic, 1 = the ancestral sampler on the same steps")
                .addDouble("guidance_scale", 0.0, 0.0, 50.0,
                        "classifier-free guidance w: eps = eps_c + w (eps_c - eps_u); 0 = plain conditional")
                .addDouble("label_dropout", 0.1, 0.0, 0.99,
                        "probability of training a labelled example unconditionally (enables guidance)")
                .addBoolean("conditional", true, "condition on class labels when the dataset has them")
                .addChoice("network", "auto", List.of("auto", "mlp", "unet"),
                        "denoiser: auto = residual MLP for points, U-Net for images")
                .addInt("fourier_features", 6, 0, 16,
                        "MLP on points: octaves of sin/cos features per coordinate (pi..2^(F-1) pi), 0 = off")
                .addInt("width", 128, 8, 4096, "MLP hidden units")
                .addInt("depth", 3, 1, 64, "MLP residual blocks")
                .addInt("channels", 32, 4, 512, "U-Net base channels (the lower level has twice as many)")
                .addInt("unet_blocks", 1, 1, 8, "U-Net residual blocks per level and direction")
                .addInt("patch", 2, 1, 4, "U-Net patch size: the stem's stride (2 halves the cost of 28x28)")
                .addInt("time_dim", 64, 2, 1024, "sinusoidal time embedding size (even)")
                .addDouble("lr", 1e-3, 1e-7, 1.0, "Adam learning rate")
                .addDouble("grad_clip", 1.0, 0.0, 1e6, "clip the global gradient norm to this, 0 = off")
                .addInt("warmup", 100, 0, 1_000_000, "linear learning-rate warm-up steps")
                .addDouble("ema_decay", 0.999, 0.0, 0.99999,
                        "decay of the weight average used for sampling; 0 = sample with the trained weights")
                .addBoolean("normalize", true, "standardise points per coordinate (first batch's mean and std)")
                .addBoolean("clip_denoised", true, "clip predicted clean data to the range seen in training")
                .addInt("sample_batch", 500, 1, 1_000_000, "samples generated at once (bounds memory)")
                .addInt("likelihood_timesteps", 100, 1, 10_000,
                        "variational bound: intermediate terms evaluated (stratified estimate; all if >= T-1)")
                .build();
    }

    /** Parameters that change only how the trained model samples; evaluation variants may override them. */
    static final Set<String> SAMPLING = Set.of("sampler", "sample_steps", "spacing", "eta", "guidance_scale",
            "clip_denoised", "sample_batch");

    @Override
    public Set<String> samplingParameters() {
        return SAMPLING;
    }

    @Override
    public List<String> validate(Params params) {
        return DiffusionConfig.problems(params);
    }

    @Override
    public Paradigm create(ParadigmSetup setup) {
        return new DiffusionParadigm(setup, DiffusionConfig.from(setup.params(), setup.shape()));
    }
}
