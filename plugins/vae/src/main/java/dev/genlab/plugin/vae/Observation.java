package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.genlab.nn.Scalars;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The decoder's observation model p(x|z) on its raw outputs {@code [B, heads, D]}: a Gaussian with a fixed
 * std ({@code decoder_std}), a Gaussian with a learned per-coordinate std (head 1, softplus plus
 * {@code min_std}), or a Bernoulli on logits whose 0/1 outcomes map to the data's scale ({@code data_range},
 * resolved from the first data seen when {@code auto}; the resolved range is part of the model's state).
 */
final class Observation {

    private static final Logger LOG = LogManager.getLogger(Observation.class);

    private final VaeConfig config;
    private VaeConfig.DataRange range;

    Observation(VaeConfig config) {
        this.config = config;
        this.range = config.dataRange();
    }

    /** @return raw decoder outputs per data coordinate: 2 for a learned-variance Gaussian, else 1 */
    static int heads(VaeConfig config) {
        return !config.bernoulli() && config.learnedVariance() ? 2 : 1;
    }

    /** @return the data range, {@link VaeConfig.DataRange#AUTO} until resolved */
    VaeConfig.DataRange range() {
        return range;
    }

    /** Restores a saved range. */
    void range(VaeConfig.DataRange value) {
        range = value;
    }

    /** Resolves an {@code auto} range from data: [-1, 1] if any value is negative, else [0, 1]. */
    void resolveRange(NDArray x) {
        if (range == VaeConfig.DataRange.AUTO) {
            range = x.min().getFloat() < 0 ? VaeConfig.DataRange.MINUS_ONE_ONE : VaeConfig.DataRange.ZERO_ONE;
            LOG.debug("vae: data range resolved to {}", range);
        }
    }

    /**
     * @param raw decoder outputs {@code [B, heads, D]}
     * @param x examples {@code [B, D]}, in the data's scale
     * @return log p(x|z) per example {@code [B]}, in nats (differentiable)
     */
    NDArray logLikelihood(NDArray raw, NDArray x) {
        NDArray head = raw.get(":, 0, :");
        NDArray perDim;
        if (config.bernoulli()) {
            perDim = GaussianMath.logBernoulli(toUnit(x), head);
        } else if (config.learnedVariance()) {
            perDim = GaussianMath.logNormalStd(x, head, std(raw));
        } else {
            double s = config.decoderStd();
            perDim = x.sub(head).div(Scalars.of(x, s)).square().mul(Scalars.of(x, -0.5))
                    .sub((float) (Math.log(s) + 0.5 * GaussianMath.LOG_2PI));
        }
        return perDim.sum(new int[] {1});
    }

    private NDArray std(NDArray raw) {
        return GaussianMath.softplus(raw.get(":, 1, :")).add((float) config.minStd());
    }

    /** @return the decoder's mean (Bernoulli: probability) in the data's scale, {@code [B, D]} */
    NDArray mean(NDArray raw) {
        NDArray head = raw.get(":, 0, :");
        return config.bernoulli() ? fromUnit(head.neg().exp().add(1f).pow(-1f)) : head;
    }

    /** @return one draw from p(x|z), in the data's scale, {@code [B, D]} */
    NDArray draw(NDArray raw) {
        NDArray head = raw.get(":, 0, :");
        NDManager m = raw.getManager();
        if (config.bernoulli()) {
            NDArray p = head.neg().exp().add(1f).pow(-1f);
            return fromUnit(m.randomUniform(0f, 1f, p.getShape()).lt(p).toType(DataType.FLOAT32, false));
        }
        NDArray eps = m.randomNormal(head.getShape());
        return config.learnedVariance() ? head.add(eps.mul(std(raw))) : head.add(eps.mul((float) config.decoderStd()));
    }

    private NDArray toUnit(NDArray x) {
        return range == VaeConfig.DataRange.MINUS_ONE_ONE ? x.add(1f).mul(0.5f) : x;
    }

    private NDArray fromUnit(NDArray p) {
        return range == VaeConfig.DataRange.MINUS_ONE_ONE ? p.mul(2f).sub(1f) : p;
    }
}
