package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;

/**
 * Activation normalisation (Kingma &amp; Dhariwal, "Glow", 2018): y = (x + b) ⊙ exp(s) per dimension, with
 * log|det ∂y/∂x| = Σ s. Data-initialised: before the first step, b and s are set so that the layer's output on
 * the first batch has zero mean and unit variance per dimension; afterwards they are trained like any weight.
 * Functional like {@link dev.genlab.nn.Dense}: it holds the indices of b and s in its {@link Parameters} scope.
 *
 * @param bias index of b [D]
 * @param logScale index of s [D]
 */
record ActNorm(int bias, int logScale) {

    private static final NDIndex ALL = new NDIndex("...");

    /** @return an identity layer named {@code name.bias}, {@code name.log_scale} */
    static ActNorm create(Parameters p, String name, int dim) {
        return new ActNorm(p.add(name + ".bias", new Shape(dim), Init.zeros()),
                p.add(name + ".log_scale", new Shape(dim), Init.zeros()));
    }

    /** @return y [n, D] = (x + b) ⊙ exp(s) */
    NDArray forward(NDArray[] w, NDArray x) {
        return x.add(w[bias]).mul(w[logScale].exp());
    }

    /** @return log|det| of the layer, a scalar (the same for every example) */
    NDArray logDet(NDArray[] w) {
        return w[logScale].sum();
    }

    /** @return x = y ⊙ exp(−s) − b */
    NDArray inverse(NDArray[] w, NDArray y) {
        return y.mul(w[logScale].neg().exp()).sub(w[bias]);
    }

    /**
     * Sets b = −mean(x) and s = −log(std(x) + 10⁻⁶) over the batch, in place in {@code stored}.
     *
     * @param stored the scope's stored arrays
     * @param x this layer's input on the first batch [n, D]
     */
    void initialize(NDArray[] stored, NDArray x) {
        NDArray mean = x.mean(new int[] {0});
        NDArray std = x.sub(mean).square().mean(new int[] {0}).sqrt();
        stored[bias].set(ALL, mean.neg());
        stored[logScale].set(ALL, std.add(1e-6f).log().neg());
    }
}
