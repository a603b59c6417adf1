package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The one checkpoint format: round trip, and a clear refusal of anything else that leaves the model as it was. */
class CheckpointTest {

    /** A small model: two scoped networks, a buffer, an optimiser and a step counter. */
    static final class Model implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final Parameters params = new Parameters(manager);
        final Dense dense;
        final NDArray running;
        final Adam adam;
        long steps;

        Model(int width) {
            dense = Dense.create(params.scope("net"), "fc", 3, width);
            running = params.scope("net").buffer("running", manager.zeros(new Shape(width)));
            adam = new Adam(params.scope("net"), Adam.Options.lr(0.1));
        }

        Checkpoint layout(String kind, int version) {
            return new Checkpoint(kind, version).part("", params).part("adam", adam)
                    .longValue("steps", () -> steps, v -> steps = v);
        }

        byte[] save() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            layout("model", 1).write(out);
            return out.toByteArray();
        }

        float[] weights() {
            return params.get("net.fc.weight").toFloatArray();
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    @Test
    void roundTripRestoresEveryTensorAndValue() throws IOException {
        byte[] saved;
        float[] w;
        try (Model a = new Model(4)) {
            a.adam.step(new NDArray[] {a.manager.ones(new Shape(4, 3)), a.manager.ones(new Shape(4))});
            a.running.addi(2.5f);
            a.steps = 17;
            saved = a.save();
            w = a.weights();
        }
        try (Model b = new Model(4)) {
            b.layout("model", 1).read(new ByteArrayInputStream(saved));
            assertArrayEquals(w, b.weights());
            assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, b.running.toFloatArray());
            assertEquals(17, b.steps);
            assertEquals(1, b.adam.steps());
            assertEquals(Arrays.asList("net.fc.weight", "net.fc.bias", "net.running", "adam.m.net.fc.weight",
                    "adam.v.net.fc.weight", "adam.m.net.fc.bias", "adam.v.net.fc.bias"),
                    b.layout("model", 1).tensorNames().stream().toList());
        }
    }

    private static String refusal(Model target, byte[] bytes, String kind, int version) {
        float[] before = target.weights();
        IOException e = assertThrows(Checkpoint.CheckpointException.class,
                () -> target.layout(kind, version).read(new ByteArrayInputStream(bytes)));
        assertArrayEquals(before, target.weights(), "a refused checkpoint must leave the model untouched");
        return e.getMessage();
    }

    @Test
    void aShapeMismatchNamesTheTensorAndBothShapes() throws IOException {
        byte[] saved;
        try (Model a = new Model(4)) {
            saved = a.save();
        }
        try (Model b = new Model(5)) {
            String msg = refusal(b, saved, "model", 1);
            assertTrue(msg.contains("'net.fc.weight' is float32 (4, 3) in the file but float32 (5, 3) here"), msg);
            assertTrue(msg.contains("other networks or options"), msg);
        }
    }

    @Test
    void anotherKindOrLayoutVersionIsRefused() throws IOException {
        try (Model a = new Model(4)) {
            byte[] saved = a.save();
            assertTrue(refusal(a, saved, "model", 2).contains("holds 'model' layout 1, this model is 'model' layout 2"));
            assertTrue(refusal(a, saved, "gan", 1).contains("another paradigm or version"));
        }
    }

    @Test
    void truncatedOrDamagedBytesAreRefusedNeverHalfLoaded() throws IOException {
        try (Model a = new Model(4)) {
            a.adam.step(new NDArray[] {a.manager.ones(new Shape(4, 3)), a.manager.ones(new Shape(4))});
            byte[] saved = a.save();
            try (Model b = new Model(4)) {
                assertTrue(refusal(b, Arrays.copyOf(saved, saved.length - 20), "model", 1).contains("truncated or damaged"));
                byte[] flipped = saved.clone();
                flipped[flipped.length / 2] ^= 0x10;
                assertTrue(refusal(b, flipped, "model", 1).contains("checksum"));
                assertTrue(refusal(b, new byte[] {1, 2, 3}, "model", 1).contains("too short"));
                byte[] garbage = new byte[100];
                assertTrue(refusal(b, garbage, "model", 1).contains("genlab checkpoint mark"));
                byte[] future = saved.clone();
                future[7] = 9;
                assertTrue(refusal(b, future, "model", 1).contains("container format 9"));
            }
        }
    }

    @Test
    void aMissingOrExtraEntryIsNamed() throws IOException {
        byte[] saved;
        try (Model a = new Model(4)) {
            saved = a.save();
        }
        try (Model b = new Model(4)) {
            b.params.scope("net").buffer("extra", b.manager.zeros(new Shape(2)));
            assertTrue(refusal(b, saved, "model", 1).contains("'net.extra' is missing"));
        }
    }

    @Test
    void namesAreCheckedAndUnique() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("a", new Shape(1), Init.zeros());
            assertThrows(IllegalArgumentException.class, () -> p.add("a", new Shape(1), Init.zeros()));
            assertThrows(IllegalArgumentException.class, () -> p.add("bad name", new Shape(1), Init.zeros()));
            assertEquals(1, p.scope("s").add("b", new Shape(2), Init.zeros()) + 1);
            assertEquals(0, p.scope("s").add("c", new Shape(2), Init.zeros()) - 1);
            assertEquals(3, p.count() - 2);
        }
    }
}
