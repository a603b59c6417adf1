package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight arrays of one network and the layer functions that read them. Layers are addressed by the
 * index of their first array, and forward passes take the arrays as an argument, so the same network runs
 * on its stored weights (constants) or on per-step views of them that collect gradients.
 *
 * <p>Initialisation: uniform in ±1/√fan_in for weights and biases (PyTorch's default for linear and conv
 * layers), drawn from the engine's generator, which the framework seeds per trial.
 */
final class Net {

    private final NDManager manager;
    private final List<NDArray> arrays = new ArrayList<>();

    Net(NDManager manager) {
        this.manager = manager;
    }

    /** @return the index of a new dense layer's weight [out, in] (its bias follows) */
    int dense(int in, int out) {
        return layer(new Shape(out, in), new Shape(out), in);
    }

    /** @return the index of a new k×k convolution's kernel [out, in, k, k] (its bias follows) */
    int conv(int in, int out, int k) {
        return layer(new Shape(out, in, k, k), new Shape(out), (long) in * k * k);
    }

    private int layer(Shape weight, Shape bias, long fanIn) {
        int index = arrays.size();
        float bound = (float) (1 / Math.sqrt(fanIn));
        arrays.add(manager.randomUniform(-bound, bound, weight));
        arrays.add(manager.randomUniform(-bound, bound, bias));
        return index;
    }

    /** @return the live weights (updated in place by the optimiser) */
    NDArray[] stored() {
        return arrays.toArray(new NDArray[0]);
    }

    /**
     * @param scope the step's manager; the views die with it
     * @return views sharing the stored data that record gradients, detached from any earlier graph
     */
    NDArray[] views(NDManager scope) {
        NDArray[] out = new NDArray[arrays.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arrays.get(i).stopGradient();
            out[i].attach(scope);
            out[i].setRequiresGradient(true);
        }
        return out;
    }

    /** @return the number of trainable scalars */
    long count() {
        return arrays.stream().mapToLong(NDArray::size).sum();
    }

    /** y = x·Wᵀ + b. */
    static NDArray dense(NDArray[] w, int i, NDArray x) {
        return Linear.linear(x, w[i], w[i + 1]).singletonOrThrow();
    }

    /** A 4×4 convolution with stride 2 and padding 1: halves height and width. */
    static NDArray down(NDArray[] w, int i, NDArray x) {
        return Conv2d.conv2d(x, w[i], w[i + 1], new Shape(2, 2), new Shape(1, 1)).singletonOrThrow();
    }

    /**
     * Doubles height and width: nearest-neighbour upsampling, then a 3×3 convolution (stride 1, padding 1).
     * It stands in for a stride-2 transposed convolution, which DJL's PyTorch engine lacks, and has no
     * checkerboard artefacts.
     */
    static NDArray up(NDArray[] w, int i, NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long wd = s.get(3);
        NDArray big = x.reshape(b, c, h, 1, wd, 1).broadcast(b, c, h, 2, wd, 2).reshape(b, c, 2 * h, 2 * wd);
        return Conv2d.conv2d(big, w[i], w[i + 1], new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
    }
}
