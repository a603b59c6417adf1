package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading what a checkpoint holds without a model to load it into. */
class CheckpointContentsTest {

    private long steps = 42;
    private double temperature = 0.25;

    @Test
    void listsKindVersionTensorsAndValuesInFileOrder() throws IOException {
        byte[] saved;
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            Dense.create(p.scope("net"), "fc", 3, 2);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Checkpoint("toy", 3).tensor("layout", m.create("mlp(3, 2)".getBytes(StandardCharsets.UTF_8)))
                    .part("", p).longValue("steps", () -> steps, v -> steps = v)
                    .doubleValue("temperature", () -> temperature, v -> temperature = v).write(out);
            saved = out.toByteArray();
        }
        CheckpointContents c = CheckpointContents.read(saved);
        assertEquals("toy", c.kind());
        assertEquals(3, c.version());
        assertEquals(List.of("layout", "net.fc.weight", "net.fc.bias"), List.copyOf(c.tensors().keySet()));
        CheckpointContents.Tensor layout = c.tensors().get("layout");
        assertEquals(DataType.INT8, layout.type());
        assertEquals("mlp(3, 2)", new String(layout.data(), StandardCharsets.UTF_8));
        assertEquals(new Shape(2, 3), c.tensors().get("net.fc.weight").shape());
        assertEquals(6 * 4, c.tensors().get("net.fc.weight").data().length);
        assertEquals(42L, c.values().get("steps"));
        assertEquals(0.25, c.values().get("temperature"));
        assertArrayEquals(new Object[] {"steps", "temperature"}, c.values().keySet().toArray());
    }

    @Test
    void anythingButAnIntactCheckpointIsRefused() throws IOException {
        byte[] saved;
        try (NDManager m = NDManager.newBaseManager()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Checkpoint("toy", 1).tensor("x", m.ones(new Shape(4))).write(out);
            saved = out.toByteArray();
        }
        byte[] truncated = Arrays.copyOf(saved, saved.length - 3);
        assertTrue(assertThrows(Checkpoint.CheckpointException.class,
                () -> CheckpointContents.read(truncated)).getMessage().contains("checksum"));
        assertTrue(assertThrows(Checkpoint.CheckpointException.class,
                () -> CheckpointContents.read(new byte[100])).getMessage().contains("checkpoint mark"));
        assertTrue(assertThrows(Checkpoint.CheckpointException.class,
                () -> CheckpointContents.read(new byte[] {1, 2})).getMessage().contains("too short"));
    }
}
