package dev.genlab.plugin.diffusion;

import dev.genlab.api.DataShape;
import dev.genlab.api.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The diffusion paradigm's parameters, read from validated {@link Params} and checked against each
 * other and the data shape (what a per-parameter range cannot express).
 *
 * @param timesteps T
 * @param schedule {@code linear} or {@code cosine}
 * @param betaStart linear schedule's β_1 at T = 1000
 * @param betaEnd linear schedule's β_T at T = 1000
 * @param sampler {@code ancestral}, {@code ddpm}, {@code ddim} or {@code dpm_solver}
 * @param sampleSteps steps of ancestral, ddim and dpm_solver (ddpm walks all T)
 * @param spacing how shortened samplers spread their steps: uniform, quadratic or logsnr
 * @param eta DDIM's stochasticity η (0 deterministic, 1 ancestral)
 * @param guidanceScale default classifier-free guidance weight w (ε̃ = ε_c + w(ε_c − ε_u))
 * @param labelDropout probability of training a labelled example as unconditional
 * @param classes K for a class-conditional network, 0 for an unconditional one
 * @param network {@code mlp} or {@code unet} (resolved from {@code auto})
 * @param fourierOctaves MLP Fourier feature frequencies per coordinate
 * @param width MLP hidden units
 * @param depth MLP residual blocks
 * @param channels U-Net base channels
 * @param unetBlocks U-Net residual blocks per level and direction
 * @param patch U-Net patch size (stem stride)
 * @param timeDim sinusoidal embedding size
 * @param lr Adam learning rate
 * @param gradClip global gradient-norm clip, 0 for none
 * @param warmup learning-rate warm-up steps
 * @param emaDecay EMA decay of the sampling weights, 0 to sample with the trained weights
 * @param normalize standardise points with statistics of the first batch
 * @param clipDenoised clip predicted clean data to the training data's range
 * @param sampleBatch largest number of samples generated at once
 * @param likelihoodTimesteps number of intermediate VLB terms evaluated (stratified), all if ≥ T − 1
 */
