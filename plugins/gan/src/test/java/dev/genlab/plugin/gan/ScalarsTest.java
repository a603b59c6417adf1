package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.nn.Scalars;
import org.junit.jupiter.api.Test;

/**
 * The scalar operands the GAN multiplies by on differentiated paths ({@link Scalars}) survive a garbage
 * collection before the backward pass (genlab-nn's own tests do not cover this engine workaround). Adam's
 * update and the transposed convolution are tested in genlab-nn.
 */
class ScalarsTest {

    @Test
    void engineAllocatedScalarsStayValidForTheBackwardPass() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray three = Scalars.of(x, 3.0);
                NDArray y = x.mul(three).sum();
                three.close(); // as DJL closes its own temporary scalars
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    manager.create(new float[4096]).close(); // reuse freed direct memory, if any
                }
                c.backward(y);
            }
            assertArrayEquals(new float[] {3f, 3f, 3f}, x.getGradient().toFloatArray());
            assertEquals(new Shape(), Scalars.of(x, 2).getShape());
        }
    }
}
