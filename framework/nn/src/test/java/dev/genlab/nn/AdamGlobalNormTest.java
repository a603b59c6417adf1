package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * The global gradient norm that clipping and skipping rely on (moved from the VAE plugin's own Adam test):
 * squares are summed in float64, and a skipped update of stored gradients still zeroes them.
 */
class AdamGlobalNormTest {

    @Test
    void hugeButFiniteGradientsHaveAFiniteNormAndAreClipped() {
        // Float32 squares of 1e30 overflow; their float64 sum does not.
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(new float[] {1f, 2f}));
            Adam adam = new Adam(p, Adam.Options.lr(0.1).clipNorm(1).skipNonFinite(true));
            Adam.Update u = adam.step(new NDArray[] {m.create(new float[] {1e30f, 1e30f})});
            assertTrue(u.applied());
            assertEquals(Math.sqrt(2) * 1e30, u.gradNorm(), 1e24);
            // Clipped to norm 1, then Adam's first step moves each weight by lr against the gradient's sign.
            assertArrayEquals(new float[] {0.9f, 1.9f}, p.stored()[0].toFloatArray(), 1e-5f);
        }
    }

    @Test
    void aSkippedUpdateOfStoredGradientsLeavesWeightsAndZeroesGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(new float[] {1f, 2f}));
            p.requireGradients();
            Adam adam = new Adam(p, Adam.Options.lr(0.1).skipNonFinite(true));
            NDArray x = p.stored()[0];
            try (var c = Engine.getInstance().newGradientCollector()) {
                c.backward(x.mul(m.create(new float[] {Float.POSITIVE_INFINITY, 1f})).sum());
            }
            Adam.Update u = adam.step();
            assertFalse(u.applied());
            assertTrue(Double.isInfinite(u.gradNorm()), "norm " + u.gradNorm());
            assertEquals(0, adam.steps());
            assertEquals(1, adam.skipped());
            assertArrayEquals(new float[] {1f, 2f}, x.toFloatArray());
            assertArrayEquals(new float[] {0f, 0f}, x.getGradient().toFloatArray(), "gradients are zeroed");
        }
    }
}
