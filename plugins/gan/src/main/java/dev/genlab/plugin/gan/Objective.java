package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import dev.genlab.nn.Scalars;
import java.util.Locale;

/**
 * The adversarial objectives, written on the discriminator's raw outputs ("logits" o): o_r on real and
 * o_f on generated samples. All losses are batch means and are minimised. With one-sided label smoothing
 * s (Salimans et al. 2016) the real target becomes 1 − s for the objectives that have targets.
 *
 * <ul>
 *   <li>{@code minimax} (Goodfellow et al. 2014): L_D = BCE(o_r, 1−s) + BCE(o_f, 0);
 *       L_G = −softplus(o_f) = log(1 − σ(o_f)), the saturating original;</li>
 *   <li>{@code non_saturating}: same L_D; L_G = softplus(−o_f) = −log σ(o_f);</li>
 *   <li>{@code wgan_gp} (Gulrajani et al. 2017): L_D = mean o_f − mean o_r (+ the gradient penalty,
 *       added by the paradigm); L_G = −mean o_f;</li>
 *   <li>{@code hinge} (Lim &amp; Ye 2017, Miyato et al. 2018): L_D = mean relu(1 − o_r) + mean relu(1 + o_f);
 *       L_G = −mean o_f;</li>
 *   <li>{@code lsgan} (Mao et al. 2017, a=0, b=c=1): L_D = ½ mean (o_r − (1−s))² + ½ mean o_f²;
 *       L_G = ½ mean (o_f − 1)².</li>
 * </ul>
 * where BCE(o, t) = t·softplus(−o) + (1 − t)·softplus(o), and softplus is evaluated as
 * max(o, 0) + log(1 + e^−|o|) so that large logits neither overflow nor lose the gradient.
 */
enum Objective {
    MINIMAX, NON_SATURATING, WGAN_GP, HINGE, LSGAN;

    /** @return the parameter value naming this objective, e.g. {@code non_saturating} */
    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Objective of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }

    /** @return true if the objective has real/fake targets that label smoothing can soften */
    boolean hasTargets() {
        return this == MINIMAX || this == NON_SATURATING || this == LSGAN;
    }

    /** @return true if D's output is a logit whose sigmoid is the probability "real" */
    boolean probabilistic() {
        return this == MINIMAX || this == NON_SATURATING;
    }

    /**
     * @param real D outputs on real samples, shape [n]
     * @param fake D outputs on generated samples, shape [m]
     * @param smoothing one-sided label smoothing s (0 for none)
     * @return the scalar discriminator loss (without any gradient penalty)
     */
    NDArray discriminatorLoss(NDArray real, NDArray fake, float smoothing) {
        switch (this) {
            case MINIMAX:
            case NON_SATURATING:
                return bce(real, 1f - smoothing).mean().add(softplus(fake).mean());
            case WGAN_GP:
                return fake.mean().sub(real.mean());
            case HINGE:
                return Activation.relu(real.neg().add(1f)).mean().add(Activation.relu(fake.add(1f)).mean());
            case LSGAN:
                return real.sub(1f - smoothing).square().mean().add(fake.square().mean()).mul(Scalars.of(real, 0.5));
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * The real-data part R of {@link #discriminatorLoss}: L_D(o_r, o_f) = R(o_r) + (a term of o_f alone).
     * Minus it is the real-data term of the zero-sum value the generator minimises, e.g. for the logistic
     * objectives −R = E log D(x) of f = E log D(x) + E log(1 − D(G(z))) (Metz et al. 2017).
     *
     * @param real D outputs on real samples
     * @param smoothing one-sided label smoothing s
     * @return R as a scalar
     */
    NDArray realTerm(NDArray real, float smoothing) {
        switch (this) {
            case MINIMAX:
            case NON_SATURATING:
                return bce(real, 1f - smoothing).mean();
            case WGAN_GP:
                return real.mean().neg();
            case HINGE:
                return Activation.relu(real.neg().add(1f)).mean();
            case LSGAN:
                return real.sub(1f - smoothing).square().mean().mul(Scalars.of(real, 0.5));
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * @param fake D outputs on generated samples
     * @return the scalar generator loss
     */
    NDArray generatorLoss(NDArray fake) {
        switch (this) {
            case MINIMAX:
                return softplus(fake).mean().neg();
            case NON_SATURATING:
                return softplus(fake.neg()).mean();
            case WGAN_GP:
            case HINGE:
                return fake.mean().neg();
            case LSGAN:
                return fake.sub(1f).square().mean().mul(Scalars.of(fake, 0.5));
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * The derivative of {@link #discriminatorLoss} with respect to each output, written out so that the
     * unrolled discriminator updates stay differentiable expressions (see {@link Discriminator}).
     *
     * @return {dL_D/do_r, dL_D/do_f}, shaped like {@code real} and {@code fake}
     */
    NDArray[] discriminatorLossGradient(NDArray real, NDArray fake, float smoothing) {
        float n = real.getShape().get(0);
        float m = fake.getShape().get(0);
        switch (this) {
            case MINIMAX:
            case NON_SATURATING:
                // d/do BCE(o, t) = σ(o) − t
                return new NDArray[] {
                    Activation.sigmoid(real).sub(1f - smoothing).div(Scalars.of(real, n)), Activation.sigmoid(fake).div(Scalars.of(fake, m))};
            case WGAN_GP:
                return new NDArray[] {real.onesLike().div(-n), fake.onesLike().div(m)};
            case HINGE:
                return new NDArray[] {
                    real.lt(1f).toType(DataType.FLOAT32, false).div(-n),
                    fake.gt(-1f).toType(DataType.FLOAT32, false).div(m)};
            case LSGAN:
                return new NDArray[] {real.sub(1f - smoothing).div(Scalars.of(real, n)), fake.div(Scalars.of(fake, m))};
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * @param outputs D outputs
     * @return what is logged as D(x) / D(G(z)): the probability σ(o) for the logistic objectives,
     *     the raw score otherwise
     */
    NDArray reported(NDArray outputs) {
        return probabilistic() ? Activation.sigmoid(outputs) : outputs;
    }

    /** softplus(o) = log(1 + e^o), evaluated stably. */
    static NDArray softplus(NDArray o) {
        return Activation.relu(o).add(o.abs().neg().exp().add(1f).log());
    }

    /** Binary cross-entropy of logits o against target t, per element. */
    static NDArray bce(NDArray o, float target) {
        NDArray positive = softplus(o.neg()).mul(Scalars.of(o, target));
        return target == 1f ? positive : positive.add(softplus(o).mul(Scalars.of(o, 1f - target)));
    }
}
