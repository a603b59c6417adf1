package dev.genlab.plugin.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

    /** Sets p's gradient to c by back-propagating Σ p·c. */
    private static void gradient(NDArray p, float[] c) {
        try (GradientCollector collector = p.getManager().getEngine().newGradientCollector()) {
            collector.backward(p.mul(p.getManager().create(c)).sum());
        }
    }

    @Test
    void clipsTheGlobalNormAndSkipsNonFiniteGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, 2f});
            p.setRequiresGradient(true);
            Adam adam = new Adam(m, List.of(p), 0.1);

            gradient(p, new float[] {3f, 4f});
            assertEquals(5.0, adam.step(1, 1.0), 1e-6);
            // The clipped gradient (0.6, 0.8) entered the first moment: m = (1 − β₁)·g.
            assertArrayEquals(new float[] {0.06f, 0.08f}, adam.state().get(0).toFloatArray(), 1e-6f);
            // Adam's first step moves each weight by lr against the gradient's sign, whatever its scale.
            assertArrayEquals(new float[] {0.9f, 1.9f}, p.toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0f, 0f}, p.getGradient().toFloatArray(), "gradients are zeroed");

            gradient(p, new float[] {Float.POSITIVE_INFINITY, 1f});
            double norm = adam.step(2, 1.0);
            assertTrue(Double.isInfinite(norm), "norm " + norm);
            assertArrayEquals(new float[] {0.9f, 1.9f}, p.toFloatArray(), 1e-6f, "a non-finite step is skipped");
            assertArrayEquals(new float[] {0.06f, 0.08f}, adam.state().get(0).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0f, 0f}, p.getGradient().toFloatArray());

            // Without clipping, a huge but finite gradient still has a finite norm (squares in float64).
            gradient(p, new float[] {1e30f, 1e30f});
            assertEquals(Math.sqrt(2) * 1e30, adam.step(2, 0), 1e24);
        }
    }
}
