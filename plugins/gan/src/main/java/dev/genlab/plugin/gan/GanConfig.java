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
 * @param hidden MLP width
 * @param layers MLP hidden layers (each network)
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
 * @param pack PacGAN packing degree m
 * @param conditional class-conditional G and projection D
 * @param imageRange output range of images: minus_one_one (tanh) or zero_one (sigmoid)
 * @param numClasses label classes of the data (0: unlabelled)
 * @param dims per-example dims of the data
 */
record GanConfig(
        Objective objective,
        boolean conv,
        int latentDim,
        int hidden,
        int layers,
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
        int pack,
        boolean conditional,
        String imageRange,
        int numClasses,
        List<Integer> dims) {

    static final String MINUS_ONE_ONE = "minus_one_one";
    static final String ZERO_ONE = "zero_one";

    /** Copies the dims. */
    GanConfig {
        dims = List.copyOf(dims);
    }

    /**
     * The rules between parameters that hold whatever the data; {@link GanProvider#validate} reports them
     * before training and {@link #from} enforces them.
     *
     * @param p validated, defaulted parameters
     * @return one message per broken rule
     */
    static List<String> problems(Params p) {
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
        if (unroll > 0 && p.getBoolean("unroll_through") && p.getString("architecture").equals("conv")) {
            out.add("unroll_through: true needs the MLP discriminator (its weight gradients are written out as "
                    + "differentiable operations); set unroll_through: false for the conv nets, or architecture: mlp");
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException if the parameters contradict each other or the data
     */
    static GanConfig from(Params p, DataShape shape) {
        List<String> problems = problems(p);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
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
        float smoothing = (float) p.getDouble("label_smoothing");
        boolean conditional = p.getBoolean("conditional");
        if (conditional && !shape.labelled()) {
            throw new IllegalArgumentException("conditional: true needs labelled data; this dataset has no labels");
        }
        int pack = p.getInt("pack");
        int unroll = p.getInt("unroll_steps");
        boolean through = p.getBoolean("unroll_through");
        if (unroll > 0 && through && conv) {
            throw new IllegalArgumentException("unroll_through: true needs the MLP discriminator (its weight "
                    + "gradients are written out as differentiable operations); set unroll_through: false "
                    + "for the conv nets, or architecture: mlp");
        }
        List<Integer> dims = shape.dims();
        return new GanConfig(objective, conv, p.getInt("latent_dim"), p.getInt("hidden"), p.getInt("layers"),
                p.getInt("channels"), (float) p.getDouble("lr_g"), (float) p.getDouble("lr_d"),
                (float) p.getDouble("beta1"), (float) p.getDouble("beta2"), p.getInt("n_critic"),
                (float) p.getDouble("gp_weight"), p.getBoolean("spectral_norm"), p.getInt("sn_iterations"),
                smoothing, (float) p.getDouble("instance_noise"), p.getLong("instance_noise_anneal"),
                p.getInt("minibatch_disc"), p.getInt("minibatch_disc_dim"), p.getBoolean("minibatch_stddev"),
                p.getBoolean("feature_matching"), unroll, through, pack, conditional,
                p.getString("image_range"), shape.numClasses(), dims);
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
