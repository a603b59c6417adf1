package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015) and AdamW (Loshchilov &amp; Hutter 2019), the one optimiser of every paradigm.
 *
 * <p>The update is PyTorch's {@code torch.optim.Adam}/{@code AdamW}, with ε outside the bias-corrected root:
 * <pre>
 * g ← s·g                      s = min(1, clip/‖g‖) when clipping (‖g‖ the global L2 norm of all gradients)
 * w ← w·(1 − η·λ)              AdamW's decoupled weight decay λ
 * m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
 * w ← w − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)        η = lr·min(1, t/warm-up)
 * </pre>
 * It runs as the engine's fused kernel, one native call per tensor (the step time of the small 2-D networks is
 * dominated by call count), with the bias corrections folded into its step size and ε (ε·√(1−β₂ᵗ)), which is the
 * same update. With {@link Options#skipNonFinite} an update whose gradients are not all finite is skipped whole
 * (moments and t untouched), as loss scalers do, so one overflow cannot turn every weight into NaN. The global
 * norm is computed (one host read per step) only when clipping or skipping asks for it.
 *
 * <p>{@link #start()} and {@link #step(State, NDArray[])} are the same update as out-of-place, differentiable
 * operations, for users that differentiate through optimiser steps (unrolled GANs). Moments, the update count and
 * the skip count are a {@link Checkpoint.Part}, so a resumed run continues bit for bit.
 */
public final class Adam implements Checkpoint.Part {

    /**
     * Adam's settings.
     *
     * @param lr peak learning rate η
     * @param beta1 β₁
     * @param beta2 β₂
     * @param eps ε
     * @param weightDecay AdamW's decoupled weight decay λ (0: plain Adam)
     * @param clipNorm largest global gradient L2 norm (0: no clipping)
     * @param skipNonFinite skip an update whose gradients are not all finite
     * @param warmupSteps updates over which the rate rises linearly to {@code lr} (0: none)
     */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, double clipNorm,
            boolean skipNonFinite, long warmupSteps) {

        public Options {
            if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)
                    || !(weightDecay >= 0) || !(clipNorm >= 0) || warmupSteps < 0) {
                throw new IllegalArgumentException("invalid Adam options " + this);
            }
        }

        /** @return Adam with rate {@code lr} and PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8, nothing else */
        public static Options lr(double lr) {
            return new Options(lr, 0.9, 0.999, 1e-8, 0, 0, false, 0);
        }

        public Options betas(double b1, double b2) {
            return new Options(lr, b1, b2, eps, weightDecay, clipNorm, skipNonFinite, warmupSteps);
        }

        public Options eps(double value) {
            return new Options(lr, beta1, beta2, value, weightDecay, clipNorm, skipNonFinite, warmupSteps);
        }

        public Options weightDecay(double value) {
            return new Options(lr, beta1, beta2, eps, value, clipNorm, skipNonFinite, warmupSteps);
        }

        public Options clipNorm(double value) {
            return new Options(lr, beta1, beta2, eps, weightDecay, value, skipNonFinite, warmupSteps);
        }

        public Options skipNonFinite(boolean value) {
            return new Options(lr, beta1, beta2, eps, weightDecay, clipNorm, value, warmupSteps);
        }

        public Options warmup(long steps) {
            return new Options(lr, beta1, beta2, eps, weightDecay, clipNorm, skipNonFinite, steps);
        }
    }

    /**
     * What one call to {@code step} did.
     *
     * @param gradNorm the global gradient norm before clipping; NaN when neither clipping nor skipping needed it
     * @param applied false when the update was skipped for non-finite gradients
     */
    public record Update(double gradNorm, boolean applied) {}

    /** The state of a functional (out-of-place) Adam trajectory; every array may be part of a graph. */
    public record State(NDArray[] params, NDArray[] first, NDArray[] second, long t) {}

    private static final NDIndex ALL = new NDIndex("...");
    private static final float TINY = 1e-16f;

    private final Options options;
    private final List<String> names;
    private final NDArray[] params;
    private final NDArray[] first;
    private final NDArray[] second;
    private long t;
    private long skipped;
    /** Multiplier on η set by the caller (learning-rate decay); not part of the checkpoint. */
    private double rateScale = 1;

    /**
     * @param params the trainable arrays of this scope are optimised; the moments live on its manager
     * @param options the settings
     */
    public Adam(Parameters params, Options options) {
        this.options = options;
        this.names = params.names();
        this.params = params.stored();
        NDManager manager = params.manager();
        first = new NDArray[this.params.length];
        second = new NDArray[this.params.length];
        for (int i = 0; i < this.params.length; i++) {
            first[i] = manager.zeros(this.params[i].getShape());
            second[i] = manager.zeros(this.params[i].getShape());
        }
    }

    /** @return the settings */
    public Options options() {
        return options;
    }

    /** @return updates applied so far (t) */
    public long steps() {
        return t;
    }

    /** @return updates skipped for non-finite gradients */
    public long skipped() {
        return skipped;
    }

    /** @return η for update number {@code step} (1-based), after warm-up, times the {@link #setRateScale rate scale} */
    public double rate(long step) {
        double lr = options.lr() * rateScale;
        return options.warmupSteps() > 0 ? lr * Math.min(1.0, (double) step / options.warmupSteps()) : lr;
    }

    /**
     * Sets a multiplier on the learning rate for the following updates (in place and functional): a
     * learning-rate schedule such as linear decay to 0 sets it before each update. The moments and t advance
     * as usual whatever the scale (as under PyTorch's {@code LambdaLR}). It is not saved in checkpoints: a
     * caller derives it from a step count it saves itself.
     *
     * @param scale factor ≥ 0 (1 at creation)
     */
    public void setRateScale(double scale) {
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("learning-rate scale must be finite and >= 0, got " + scale);
        }
        rateScale = scale;
    }

    /** @return the current {@link #setRateScale rate scale} */
    public double rateScale() {
        return rateScale;
    }

    /**
     * One update from the stored parameters' own gradients (the "stored" way: they require gradients), which are
     * then set to zero, because the engine adds every backward pass into them.
     */
    public Update step() {
        NDArray[] grads = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            grads[i] = params[i].getGradient();
        }
        Update u = step(grads);
        for (NDArray g : grads) {
            // Assign, not g − g: that leaves NaN where a gradient was infinite.
            g.set(ALL, 0f);
        }
        return u;
    }

    /**
     * One in-place update of the stored parameters.
     *
     * @param grads one gradient per parameter, in {@link Parameters#stored()} order (e.g. of its views)
     */
    public Update step(NDArray[] grads) {
        if (grads.length != params.length) {
            throw new IllegalArgumentException(grads.length + " gradients for " + params.length + " parameters");
        }
        double norm = Double.NaN;
        float scale = 1f;
        if (options.clipNorm() > 0 || options.skipNonFinite()) {
            norm = globalNorm(grads);
            if (!Double.isFinite(norm) && options.skipNonFinite()) {
                skipped++;
                return new Update(norm, false);
            }
            if (options.clipNorm() > 0 && norm > options.clipNorm()) {
                scale = (float) (options.clipNorm() / norm);
            }
        }
        t++;
        double rate = rate(t);
        double c1 = 1 - Math.pow(options.beta1(), t);
        double root2 = Math.sqrt(1 - Math.pow(options.beta2(), t));
        float stepSize = (float) (rate * root2 / c1);
        float eps = (float) (options.eps() * root2);
        for (int i = 0; i < params.length; i++) {
            if (options.weightDecay() > 0) {
                params[i].muli((float) (1 - rate * options.weightDecay()));
            }
            // The engine's fused kernel: m ← β₁m + (1−β₁)sg, v ← β₂v + (1−β₂)(sg)², w ← w − α·m/(√v + ε') with the
            // clip scale s as its gradient rescaling (a negative clip value disables its own clamp).
            params[i].getNDArrayInternal().adamUpdate(new NDList(params[i], grads[i], first[i], second[i]),
                    new NDList(params[i]), (float) rate, stepSize, 0f, scale, -1f,
                    (float) options.beta1(), (float) options.beta2(), eps, false, false);
        }
        return new Update(norm, true);
    }

    /** ‖(g₁, …, gₙ)‖ with squares summed in float64: float32 squares overflow long before the gradients do. */
    static double globalNorm(NDArray[] grads) {
        NDList squares = new NDList(grads.length);
        for (NDArray g : grads) {
            squares.add(g.toType(DataType.FLOAT64, false).square().sum());
        }
        return Math.sqrt(NDArrays.stack(squares).sum().getDouble());
    }

    /** @return the stored weights and current moments, as the start of a functional trajectory */
    public State start() {
        return new State(params.clone(), first.clone(), second.clone(), t);
    }

    /**
     * One out-of-place update (no clipping, skipping or weight decay): nothing is modified, every result is a new
     * array, differentiable with respect to the state and the gradients. √(v + 10⁻¹⁶) replaces √v so that its
     * derivative stays finite where v = 0.
     *
     * @return the state after the update
     */
    public State step(State s, NDArray[] grads) {
        long next = s.t() + 1;
        double rate = rate(next);
        double root2 = Math.sqrt(1 - Math.pow(options.beta2(), next));
        double stepSize = rate * root2 / (1 - Math.pow(options.beta1(), next));
        double eps = options.eps() * root2;
        float b1 = (float) options.beta1();
        float b2 = (float) options.beta2();
        int n = s.params().length;
        NDArray[] p = new NDArray[n];
        NDArray[] m = new NDArray[n];
        NDArray[] v = new NDArray[n];
        for (int i = 0; i < n; i++) {
            NDArray g = grads[i];
            m[i] = s.first()[i].mul(Scalars.of(g, b1)).add(g.mul(Scalars.of(g, 1 - b1)));
            v[i] = s.second()[i].mul(Scalars.of(g, b2)).add(g.square().mul(Scalars.of(g, 1 - b2)));
            p[i] = s.params()[i].sub(m[i].mul(Scalars.of(g, stepSize))
                    .div(v[i].add(Scalars.of(g, TINY)).sqrt().add(Scalars.of(g, eps))));
        }
        return new State(p, m, v, next);
    }

    @Override
    public void addTo(Checkpoint checkpoint, String prefix) {
        for (int i = 0; i < params.length; i++) {
            checkpoint.tensor(prefix + "m." + names.get(i), first[i]);
            checkpoint.tensor(prefix + "v." + names.get(i), second[i]);
        }
        checkpoint.longValue(prefix + "t", () -> t, value -> t = value);
        checkpoint.longValue(prefix + "skipped", () -> skipped, value -> skipped = value);
    }
}
