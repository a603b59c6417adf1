package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * The un-patching case of the transposed convolution (kernel = stride, no padding: the U-Net's up-sampling),
 * which runs as a 1×1 convolution and depth-to-space: its values against the definition
 * ({@link ConvTest#direct}) and its gradients against the general zero-insertion path.
 */
class ConvPatchTest {

    @Test
    void kernelEqualToStrideIsTheDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            for (int s = 1; s <= 4; s++) {
                NDArray x = m.randomNormal(new Shape(2, 3, 3, 4));
                NDArray kernel = m.randomNormal(new Shape(3, 5, s, s));
                NDArray b = m.randomNormal(new Shape(5));
                NDArray y = Conv.transposed(x, kernel, b, s, 0);
                assertEquals(new Shape(2, 5, 3 * s, 4 * s), y.getShape());
                double[] expected = ConvTest.direct(x.toFloatArray(), kernel.toFloatArray(), b.toFloatArray(), 2, 3, 5,
                        3, 4, s, s, 0);
                float[] got = y.toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    assertEquals(expected[i], got[i], 1e-4, "s = " + s + ", element " + i);
                }
            }
        }
    }

    @Test
    void itsGradientsAreThoseOfTheGeneralPath() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(6);
            NDArray x = m.randomNormal(new Shape(2, 4, 3, 3));
            NDArray kernel = m.randomNormal(new Shape(4, 3, 2, 2));
            NDArray weights = m.randomNormal(new Shape(2, 3, 6, 6));
            float[][] fast = gradients(m, x, kernel, weights, false);
            float[][] general = gradients(m, x, kernel, weights, true);
            for (int a = 0; a < 2; a++) {
                for (int i = 0; i < fast[a].length; i++) {
                    assertEquals(general[a][i], fast[a][i], 1e-4, "gradient " + a + ", element " + i);
                }
            }
        }
    }

    /** d/dx and d/dw of Σ weights·transposed(x, w) with s = k = 2, by the fast or the zero-insertion path. */
    private static float[][] gradients(NDManager m, NDArray x0, NDArray w0, NDArray weights, boolean general) {
        try (NDManager s = m.newSubManager()) {
            NDArray x = x0.duplicate();
            NDArray w = w0.duplicate();
            x.attach(s);
            w.attach(s);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            try (GradientCollector c = s.getEngine().newGradientCollector()) {
                // The kernel padded to 3×3 with a zero last row and column is the same map, computed by zero
                // insertion (k = 3, s = 2, p = 0), with one more output row and column, cropped.
                NDArray padded = w.concat(s.zeros(new Shape(4, 3, 1, 2)), 2).concat(s.zeros(new Shape(4, 3, 3, 1)), 3);
                NDArray y = general
                        ? Conv.transposed(x, padded, null, 2, 0).get(":, :, 0:6, 0:6")
                        : Conv.transposed(x, w, null, 2, 0);
                c.backward(y.mul(weights).sum());
            }
            return new float[][] {x.getGradient().toFloatArray(), w.getGradient().toFloatArray()};
        }
    }
}
