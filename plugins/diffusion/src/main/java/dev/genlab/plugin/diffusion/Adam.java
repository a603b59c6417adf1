package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Adam (Kingma &amp; Ba 2015) with bias correction, optional global-norm gradient clipping and a linear
 * learning-rate warm-up, written against raw arrays so its moments can be saved with the weights.
 * Updates happen outside any gradient recording, in place.
 */
final class Adam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final double lr;
    private final double clipNorm;
    private final int warmup;
    private final NDArray[] firstMoment;
    private final NDArray[] secondMoment;
    private long steps;

    /**
     * @param manager owner of the moments
     * @param params the parameters to be optimised (shapes only are read)
     * @param lr peak learning rate
     * @param clipNorm largest global gradient norm, 0 for no clipping
     * @param warmup steps over which the rate rises linearly to {@code lr}, 0 for none
     */
    Adam(NDManager manager, NDArray[] params, double lr, double clipNorm, int warmup) {
        this.lr = lr;
        this.clipNorm = clipNorm;
        this.warmup = warmup;
        firstMoment = new NDArray[params.length];
        secondMoment = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            firstMoment[i] = manager.zeros(params[i].getShape());
            secondMoment[i] = manager.zeros(params[i].getShape());
        }
    }

    /**
     * Applies one update from the parameters' gradients and then zeroes those gradients (PyTorch would
     * otherwise add the next step's gradients to them).
     *
     * @param params parameters with gradients, attached to a scope that owns the temporaries
     * @return the global gradient norm before clipping
     */
    double step(NDArray[] params) {
        steps++;
        NDArray[] grads = new NDArray[params.length];
        NDArray[] norms = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            grads[i] = params[i].getGradient();
            norms[i] = grads[i].norm();
        }
        // ‖g‖ = ‖(‖g_1‖, …, ‖g_n‖)‖: one reduction per tensor and one host read, not a chain of adds.
        double norm = NDArrays.stack(new NDList(norms)).norm().getFloat();
        float gradScale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        double rate = warmup > 0 ? lr * Math.min(1.0, (double) steps / warmup) : lr;
        float stepSize = (float) (rate * Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps)));
        for (int i = 0; i < params.length; i++) {
            // The engine's fused kernel: m ← β₁m + (1−β₁)sg, v ← β₂v + (1−β₂)(sg)², w ← w − α·m/(√v + ε) with
            // the clip scale s as its gradient rescaling and the bias correction folded into α (Kingma & Ba,
            // end of section 2). One native call per tensor instead of a dozen small operations.
            params[i].getNDArrayInternal().adamUpdate(
                    new NDList(params[i], grads[i], firstMoment[i], secondMoment[i]), new NDList(params[i]),
                    (float) rate, stepSize, 0f, gradScale, -1f, BETA1, BETA2, EPS, false, false);
            grads[i].subi(grads[i]);
        }
        return norm;
    }

    /** @return the first then the second moments, in parameter order (the save format) */
    NDArray[] state() {
        NDArray[] all = new NDArray[firstMoment.length * 2];
        System.arraycopy(firstMoment, 0, all, 0, firstMoment.length);
        System.arraycopy(secondMoment, 0, all, firstMoment.length, secondMoment.length);
        return all;
    }

    /** @return updates applied so far */
    long steps() {
        return steps;
    }

    /** @param steps restores the update count (bias correction and warm-up depend on it) */
    void restoreSteps(long steps) {
        this.steps = steps;
    }
}
