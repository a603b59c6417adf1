package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * A fully connected layer y = x·Wᵀ + b, functional: it holds the indices of its weight W [out, in] and bias b
 * [out] in the {@link Parameters} scope it was created in, and runs on whichever arrays of that scope it is given
 * (the stored ones, or differentiable views).
 *
 * @param weight index of W
 * @param bias index of b, or −1 for none
 * @param in input width
 * @param out output width
 */
public record Dense(int weight, int bias, int in, int out) {

    /** @return a layer with PyTorch's default initialisation, U(±1/√in) for W and b */
    public static Dense create(Parameters p, String name, int in, int out) {
        return create(p, name, in, out, Init.fanIn(in), Init.fanIn(in));
    }

    /**
     * @param biasInit null for a layer without bias
     * @return a layer named {@code name.weight}, {@code name.bias}
     */
    public static Dense create(Parameters p, String name, int in, int out, Init weightInit, Init biasInit) {
        int w = p.add(name + ".weight", new Shape(out, in), weightInit);
        int b = biasInit == null ? -1 : p.add(name + ".bias", new Shape(out), biasInit);
        return new Dense(w, b, in, out);
    }

    /**
     * @param w the scope's arrays ({@link Parameters#stored()} or {@link Parameters#views})
     * @param x [n, in]
     * @return [n, out]
     */
    public NDArray forward(NDArray[] w, NDArray x) {
        return Linear.linear(x, w[weight], bias < 0 ? null : w[bias]).singletonOrThrow();
    }
}
