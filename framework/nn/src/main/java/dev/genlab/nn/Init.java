package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * How a parameter's first values are drawn. Every initialiser draws from the engine's generator, so the
 * trial seed the framework sets before {@code create} fixes the weights.
 */
@FunctionalInterface
public interface Init {

    /**
     * @param manager owner of the new array
     * @param shape its shape
     * @return a new float32 array
     */
    NDArray create(NDManager manager, Shape shape);

    /** @return U(−bound, bound) */
    static Init uniform(double bound) {
        return (m, s) -> m.randomUniform((float) -bound, (float) bound, s);
    }

    /**
     * PyTorch's default for {@code nn.Linear} and {@code nn.Conv2d} weights and biases: U(±1/√fan_in).
     *
     * @param fanIn inputs per output unit (in·k·k for a convolution)
     */
    static Init fanIn(long fanIn) {
        return uniform(1.0 / Math.sqrt(fanIn));
    }

    /** @return N(0, std²), e.g. DCGAN's and PacGAN's N(0, 0.02²) */
    static Init normal(double std) {
        return (m, s) -> m.randomNormal(0f, (float) std, s, DataType.FLOAT32);
    }

    /** @return Glorot/Xavier uniform, U(±√(6/(fan_in + fan_out))) */
    static Init xavier(long fanIn, long fanOut) {
        return uniform(Math.sqrt(6.0 / (fanIn + fanOut)));
    }

    /** @return every value {@code value} */
    static Init constant(double value) {
        return (m, s) -> m.full(s, (float) value);
    }

    /** @return zeros */
    static Init zeros() {
        return (m, s) -> m.zeros(s);
    }
}
