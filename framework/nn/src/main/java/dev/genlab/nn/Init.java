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

    /**
     * A random (semi-)orthogonal matrix times {@code gain} (Saxe et al. 2014), as TensorFlow's and PyTorch's
     * orthogonal initialisers draw it: the last axis gives the columns and the others, flattened, the rows;
     * a Gaussian matrix of shape (max, min) of those is orthonormalised column by column (the Q of its QR
     * decomposition with R's diagonal positive, so Q is uniform over such matrices), and transposed when
     * there are fewer rows than columns. So the columns are orthonormal (× gain) when rows ≥ columns, the
     * rows otherwise.
     *
     * @param gain scale of the orthonormal vectors (the unrolled-GAN demo uses 1.4)
     */
    static Init orthogonal(double gain) {
        return (m, s) -> {
            int cols = Math.toIntExact(s.get(s.dimension() - 1));
            int rows = Math.toIntExact(s.size() / cols);
            int tall = Math.max(rows, cols);
            int narrow = Math.min(rows, cols);
            float[] a;
            try (NDArray gaussian = m.randomNormal(new Shape(tall, narrow))) {
                a = gaussian.toFloatArray();
            }
            // q[c] is column c of the tall factor, orthonormalised by modified Gram-Schmidt, twice over for
            // orthogonality to rounding (one pass loses it as the columns' condition number grows).
            double[][] q = new double[narrow][tall];
            for (int c = 0; c < narrow; c++) {
                for (int r = 0; r < tall; r++) {
                    q[c][r] = a[r * narrow + c];
                }
                for (int pass = 0; pass < 2; pass++) {
                    for (int k = 0; k < c; k++) {
                        double dot = 0;
                        for (int r = 0; r < tall; r++) {
                            dot += q[k][r] * q[c][r];
                        }
                        for (int r = 0; r < tall; r++) {
                            q[c][r] -= dot * q[k][r];
                        }
                    }
                }
                double norm = 0;
                for (int r = 0; r < tall; r++) {
                    norm += q[c][r] * q[c][r];
                }
                norm = Math.sqrt(norm);
                for (int r = 0; r < tall; r++) {
                    q[c][r] /= norm;
                }
            }
            float[] w = new float[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    w[i * cols + j] = (float) (gain * (rows >= cols ? q[j][i] : q[i][j]));
                }
            }
            return m.create(w, s);
        };
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
