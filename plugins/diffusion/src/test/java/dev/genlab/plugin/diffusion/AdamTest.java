package dev.genlab.plugin.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The fused Adam update against the textbook formulas computed on the host in double precision. */
class AdamTest {

    private static final double B1 = 0.9;
    private static final double B2 = 0.999;

    @Test
    void matchesTheFormulasWithClippingAndWarmup() {
        double lr = 0.1;
        double clip = 0.5;
        int warmup = 2;
        float[][] start = {{0.5f, -1f, 2f}, {0.25f, 0.75f}};
        // Gradients of Σ c·w: constant c per step, large enough in step 1 and 2 to be clipped, not in step 3.
        float[][][] coefficients = {
            {{1f, -2f, 3f}, {0.5f, 4f}},
            {{-3f, 1f, 0.5f}, {2f, -1f}},
            {{0.1f, 0.05f, -0.2f}, {0.1f, 0f}}};
        double[][] w = {{0.5, -1, 2}, {0.25, 0.75}};
        double[][] m = {{0, 0, 0}, {0, 0}};
        double[][] v = {{0, 0, 0}, {0, 0}};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray[] params = {manager.create(start[0]), manager.create(start[1])};
            for (NDArray p : params) {
                p.setRequiresGradient(true);
            }
            Adam adam = new Adam(manager, params, lr, clip, warmup);
            for (int step = 1; step <= 3; step++) {
                float[][] c = coefficients[step - 1];
                try (NDManager scope = manager.newSubManager()) {
                    for (NDArray p : params) {
                        p.tempAttach(scope);
                    }
                    for (NDArray s : adam.state()) {
                        s.tempAttach(scope);
                    }
                    try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                        NDArray loss = params[0].mul(scope.create(c[0])).sum()
                                .add(params[1].mul(scope.create(c[1])).sum());
                        collector.backward(loss);
                    }
                    double norm = adam.step(params);

                    double squares = 0;
                    for (float[] row : c) {
                        for (float g : row) {
                            squares += (double) g * g;
                        }
                    }
                    assertEquals(Math.sqrt(squares), norm, 1e-5, "global gradient norm, step " + step);
                    double scale = Math.sqrt(squares) > clip ? clip / Math.sqrt(squares) : 1;
                    double rate = lr * Math.min(1.0, (double) step / warmup);
                    double size = rate * Math.sqrt(1 - Math.pow(B2, step)) / (1 - Math.pow(B1, step));
                    for (int t = 0; t < w.length; t++) {
                        for (int j = 0; j < w[t].length; j++) {
                            double g = c[t][j] * scale;
                            m[t][j] = B1 * m[t][j] + (1 - B1) * g;
                            v[t][j] = B2 * v[t][j] + (1 - B2) * g * g;
                            w[t][j] -= size * m[t][j] / (Math.sqrt(v[t][j]) + 1e-8);
                        }
                        assertArrayEquals(toFloats(w[t]), params[t].toFloatArray(), 1e-5f,
                                "weights of tensor " + t + " after step " + step);
                        assertArrayEquals(new float[w[t].length], params[t].getGradient().toFloatArray(), 0f,
                                "gradients are zeroed for the next step");
                    }
                }
            }
            assertEquals(3, adam.steps());
            assertArrayEquals(toFloats(m[1]), adam.state()[1].toFloatArray(), 1e-6f, "first moment");
            assertArrayEquals(toFloats(v[1]), adam.state()[3].toFloatArray(), 1e-7f, "second moment");
            assertEquals(new Shape(3), params[0].getShape());
        }
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
