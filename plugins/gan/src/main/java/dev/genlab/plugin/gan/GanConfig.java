package dev.genlab.plugin.gan;

import dev.genlab.api.DataShape;
import dev.genlab.api.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The validated configuration of one GAN, read from the plugin's parameters and the data shape. Ranges
 * are checked by the framework against {@link GanProvider#parameters()}; the checks that involve several
 * parameters or the data are done here and fail with an {@link IllegalArgumentException} that says what
 * to change.
 *
 * @param objective adversarial loss
 * @param conv DCGAN-style conv nets (images) rather than MLPs
 * @param latentDim dimension of z
 * @param hiddenG generator MLP width
 * @param layersG generator MLP hidden layers
 * @param hiddenD discriminator MLP width (units after maxout)
 * @param layersD discriminator MLP hidden layers
 * @param maxoutPieces pieces per maxout unit of the MLP discriminator (0: no maxout)
 * @param dActivation units of the discriminator's trunk: leaky_relu (slope 0.2), relu, maxout or tanh
 * @param gActivation hidden units of the MLP generator: relu or tanh
 * @param gBatchnorm batch norm after every hidden linear layer of the MLP generator
 * @param gBatchnormPerSlot with a pack above 1, that batch norm takes its statistics over each pack slot's
 *     generated samples apart, as PacGAN's generator (run once per slot) does
 * @param initStd std of the N(0, σ²) initialisation of MLP weights (0: the fan-in defaults)
 * @param initOrthogonal gain of an orthogonal initialisation of the MLP weights (0: off)
 * @param channels conv base width c
 * @param lrG generator learning rate
 * @param lrD discriminator learning rate
 * @param beta1 Adam β₁ (both networks)
 * @param beta2 Adam β₂ (both networks)
 * @param nCritic discriminator updates per generator update
 * @param gpWeight gradient-penalty weight λ (wgan_gp)
 * @param spectralNorm spectral normalisation of D
 * @param snIterations power iterations per D update
 * @param labelSmoothing one-sided label smoothing s
 * @param instanceNoise initial std of the Gaussian noise added to D's inputs
 * @param instanceNoiseAnneal steps over which that std decays linearly to 0 (0: constant)
 * @param minibatchDisc minibatch-discrimination kernels A (0: off)
 * @param minibatchDiscDim dimension C of each kernel
 * @param minibatchStddev minibatch standard-deviation feature
 * @param featureMatching generator matches D's mean features instead of the adversarial loss
 * @param unrollSteps unrolled D steps for the generator's loss (0: off)
 * @param unrollThrough backpropagate through the unrolled updates (else the surrogate)
 * @param unrollRealTerm the generator's unrolled loss includes the real-data term of Metz et al.'s f
 * @param pack PacGAN packing degree m
 * @param packsPerUpdate packs per side per D (and G) update (0: every whole pack the batch or slice holds)
 * @param simultaneousUpdates D's and G's gradients on the same batch and z, G's against D before D's update
 * @param freshRealPerCritic each critic update takes its own disjoint slice of the batch
 * @param emaDecay decay of the EMA of G's weights that sampling uses (0: off)
 * @param lrDecay learning-rate schedule of both networks: none, linear or step
 * @param lrDecaySteps generator steps of that schedule (linear: to 0; step: per factor)
 * @param lrDecayGamma factor per lrDecaySteps of the step schedule
 * @param conditional class-conditional G and projection D
 * @param imageRange output range of images: minus_one_one (tanh) or zero_one (sigmoid)
 * @param numClasses label classes of the data (0: unlabelled)
 * @param dims per-example dims of the data
 */
record GanConfig(
        Objective objective,
        boolean conv,
        int latentDim,
        int hiddenG,
        int layersG,
        int hiddenD,
        int layersD,
        int maxoutPieces,
        String dActivation,
        String gActivation,
        boolean gBatchnorm,
        boolean gBatchnormPerSlot,
        float initStd,
        float initOrthogonal,
        int channels,
        float lrG,
        float lrD,
        float beta1,
        float beta2,
        int nCritic,
        float gpWeight,
        boolean spectralNorm,
        int snIterations,
        float labelSmoothing,
        float instanceNoise,
        long instanceNoiseAnneal,
        int minibatchDisc,
        int minibatchDiscDim,
        boolean minibatchStddev,
        boolean featureMatching,
        int unrollSteps,
        boolean unrollThrough,
        boolean unrollRealTerm,
        int pack,
        int packsPerUpdate,
        boolean freshRealPerCritic,
        boolean simultaneousUpdates,
        float emaDecay,
        String lrDecay,
        long lrDecaySteps,
        float lrDecayGamma,
        boolean conditional,
        String imageRange,
        int numClasses,
        List<Integer> dims) {

    static final String MINUS_ONE_ONE = "minus_one_one";
    static final String ZERO_ONE = "zero_one";
    static final String MAXOUT = "maxout";
    static final String RELU = "relu";
    static final String TANH = "tanh";
    static final String LINEAR = "linear";
    static final String STEP = "step";

    /** Copies the dims. */
    GanConfig {
        dims = List.copyOf(dims);
    }

    /**
     * The rules between parameters; {@link GanProvider#validate} reports them before training, taking the conv
     * nets only for {@code architecture: conv}, and {@link #from} enforces them with the nets {@code auto} picks
     * for the data.
     *
     * @param p validated, defaulted parameters
     * @return one message per broken rule
     */
    static List<String> problems(Params p) {
        return problems(p, p.getString("architecture").equals("conv"));
    }

    /**
     * @param conv whether the conv nets are built: {@code architecture: conv}, or {@code auto} on images, which
     *     only {@link #from} knows
     */
    private static List<String> problems(Params p, boolean conv) {
        List<String> out = new ArrayList<>();
        Objective objective = Objective.of(p.getString("loss"));
        if (p.getDouble("label_smoothing") > 0 && !objective.hasTargets()) {
            out.add("label_smoothing applies to the objectives with real/fake targets (minimax, non_saturating, "
                    + "lsgan), not to " + objective.key() + "; set it to 0");
        }
        if (p.getBoolean("conditional") && p.getInt("pack") > 1) {
            out.add("pack > 1 and conditional: true cannot be combined (a packed discriminator input would mix "
                    + "labels); use one of them");
        }
        int unroll = p.getInt("unroll_steps");
        if (unroll > 0 && objective == Objective.WGAN_GP) {
            out.add("unroll_steps > 0 with loss: wgan_gp would need third-order gradients; unroll a "
                    + "non-saturating, minimax, hinge or lsgan GAN instead");
        }
        if (unroll > 0 && p.getBoolean("unroll_through") && conv) {
            out.add("unroll_through: true needs the MLP discriminator (its weight gradients are written out as "
                    + "differentiable operations); set unroll_through: false for the conv nets, or architecture: mlp");
        }
        if (conv && (p.getString("d_activation").equals(MAXOUT) || p.getString("d_activation").equals(TANH))) {
            out.add("d_activation: " + p.getString("d_activation") + " is for the MLP discriminator; use "
                    + "architecture: mlp or d_activation: leaky_relu");
        }
        if (conv && p.getString("g_activation").equals(TANH)) {
            out.add("g_activation: tanh is for the MLP generator (the conv generator has ReLU); remove it or use "
                    + "architecture: mlp");
        }
        if (p.getDouble("init_orthogonal") > 0 && p.getDouble("init_std") > 0) {
            out.add("init_orthogonal and init_std are two initialisations of the same weights; set one of them "
                    + "to 0");
        }
        if (conv && p.getDouble("init_orthogonal") > 0) {
            out.add("init_orthogonal is for the MLP networks (the conv nets start from DCGAN's N(0, 0.02)); remove "
                    + "it or use architecture: mlp");
        }
        if (conv && p.getBoolean("g_batchnorm")) {
            out.add("g_batchnorm is for the MLP generator (the conv generator always has batch norm); remove it "
                    + "or use architecture: mlp");
        }
        if (p.getBoolean("simultaneous_updates") && p.getInt("n_critic") != 1) {
            out.add("simultaneous_updates: true takes one D and one G gradient on the same batch and z; it needs "
                    + "n_critic: 1");
        }
        if (p.getBoolean("g_batchnorm_per_slot") && !p.getBoolean("g_batchnorm")) {
            out.add("g_batchnorm_per_slot: true needs g_batchnorm: true (it says how the generator's batch norm "
                    + "takes its statistics); set both, or remove g_batchnorm_per_slot");
        }
        if (p.getBoolean("unroll_real_term") && unroll == 0) {
            out.add("unroll_real_term: true needs unroll_steps > 0 (it is a term of the unrolled loss)");
        }
        if (p.getBoolean("unroll_real_term") && p.getBoolean("feature_matching")) {
            out.add("unroll_real_term and feature_matching cannot be combined (feature matching replaces the "
                    + "adversarial generator loss); use one of them");
        }
        if (!p.getString("lr_decay").equals("none") && p.getLong("lr_decay_steps") == 0) {
            out.add("lr_decay: " + p.getString("lr_decay") + " needs lr_decay_steps > 0 (for linear decay to 0 "
                    + "over the run: train.steps)");
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException if the parameters contradict each other or the data
     */
    static GanConfig from(Params p, DataShape shape) {
        Objective objective = Objective.of(p.getString("loss"));
        String architecture = p.getString("architecture");
        boolean divisible = shape.isImage() && shape.dims().get(1) % 4 == 0 && shape.dims().get(2) % 4 == 0;
        boolean conv;
        switch (architecture) {
            case "conv":
                if (!divisible) {
                    throw new IllegalArgumentException("architecture: conv needs C×H×W images with H and W divisible "
                            + "by 4; this data has shape " + shape.dims() + " (use architecture: mlp or auto)");
                }
                conv = true;
                break;
            case "mlp":
                conv = false;
                break;
            default:
                conv = divisible;
        }
        List<String> problems = problems(p, conv);
        if (!problems.isEmpty()) {
            String picked = conv && !architecture.equals("conv")
                    ? " (architecture: " + architecture + " picks the conv nets for this data's shape " + shape.dims()
                            + ")"
                    : "";
            throw new IllegalArgumentException(problems.get(0) + picked);
        }
        float smoothing = (float) p.getDouble("label_smoothing");
        boolean conditional = p.getBoolean("conditional");
        if (conditional && !shape.labelled()) {
            throw new IllegalArgumentException("conditional: true needs labelled data; this dataset has no labels");
        }
        int pack = p.getInt("pack");
        int unroll = p.getInt("unroll_steps");
        boolean through = p.getBoolean("unroll_through");
        boolean maxout = p.getString("d_activation").equals(MAXOUT);
        List<Integer> dims = shape.dims();
        int hidden = p.getInt("hidden");
        int layers = p.getInt("layers");
        return new GanConfig(objective, conv, p.getInt("latent_dim"),
                orElse(p.getInt("hidden_g"), hidden), orElse(p.getInt("layers_g"), layers),
                orElse(p.getInt("hidden_d"), hidden), orElse(p.getInt("layers_d"), layers),
                maxout ? p.getInt("maxout_pieces") : 0, p.getString("d_activation"), p.getString("g_activation"),
                p.getBoolean("g_batchnorm"), p.getBoolean("g_batchnorm_per_slot"), (float) p.getDouble("init_std"),
                (float) p.getDouble("init_orthogonal"),
                p.getInt("channels"), (float) p.getDouble("lr_g"), (float) p.getDouble("lr_d"),
                (float) p.getDouble("beta1"), (float) p.getDouble("beta2"), p.getInt("n_critic"),
                (float) p.getDouble("gp_weight"), p.getBoolean("spectral_norm"), p.getInt("sn_iterations"),
                smoothing, (float) p.getDouble("instance_noise"), p.getLong("instance_noise_anneal"),
                p.getInt("minibatch_disc"), p.getInt("minibatch_disc_dim"), p.getBoolean("minibatch_stddev"),
                p.getBoolean("feature_matching"), unroll, through, p.getBoolean("unroll_real_term"), pack,
                p.getInt("packs_per_update"), p.getBoolean("fresh_real_per_critic"),
                p.getBoolean("simultaneous_updates"), (float) p.getDouble("ema_decay"),
                p.getString("lr_decay"), p.getLong("lr_decay_steps"), (float) p.getDouble("lr_decay_gamma"),
                conditional, p.getString("image_range"), shape.numClasses(), dims);
    }

    private static int orElse(int value, int fallback) {
        return value > 0 ? value : fallback;
    }

    /** @return the per-example dims as an array */
    int[] exampleDims() {
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the per-example dims of D's input after packing m examples: [m·d] or [m·C, H, W] */
    int[] packedDims() {
        int[] d = exampleDims();
        d[0] *= pack;
        return d;
    }

    /**
     * The learning-rate factor of both networks during generator step {@code step} (and its critic updates):
     * linear max(0, 1 − t/N), step γ^⌊t/N⌋, or 1 without decay.
     *
     * @param step 0-based generator-step count t
     * @return the factor on lr_g and lr_d
     */
    double rateFactor(long step) {
        switch (lrDecay) {
            case LINEAR:
                return Math.max(0.0, 1.0 - (double) step / lrDecaySteps);
            case STEP:
                return Math.pow(lrDecayGamma, (double) (step / lrDecaySteps));
            default:
                return 1.0;
        }
    }

    /**
     * @param step 0-based generator-step count
     * @return the instance-noise std at that step
     */
    float noiseAt(long step) {
        if (instanceNoise == 0 || instanceNoiseAnneal == 0) {
            return instanceNoise;
        }
        return (float) (instanceNoise * Math.max(0.0, 1.0 - (double) step / instanceNoiseAnneal));
    }
}
