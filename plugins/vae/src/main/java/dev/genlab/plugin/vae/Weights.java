package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable arrays of one network, created in a fixed order on one manager, and the functional layers
 * that read them. Initialisation follows PyTorch's defaults for linear and convolution layers (weights and
 * biases uniform in ±1/√fan_in), drawn from the engine's seeded generator so a trial seed fixes them.
 */
final class Weights {

    private final NDManager manager;
    private final List<NDArray> arrays = new ArrayList<>();

    Weights(NDManager manager) {
        this.manager = manager;
    }

    private NDArray uniform(Shape shape, long fanIn) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        NDArray a = manager.randomUniform(-bound, bound, shape);
        a.setRequiresGradient(true);
        arrays.add(a);
        return a;
    }

    /** @return a dense layer y = x·Wᵀ + b with W of shape [out, in] */
    Dense dense(int in, int out) {
        return new Dense(uniform(new Shape(out, in), in), uniform(new Shape(out), in));
    }

    /** @return a k×k convolution with stride 2 and padding 1, halving the height and width (k = 4) */
    Conv conv(int in, int out, int k) {
        long fan = (long) in * k * k;
        return new Conv(uniform(new Shape(out, in, k, k), fan), uniform(new Shape(out), fan));
    }

    /**
     * @return a 2× nearest-neighbour upsampling followed by a 3×3 convolution (stride 1, padding 1): it
     *     doubles height and width like a stride-2 transposed convolution, which DJL's PyTorch engine does
     *     not implement, and avoids its checkerboard artefacts (Odena et al. 2016)
     */
    UpConv upConv(int in, int out) {
        long fan = (long) in * 9;
        return new UpConv(uniform(new Shape(out, in, 3, 3), fan), uniform(new Shape(out), fan));
    }

    /** @return every array, in creation order (the save and optimiser order) */
    List<NDArray> arrays() {
        return List.copyOf(arrays);
    }

    /** @return the number of scalars in all arrays */
    long count() {
        return arrays.stream().mapToLong(NDArray::size).sum();
    }

    /** A fully connected layer. */
    record Dense(NDArray weight, NDArray bias) {
        NDArray forward(NDArray x) {
            return Linear.linear(x, weight, bias).singletonOrThrow();
        }
    }

    /** A stride-2 convolution. */
    record Conv(NDArray weight, NDArray bias) {
        NDArray forward(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, new Shape(2, 2), new Shape(1, 1)).singletonOrThrow();
        }
    }

    /** Nearest-neighbour 2× upsampling, then a 3×3 convolution. */
    record UpConv(NDArray weight, NDArray bias) {
        NDArray forward(NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            NDArray up = x.reshape(b, c, h, 1, w, 1).broadcast(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w);
            return Conv2d.conv2d(up, weight, bias, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
        }
    }
}
