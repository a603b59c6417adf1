package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar operands that are safe inside recorded computations.
 *
 * <p>DJL 0.36's PyTorch engine turns a Java number operand ({@code x.mul(0.5f)}) into a temporary array
 * whose storage is a Java direct buffer wrapped without a copy, and closes that array right after the
 * operation, dropping its last Java reference to the buffer. Autograd, however, keeps the scalar for the
 * backward pass of {@code mul} and {@code div}; once the garbage collector frees the buffer, the backward
 * pass reads freed memory. Observed here as sporadic NaN gradients whose step changed from run to run
 * (the identical run stayed finite when the timing of collections changed). An array made by
 * {@code NDManager.full} is allocated by the engine and owned by the tensor, so autograd's reference
 * keeps it valid; every multiplication or division by a constant on a path that is differentiated uses
 * {@link #of}.
 */
final class Num {

    private Num() {}

    /**
     * @param like an array whose manager, data type and device the scalar takes
     * @param value the constant
     * @return an engine-allocated 0-d array holding {@code value}
     */
    static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
