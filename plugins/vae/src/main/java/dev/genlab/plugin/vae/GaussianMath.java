package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import dev.genlab.nn.Scalars;

/**
 * Closed-form quantities of diagonal Gaussians and of the Bernoulli likelihood, elementwise on
 * {@link NDArray}s (differentiable) and in nats. Variances are passed as log-variances, the VAE encoder's
 * output, so no operation needs a square root or a division by a possibly tiny variance. Constants that
 * autograd keeps for the backward pass (factors, the softplus clamp) are engine-allocated {@link Scalars}.
 */
public final class GaussianMath {

    /** log(2π). */
    public static final double LOG_2PI = Math.log(2 * Math.PI);

    private GaussianMath() {}

    /**
     * KL(N(μ₁, e^{v₁}) ‖ N(μ₂, e^{v₂})) per coordinate: ½(v₂ − v₁ + (e^{v₁} + (μ₁ − μ₂)²)·e^{−v₂} − 1).
     *
     * @param mu1 mean of the first Gaussian
     * @param logvar1 log-variance of the first Gaussian
     * @param mu2 mean of the second Gaussian (broadcastable)
     * @param logvar2 log-variance of the second Gaussian (broadcastable)
     * @return the elementwise KL divergence, in nats
     */
    public static NDArray klDiagonal(NDArray mu1, NDArray logvar1, NDArray mu2, NDArray logvar2) {
        NDArray diff = mu1.sub(mu2);
        return logvar2.sub(logvar1)
                .add(logvar1.exp().add(diff.square()).mul(logvar2.neg().exp()))
                .sub(1f)
                .mul(Scalars.of(mu1, 0.5));
    }

    /**
     * KL(N(μ, e^{v}) ‖ N(0, 1)) per coordinate: ½(μ² + e^{v} − v − 1), the VAE's regulariser against its
     * standard normal prior.
     *
     * @param mu posterior means
     * @param logvar posterior log-variances
     * @return the elementwise KL divergence, in nats
     */
    public static NDArray klToStandardNormal(NDArray mu, NDArray logvar) {
        return mu.square().add(logvar.exp()).sub(logvar).sub(1f).mul(Scalars.of(mu, 0.5));
    }

    /**
     * log N(x; μ, e^{v}) per coordinate: −½(log 2π + v + (x − μ)²·e^{−v}).
     *
     * @param x points
     * @param mu means
     * @param logvar log-variances
     * @return the elementwise log-density, in nats
     */
    public static NDArray logNormal(NDArray x, NDArray mu, NDArray logvar) {
        return x.sub(mu).square().mul(logvar.neg().exp()).add(logvar).add((float) LOG_2PI).mul(Scalars.of(x, -0.5));
    }

    /**
     * log N(x; μ, σ²) per coordinate with the standard deviation given directly (the decoder's
     * parameterisation): −½((x − μ)/σ)² − log σ − ½ log 2π.
     *
     * @param x points
     * @param mu means
     * @param sigma positive standard deviations (broadcastable)
     * @return the elementwise log-density, in nats
     */
    public static NDArray logNormalStd(NDArray x, NDArray mu, NDArray sigma) {
        return x.sub(mu).div(sigma).square().mul(Scalars.of(x, -0.5)).sub(sigma.log()).sub((float) (0.5 * LOG_2PI));
    }

    /**
     * log N(x; 0, 1) per coordinate.
     *
     * @param x points
     * @return the elementwise log-density, in nats
     */
    public static NDArray logStandardNormal(NDArray x) {
        return x.square().add((float) LOG_2PI).mul(Scalars.of(x, -0.5));
    }

    /**
     * softplus(x) = log(1 + eˣ), computed as max(x, 0) + log(1 + e^{−|x|}) so that neither branch
     * overflows.
     *
     * @param x any values
     * @return softplus of each
     */
    public static NDArray softplus(NDArray x) {
        return x.maximum(Scalars.of(x, 0)).add(x.abs().neg().exp().add(1f).log());
    }

    /**
     * log Bernoulli(t; sigmoid(l)) per coordinate = t·l − softplus(l); for t ∈ {0, 1} it is the
     * log-probability of the bit, for t ∈ (0, 1) the (negated) binary cross-entropy.
     *
     * @param target targets in [0, 1]
     * @param logits decoder logits
     * @return the elementwise log-likelihood, in nats
     */
    public static NDArray logBernoulli(NDArray target, NDArray logits) {
        return target.mul(logits).sub(softplus(logits));
    }
}
