package dev.genlab.plugin.vae;

import dev.genlab.api.DataShape;
import dev.genlab.api.Params;

/**
 * The VAE's parameters, read from validated {@link Params} and resolved against the data shape ("auto"
 * choices made concrete). Cross-parameter rules that a {@code ParamSchema} range cannot express are
 * checked here and fail with an {@link IllegalArgumentException} naming the parameters.
 *
 * @param lr Adam learning rate
 * @param gradClip global gradient-norm clipping threshold (0 = off)
 * @param latentDim L
 * @param hidden width of MLP layers and of the conv nets' dense layer
 * @param layers hidden layers of each MLP
 * @param channels first conv layer's channels (the second has twice as many)
 * @param conv true for the conv encoder/decoder, false for MLPs
 * @param bernoulli true for a Bernoulli decoder, false for a Gaussian one
 * @param learnedVariance Gaussian decoder: true if it outputs a per-coordinate standard deviation
 * @param decoderStd Gaussian decoder with fixed variance: its standard deviation
 * @param minStd Gaussian decoder with learned variance: floor added to its standard deviation
 * @param dataRange how Bernoulli targets and outputs map to the data's scale
 * @param sampleDraw true to sample x ~ p(x|z), false to return the decoder's mean
 * @param beta weight of the KL term (1 = the ELBO; &gt; 1 = β-VAE)
 * @param warmupSteps steps over which the KL weight rises linearly from 0 to β (0 = none)
 * @param freeBits nats per latent dimension below which that dimension's KL is not penalised (0 = none)
 * @param conditional condition encoder and decoder on the class label
 * @param iwaeSamples K importance samples of the IWAE bound
 * @param iwaeLikelihood true if {@code nllNatsPerDim} reports the IWAE bound, false for the ELBO
 * @param diagEvery steps between batch diagnostics (active units, MI) in the step results (0 = off)
 * @param logKlPerDim also report {@code kl_dim_<j>} with the diagnostics
 * @param activeThreshold a latent unit is active when Cov_x(E_q[z_u]) exceeds this (Burda et al. use 0.01)
 * @param diagIwaeSamples K importance samples of the held-out diagnostics' ELBO and IWAE bound
 *     ({@code diag_iwae_samples}, or {@code iwae_samples} when that is 0)
 */
record VaeConfig(
        double lr,
        double gradClip,
        int latentDim,
        int hidden,
        int layers,
        int channels,
        boolean conv,
        boolean bernoulli,
        boolean learnedVariance,
        double decoderStd,
        double minStd,
        DataRange dataRange,
        boolean sampleDraw,
        double beta,
        long warmupSteps,
        double freeBits,
        boolean conditional,
        int iwaeSamples,
        boolean iwaeLikelihood,
        int diagEvery,
        boolean logKlPerDim,
        double activeThreshold,
        int diagIwaeSamples) {

    /** How a Bernoulli decoder's [0, 1] targets and probabilities relate to the data's values. */
    enum DataRange {
        /** Decided from the first data seen: [-1, 1] if any value is negative, else [0, 1]. */
        AUTO,
        /** Data values are probabilities / bits in [0, 1]. */
        ZERO_ONE,
        /** Data values v map to (v + 1)/2. */
        MINUS_ONE_ONE
    }

    /**
     * @param p validated parameters
     * @param shape the data shape
     * @return the resolved configuration
     * @throws IllegalArgumentException if the parameters contradict each other or the data
     */
    static VaeConfig from(Params p, DataShape shape) {
        String architecture = p.getString("architecture");
        boolean convFits = shape.isImage() && shape.dims().get(1) % 4 == 0 && shape.dims().get(2) % 4 == 0;
        boolean conv = switch (architecture) {
            case "conv" -> {
                if (!convFits) {
                    throw new IllegalArgumentException("architecture=conv needs C x H x W images with H and W "
                            + "divisible by 4, but the data has shape " + shape.dims()
                            + " (use architecture=mlp or auto)");
                }
                yield true;
            }
            case "mlp" -> false;
            case "auto" -> convFits;
            default -> throw new IllegalArgumentException("unknown architecture '" + architecture + "'");
        };
        boolean conditional = p.getBoolean("conditional");
        if (conditional && !shape.labelled()) {
            throw new IllegalArgumentException("conditional=true needs a labelled dataset, but this one has no "
                    + "classes (set conditional=false or use a labelled dataset such as mnist)");
        }
        String decoder = p.getString("decoder");
        String variance = p.getString("variance");
        boolean draw = switch (p.getString("sample_mode")) {
            case "draw" -> true;
            case "mean" -> false;
            default -> shape.isPoints(); // auto: noisy draws for points, decoder means for images
        };
        DataRange range = switch (p.getString("data_range")) {
            case "zero_one" -> DataRange.ZERO_ONE;
            case "minus_one_one" -> DataRange.MINUS_ONE_ONE;
            default -> DataRange.AUTO;
        };
        return new VaeConfig(
                p.getDouble("lr"),
                p.getDouble("grad_clip"),
                p.getInt("latent_dim"),
                p.getInt("hidden"),
                p.getInt("layers"),
                p.getInt("channels"),
                conv,
                "bernoulli".equals(decoder),
                "learned".equals(variance),
                p.getDouble("decoder_std"),
                p.getDouble("min_std"),
                range,
                draw,
                p.getDouble("beta"),
                p.getLong("warmup_steps"),
                p.getDouble("free_bits"),
                conditional,
                p.getInt("iwae_samples"),
                "iwae".equals(p.getString("likelihood")),
                p.getInt("diag_every"),
                p.getBoolean("log_kl_per_dim"),
                p.getDouble("active_threshold"),
                p.getInt("diag_iwae_samples") > 0 ? p.getInt("diag_iwae_samples") : p.getInt("iwae_samples"));
    }

    /** @return the KL weight at 1-based training step {@code step} (linear warm-up to β) */
    double betaAt(long step) {
        if (warmupSteps <= 0) {
            return beta;
        }
        return beta * Math.min(1.0, (double) step / warmupSteps);
    }

    /** @return a text that changes whenever the saved state's layout would, for load-time checks */
    String layout(DataShape shape) {
        return "dims=" + shape.dims() + " classes=" + (conditional ? shape.numClasses() : 0)
                + " latent=" + latentDim + " net=" + (conv ? "conv(c=" + channels + ")" : "mlp(layers=" + layers + ")")
                + " hidden=" + hidden + " decoder=" + (bernoulli ? "bernoulli" : learnedVariance ? "gaussian-learned"
                : "gaussian-fixed");
    }
}
