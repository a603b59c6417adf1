package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** A DJL block as a genlab-nn model: adopted into a parameter set, trained by the one Adam, checkpointed. */
class BlockTest {

    private static SequentialBlock block(NDManager m) {
        SequentialBlock b = Mlp.block(new int[] {16, 1}, Activation::relu);
        b.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        return b;
    }

    private static float loss(SequentialBlock b, NDManager m, NDArray x, NDArray y, boolean train) {
        try (NDManager s = m.newSubManager()) {
            NDArray out = b.forward(new ParameterStore(s, false), new NDList(x), train).singletonOrThrow();
            return out.sub(y).square().mean().getFloat();
        }
    }

    @Test
    void anAdoptedBlockTrainsWithAdamAndRoundTripsThroughACheckpoint() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(64, 2));
            NDArray y = x.get(":, 0:1").mul(x.get(":, 1:2")); // a product: needs the hidden layer
            Parameters p = new Parameters(m);
            SequentialBlock b = p.adopt("mlp", block(m));
            assertEquals(2 * 16 + 16 + 16 + 1, p.count());
            Adam adam = new Adam(p, Adam.Options.lr(0.01));
            float before = loss(b, m, x, y, false);
            for (int step = 0; step < 200; step++) {
                try (NDManager s = m.newSubManager(); GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    NDArray out = b.forward(new ParameterStore(s, false), new NDList(x), true).singletonOrThrow();
                    c.backward(out.sub(y).square().mean());
                }
                assertTrue(adam.step().applied());
            }
            float after = loss(b, m, x, y, false);
            assertTrue(after < before / 2, "loss " + before + " -> " + after);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Checkpoint("block", 1).part("", p).part("adam", adam).write(out);
            Parameters q = new Parameters(m);
            SequentialBlock other = q.adopt("mlp", block(m));
            Adam otherAdam = new Adam(q, Adam.Options.lr(0.01));
            new Checkpoint("block", 1).part("", q).part("adam", otherAdam).read(new ByteArrayInputStream(out.toByteArray()));
            assertEquals(after, loss(other, m, x, y, false));
            assertEquals(200, otherAdam.steps());
            for (int i = 0; i < p.stored().length; i++) {
                assertArrayEquals(p.stored()[i].toFloatArray(), q.stored()[i].toFloatArray(), p.names().get(i));
            }
        }
    }

    @Test
    void anUninitialisedBlockIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            assertThrows(IllegalStateException.class, () -> p.adopt("mlp", Mlp.block(new int[] {4, 1}, Activation::relu)));
        }
    }
}