record DiffusionConfig(
        int timesteps,
        String schedule,
        double betaStart,
        double betaEnd,
        String sampler,
        int sampleSteps,
        String spacing,
        double eta,
        double guidanceScale,
        double labelDropout,
        int classes,
        String network,
        int fourierOctaves,
        int width,
        int depth,
        int channels,
        int unetBlocks,
        int patch,
        int timeDim,
        double lr,
        double gradClip,
        int warmup,
        double emaDecay,
        boolean normalize,
        boolean clipDenoised,
        int sampleBatch,
        int likelihoodTimesteps) {

    /** Sampler names. */
    static final String DDPM = "ddpm";
    static final String ANCESTRAL = "ancestral";
    static final String DDIM = "ddim";
    static final String DPM_SOLVER = "dpm_solver";

    /**
     * @param p validated, defaulted parameters
     * @param shape the data's shape
     * @return the configuration
     * @throws IllegalArgumentException naming the parameters that conflict and how to fix them
     */
    static DiffusionConfig from(Params p, DataShape shape) {
        List<String> problems = problems(p);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
        int timesteps = p.getInt("timesteps");
        String sampler = p.getString("sampler");
        int sampleSteps = p.getInt("sample_steps");
        double betaStart = p.getDouble("beta_start");
        double betaEnd = p.getDouble("beta_end");
        int timeDim = p.getInt("time_dim");
        boolean conditional = p.getBoolean("conditional") && shape.labelled();
        double labelDropout = p.getDouble("label_dropout");
        double guidance = p.getDouble("guidance_scale");
        if (guidance > 0 && !conditional) {
            throw new IllegalArgumentException("guidance_scale (" + guidance + ") needs a class-conditional model: "
                    + (shape.labelled() ? "set conditional: true" : "the dataset has no labels")
                    + ", or set guidance_scale: 0");
        }
        if (guidance > 0 && labelDropout == 0) {
            throw new IllegalArgumentException("guidance_scale (" + guidance + ") needs label_dropout > 0: "
                    + "classifier-free guidance contrasts the conditional model with the unconditional one, "
                    + "which only label dropout trains");
        }
        String network = p.getString("network");
        if (network.equals("auto")) {
            network = shape.isImage() ? "unet" : "mlp";
        }
        int patch = p.getInt("patch");
        if (network.equals("unet")) {
            if (!shape.isImage()) {
                throw new IllegalArgumentException("network 'unet' needs C x H x W images; the data has shape "
                        + shape.dims() + " (use network: mlp or auto)");
            }
            int h = shape.dims().get(1);
            int w = shape.dims().get(2);
            if (h % (2 * patch) != 0 || w % (2 * patch) != 0) {
                throw new IllegalArgumentException("network 'unet' with patch " + patch + " needs image sides "
                        + "divisible by " + 2 * patch + "; the images are " + h + "x" + w
                        + " (choose another patch, or network: mlp)");
            }
        }
        return new DiffusionConfig(timesteps, p.getString("schedule"), betaStart, betaEnd, sampler, sampleSteps,
                p.getString("spacing"), p.getDouble("eta"), guidance, labelDropout,
                conditional ? shape.numClasses() : 0, network, p.getInt("fourier_features"), p.getInt("width"),
                p.getInt("depth"), p.getInt("channels"), p.getInt("unet_blocks"), patch, timeDim, p.getDouble("lr"),
                p.getDouble("grad_clip"), p.getInt("warmup"), p.getDouble("ema_decay"), p.getBoolean("normalize"),
                p.getBoolean("clip_denoised"), p.getInt("sample_batch"),
                p.getInt("likelihood_timesteps"));
    }

    /**
     * The rules between parameters that hold whatever the data (the shape-dependent ones are in
     * {@link #from}); {@link DiffusionProvider#validate} reports them before training.
     *
     * @param p validated, defaulted parameters
     * @return one message per broken rule
     */
    static List<String> problems(Params p) {
        List<String> out = new ArrayList<>();
        int timesteps = p.getInt("timesteps");
        String sampler = p.getString("sampler");
        int sampleSteps = p.getInt("sample_steps");
        if (!sampler.equals(DDPM) && sampleSteps > timesteps) {
            out.add("sample_steps (" + sampleSteps + ") exceeds timesteps (" + timesteps + "): the " + sampler
                    + " sampler visits a subset of the T steps; set sample_steps <= " + timesteps);
        }
        double betaStart = p.getDouble("beta_start");
        double betaEnd = p.getDouble("beta_end");
        if (betaStart > betaEnd) {
            out.add("beta_start (" + betaStart + ") exceeds beta_end (" + betaEnd
                    + "): the linear schedule adds noise increasingly");
        }
        int timeDim = p.getInt("time_dim");
        if (timeDim % 2 != 0) {
            out.add("time_dim (" + timeDim + ") must be even: half sines, half cosines");
        }
        double guidance = p.getDouble("guidance_scale");
        if (guidance > 0 && !p.getBoolean("conditional")) {
            out.add("guidance_scale (" + guidance + ") needs a class-conditional model: set conditional: true, "
                    + "or set guidance_scale: 0");
        }
        if (guidance > 0 && p.getDouble("label_dropout") == 0) {
            out.add("guidance_scale (" + guidance + ") needs label_dropout > 0: classifier-free guidance contrasts "
                    + "the conditional model with the unconditional one, which only label dropout trains");
        }
        return out;
    }

    /** @return true if the network takes class labels */
    boolean conditional() {
        return classes > 0;
    }

    /**
     * @param requested steps asked for by a {@link dev.genlab.api.SampleRequest}, or null
     * @return the number of denoising steps the configured sampler takes
     * @throws IllegalArgumentException if {@code requested} is outside [1, T]
     */
    int stepsFor(Integer requested) {
        int steps = requested != null ? requested : sampler.equals(DDPM) ? timesteps : sampleSteps;
        if (steps < 1 || steps > timesteps) {
            throw new IllegalArgumentException("sampler steps must be in [1, " + timesteps + "], got " + steps);
        }
        return steps;
    }
}
