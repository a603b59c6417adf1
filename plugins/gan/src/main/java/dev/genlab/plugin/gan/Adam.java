package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Adam (Kingma &amp; Ba 2015) in the form DJL's optimiser uses: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * w ← w − α_t·m/(√v + ε) with α_t = α·√(1−β₂ᵗ)/(1−β₁ᵗ). {@link #update} runs it in place on a network's
 * stored weights with the engine's fused kernel (one call per tensor instead of a dozen small
 * operations, which dominate the step time of the 2-D MLPs); {@link #step} is the same update as a
 * differentiable, out-of-place function, for unrolled GANs. There √(v + 10⁻¹⁶) replaces √v so that its
 * derivative stays finite where v = 0.
 */
final class Adam {

    private static final float EPS = 1e-8f;
    private static final float TINY = 1e-16f;

    private final float lr;
    private final float beta1;
    private final float beta2;
    final NDArray[] first;
    final NDArray[] second;
    private long t;

    Adam(NDManager manager, NDArray[] params, float lr, float beta1, float beta2) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        first = new NDArray[params.length];
        second = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            first[i] = manager.zeros(params[i].getShape());
            second[i] = manager.zeros(params[i].getShape());
        }
    }

    long steps() {
        return t;
    }

    void steps(long value) {
        t = value;
    }

    /** @return α_t, the bias-corrected step size of update number {@code step} (1-based) */
    private float corrected(long step) {
        return (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
    }

    /** Updates {@code params} and the moments in place with one step on {@code grads}. */
    void update(NDArray[] params, NDArray[] grads) {
        t++;
        float alpha = corrected(t);
        for (int i = 0; i < params.length; i++) {
            // No weight decay, no gradient rescaling, no clipping (a negative clip disables it).
            params[i].getNDArrayInternal().adamUpdate(new NDList(params[i], grads[i], first[i], second[i]),
                    new NDList(params[i]), lr, alpha, 0f, 1f, -1f, beta1, beta2, EPS, false, false);
        }
    }

    /** The state of a functional (out-of-place) Adam trajectory. */
    record State(NDArray[] params, NDArray[] first, NDArray[] second, long t) {}

    /** @return the current weights and moments as the start of a functional trajectory */
    State start(NDArray[] params) {
        return new State(params, first.clone(), second.clone(), t);
    }

    /**
     * One out-of-place Adam step: nothing is modified, every result is a new (differentiable) array.
     *
     * @return the state after the step
     */
    State step(State s, NDArray[] grads) {
        long next = s.t() + 1;
        float alpha = corrected(next);
        int n = s.params().length;
        NDArray[] p = new NDArray[n];
        NDArray[] m = new NDArray[n];
        NDArray[] v = new NDArray[n];
        for (int i = 0; i < n; i++) {
            NDArray g = grads[i];
            m[i] = s.first()[i].mul(Num.of(g, beta1)).add(g.mul(Num.of(g, 1 - beta1)));
            v[i] = s.second()[i].mul(Num.of(g, beta2)).add(g.square().mul(Num.of(g, 1 - beta2)));
            p[i] = s.params()[i].sub(m[i].mul(Num.of(g, alpha)).div(v[i].add(TINY).sqrt().add(EPS)));
        }
        return new State(p, m, v, next);
    }
}
