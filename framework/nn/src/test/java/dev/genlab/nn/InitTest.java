package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The orthogonal initialiser against its definition: orthonormality, gain, and Q's first vector. */
class InitTest {

    @Test
    void orthogonalGivesOrthonormalColumnsOrRowsTimesTheGainFromTheSeededGaussian() {
        double gain = 1.4;
        // (rows, cols) after flattening all axes but the last: tall, wide, square, and a 3-D kernel (6 × 4).
        long[][] shapes = {{7, 3}, {3, 7}, {5, 5}, {2, 3, 4}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (long[] dims : shapes) {
                Shape shape = new Shape(dims);
                int cols = (int) dims[dims.length - 1];
                int rows = (int) (shape.size() / cols);
                Engine.getInstance().setRandomSeed(42);
                NDArray w = Init.orthogonal(gain).create(m, shape);
                assertEquals(shape, w.getShape());
                double[][] mat = matrix(w.toFloatArray(), rows, cols);
                // Gram matrix of the columns (rows ≥ cols) or of the rows: gain² · I.
                boolean tall = rows >= cols;
                int k = Math.min(rows, cols);
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        double dot = 0;
                        for (int r = 0; r < Math.max(rows, cols); r++) {
                            dot += tall ? mat[r][i] * mat[r][j] : mat[i][r] * mat[j][r];
                        }
                        assertEquals(i == j ? gain * gain : 0, dot, 1e-5, Arrays.toString(dims) + " (" + i + ", " + j + ")");
                    }
                }
                // QR with R's diagonal positive: Q's first vector is the Gaussian's first column, normalised.
                Engine.getInstance().setRandomSeed(42);
                float[] a = m.randomNormal(new Shape(Math.max(rows, cols), k)).toFloatArray();
                double norm = 0;
                for (int r = 0; r < Math.max(rows, cols); r++) {
                    norm += (double) a[r * k] * a[r * k];
                }
                norm = Math.sqrt(norm);
                for (int r = 0; r < Math.max(rows, cols); r++) {
                    double expected = gain * a[r * k] / norm;
                    assertEquals(expected, tall ? mat[r][0] : mat[0][r], 1e-5, Arrays.toString(dims) + " q0[" + r + "]");
                }
                Engine.getInstance().setRandomSeed(42);
                assertArrayEquals(w.toFloatArray(), Init.orthogonal(gain).create(m, shape).toFloatArray(), 0f,
                        "the engine seed fixes the matrix");
                Engine.getInstance().setRandomSeed(43);
                assertFalse(Arrays.equals(w.toFloatArray(), Init.orthogonal(gain).create(m, shape).toFloatArray()),
                        "another seed gives another matrix");
            }
        }
    }

    private static double[][] matrix(float[] flat, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = flat[i * cols + j];
            }
        }
        return out;
    }
}
