package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.genlab.plugin.flow.FlowConfig.Range;

/**
 * Between the data and the flow's space. Points are modelled as they are (their NLL is a continuous density).
 * Images are discrete: 256 grey levels b ∈ {0..255} per pixel, and RealNVP (§4.1) models them as
 * <pre>
 * v = (b + u)/256,  u ~ U[0, 1)ᴰ         uniform dequantisation: v ∈ [0, 1)
 * p = α + (1 − 2α)·v,  y = logit(p)      the logit transform, away from the boundaries by α
 * </pre>
 * and the flow models y. Since P(b) = ∫ p_v((b + u)/256)·256⁻ᴰ du, Jensen gives
 * <pre>
 * −log P(b) ≤ E_u[−log p_v(v)] + D·log 256,     log p_v(v) = log p_y(y) + Σ_d log(1 − 2α) − log p_d − log(1 − p_d)
 * </pre>
 * so {@link #prepare} returns y with the per-example log-Jacobian log|∂y/∂v| − D·log 256, and
 * −(log p_y(y) + logJacobian) is a one-draw estimate of that bound on the discrete data's NLL, in nats.
 * (Divide by D for nats/dim, by D·ln 2 for bits/dim.)
 */
final class DataTransform {

    private static final double LOG_256 = Math.log(256);

    private Range range;
    private final double alpha;

    DataTransform(Range range, double alpha) {
        this.range = range;
        this.alpha = alpha;
    }

    /** @return the data's kind and, for images, their scale ({@link Range#AUTO} until data were seen) */
    Range range() {
        return range;
    }

    void setRange(Range value) {
        range = value;
    }

    /** @return true for images (dequantised, logit-transformed), false for points */
    boolean discrete() {
        return range != Range.POINTS;
    }

    /** Decides an {@link Range#AUTO} image scale from data: [−1, 1] if any value is negative, else [0, 1]. */
    void resolve(NDArray x) {
        if (range == Range.AUTO) {
            range = x.min().getFloat() < 0 ? Range.MINUS_ONE_ONE : Range.ZERO_ONE;
        }
    }

    /**
     * @param x data [n, D] (images already flattened)
     * @param u dequantisation noise U[0, 1) [n, D] (ignored for points)
     * @return {y [n, D], log-Jacobian per example [n]} with log P(x) ≈ log p_y(y) + logJacobian
     */
    NDArray[] prepare(NDArray x, NDArray u) {
        if (!discrete()) {
            return new NDArray[] {x, x.getManager().zeros(new Shape(x.getShape().get(0)))};
        }
        NDArray levels = (range == Range.ZERO_ONE ? x.mul(255f) : x.add(1f).mul(127.5f)).round().clip(0, 255);
        NDArray v = levels.add(u).div(256f);
        NDArray p = v.mul((float) (1 - 2 * alpha)).add((float) alpha);
        NDArray logP = p.log();
        NDArray log1mP = p.neg().add(1f).log();
        NDArray y = logP.sub(log1mP);
        long d = x.getShape().get(1);
        NDArray logJacobian = logP.add(log1mP).neg().sum(new int[] {1})
                .add((float) (d * (Math.log(1 - 2 * alpha) - LOG_256)));
        return new NDArray[] {y, logJacobian};
    }

    /**
     * The inverse for sampling: v = (σ(y) − α)/(1 − 2α), b = ⌊256·v⌋ clipped to 0..255, returned in the data's
     * scale (b/255 or b/127.5 − 1). Points pass through.
     */
    NDArray toData(NDArray y) {
        if (!discrete()) {
            return y;
        }
        NDArray v = y.neg().exp().add(1f).pow(-1f).sub((float) alpha).div((float) (1 - 2 * alpha));
        NDArray levels = v.mul(256f).floor().clip(0, 255);
        return range == Range.MINUS_ONE_ONE ? levels.div(127.5f).sub(1f) : levels.div(255f);
    }
}
