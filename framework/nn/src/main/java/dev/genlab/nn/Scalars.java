package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar operands that are safe inside recorded computations.
 *
 * <p>DJL 0.36's PyTorch engine turns a Java number operand ({@code x.mul(0.5f)}) into a temporary array whose
 * storage is a Java direct buffer wrapped without a copy, and closes it right after the operation. Autograd
 * keeps that scalar for the backward pass of {@code mul} and {@code div}; once the garbage collector frees the
 * buffer, backward reads freed memory (seen as sporadic NaN gradients whose step changed from run to run). An
 * array made by {@code NDManager.full} is allocated by the engine and owned by the tensor, so autograd's
 * reference keeps it valid. Multiply or divide by a constant on a differentiated path with {@link #of}.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * @param like an array whose manager, data type and device the scalar takes
     * @param value the constant
     * @return an engine-allocated 0-d array holding {@code value}
     */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
