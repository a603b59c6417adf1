package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The fused in-place update, the functional update, and a hand computation agree; scalars survive GC. */
class AdamTest {

    @Test
    void inPlaceAndFunctionalUpdatesMatchTheFormula() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1f, -2f, 0.5f});
            Adam adam = new Adam(manager, new NDArray[] {w}, 0.1f, 0.5f, 0.9f);
            Adam.State functional = adam.start(new NDArray[] {w.duplicate()});
            double[] m = new double[3];
            double[] v = new double[3];
            double[] expected = {1, -2, 0.5};
            float[][] grads = {{0.3f, -1f, 0f}, {0.1f, 2f, 0f}, {-0.4f, 0.5f, 1e-3f}};
            for (int t = 1; t <= 3; t++) {
                NDArray g = manager.create(grads[t - 1]);
                functional = adam.step(functional, new NDArray[] {g});
                adam.update(new NDArray[] {w}, new NDArray[] {g});
                double alpha = 0.1 * Math.sqrt(1 - Math.pow(0.9, t)) / (1 - Math.pow(0.5, t));
                for (int i = 0; i < 3; i++) {
                    m[i] = 0.5 * m[i] + 0.5 * grads[t - 1][i];
                    v[i] = 0.9 * v[i] + 0.1 * grads[t - 1][i] * grads[t - 1][i];
                    expected[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-8);
                }
            }
            float[] e = {(float) expected[0], (float) expected[1], (float) expected[2]};
            assertArrayEquals(e, w.toFloatArray(), 1e-5f);
            assertArrayEquals(e, functional.params()[0].toFloatArray(), 1e-5f);
            assertEquals(3, adam.steps());
        }
    }

    @Test
    void engineAllocatedScalarsStayValidForTheBackwardPass() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray three = Num.of(x, 3.0);
                NDArray y = x.mul(three).sum();
                three.close(); // as DJL closes its own temporary scalars
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    manager.create(new float[4096]).close(); // reuse freed direct memory, if any
                }
                c.backward(y);
            }
            assertArrayEquals(new float[] {3f, 3f, 3f}, x.getGradient().toFloatArray());
            assertEquals(new Shape(), Num.of(x, 2).getShape());
        }
    }
}
