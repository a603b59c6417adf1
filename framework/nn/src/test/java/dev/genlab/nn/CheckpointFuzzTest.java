package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A paradigm's checkpoint bytes cut at every length, with bytes changed at random, replaced by garbage, or
 * saved by another paradigm: {@link Checkpoint#read} and {@link CheckpointContents#read} throw a
 * {@link Checkpoint.CheckpointException} and leave every tensor and value of the model as it was; never
 * another exception, never other numbers. Random choices use a fixed seed.
 */
class CheckpointFuzzTest {

    /** A model whose state is a weight matrix, a bias, a step count and a loss scale. */
    private static final class Model implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final NDArray weight;
        final NDArray bias;
        long steps;
        double scale;

        Model(float fill) {
            weight = manager.full(new Shape(4, 3), fill);
            bias = manager.full(new Shape(3), -fill);
            steps = (long) fill;
            scale = fill / 2;
        }

        Checkpoint layout(String kind) {
            return new Checkpoint(kind, 1).tensor("fc.weight", weight).tensor("fc.bias", bias)
                    .longValue("steps", () -> steps, v -> steps = v).doubleValue("scale", () -> scale, v -> scale = v);
        }

        String state() {
            return Arrays.toString(weight.toFloatArray()) + Arrays.toString(bias.toFloatArray()) + steps + "|" + scale;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    @Test
    void damagedCheckpointsAreRefusedAndChangeNothing() throws IOException {
        byte[] saved;
        String savedState;
        byte[] otherKind;
        try (Model a = new Model(7.25f)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.layout("gan").write(out);
            saved = out.toByteArray();
            savedState = a.state();
            out.reset();
            a.layout("vae").write(out);
            otherKind = out.toByteArray();
        }
        long cases = 0;
        long refused = 0;
        try (Model b = new Model(1f)) {
            String before = b.state();
            Random random = new Random(5);
            for (int n = 0; n < saved.length + 1500 + 200 + 1; n++) {
                byte[] damaged;
                if (n < saved.length) {
                    damaged = Arrays.copyOf(saved, n); // every truncation
                } else if (n < saved.length + 1500) {
                    damaged = saved.clone();
                    int at = random.nextInt(saved.length);
                    int length = random.nextInt(4) == 0 ? 1 + random.nextInt(16) : 1;
                    for (int i = at; i < Math.min(saved.length, at + length); i++) {
                        damaged[i] = (byte) (damaged[i] ^ (1 + random.nextInt(255)));
                    }
                } else if (n < saved.length + 1700) {
                    damaged = new byte[random.nextInt(2048)];
                    random.nextBytes(damaged);
                    if (damaged.length >= 8 && random.nextBoolean()) {
                        System.arraycopy(saved, 0, damaged, 0, 8); // the right mark and format, garbage after
                    }
                } else {
                    damaged = otherKind;
                }
                cases++;
                try {
                    b.layout("gan").read(new ByteArrayInputStream(damaged));
                    fail("case " + n + " was read");
                } catch (Checkpoint.CheckpointException e) {
                    refused++;
                }
                assertEquals(before, b.state(), "case " + n + " changed the model");
                if (damaged != otherKind) {
                    byte[] d = damaged;
                    assertThrows(Checkpoint.CheckpointException.class, () -> CheckpointContents.read(d), "case " + n);
                }
            }
            b.layout("gan").read(new ByteArrayInputStream(saved));
            assertEquals(savedState, b.state(), "the intact checkpoint still reads");
            assertArrayEquals(new float[] {-7.25f, -7.25f, -7.25f}, b.bias.toFloatArray());
        }
        System.out.printf("paradigm checkpoint fuzz: %d damaged checkpoints read, %d refused with the model "
                + "unchanged, 0 read with other numbers%n", cases, refused);
    }
}
