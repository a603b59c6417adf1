package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trial checkpoint ({@code state.bin}) cut at every byte, with bytes changed at random, replaced by garbage,
 * or taken from another trial: reading it either returns exactly what was saved or throws an
 * {@link IOException} naming the file (the runner then trains the trial from the start); never other numbers,
 * never another exception. Random choices use a fixed seed.
 */
class CheckpointsFuzzTest {

    private static long cases;
    private static long refused;

    @TempDir
    Path dir;

    @AfterAll
    static void printCounts() {
        System.out.printf("trial checkpoint fuzz: %d damaged state.bin files read, %d refused naming the file, "
                + "0 read with other numbers%n", cases, refused);
    }

    private static LoopState loop() {
        Map<String, List<Double>> history = new LinkedHashMap<>();
        history.put("nll", List.of(1.0780922174453735, 1.078092336654663, Double.NaN));
        history.put("loss_d", List.of(0.5, -0.0));
        return new LoopState(300, new StateRandom.Snapshot(123456789L, true, 0.25), new int[] {3, 1, 2, 0}, 2,
                history, 987654321L);
    }

    /** Everything read back, as comparable text. */
    private static String describe(Checkpoints.Saved s) {
        LoopState l = s.loop();
        return l.step() + "|" + l.order() + "|" + Arrays.toString(l.permutation()) + "|" + l.cursor() + "|"
                + l.history() + "|" + l.stepNanos() + "|" + s.hostRandom() + "|" + Arrays.toString(s.model());
    }

    /** @return null if the checkpoint was refused with an error naming the file, else what it read */
    private static String read(Checkpoints c, byte[] content, String hash) throws IOException {
        Files.write(c.file(), content);
        cases++;
        try {
            return describe(c.read(hash).orElseThrow());
        } catch (IOException e) {
            assertTrue(e.getMessage().startsWith(c.file().toString()), e.getMessage());
            refused++;
            return null;
        }
    }

    @Test
    void aDamagedCheckpointIsReadExactlyOrRefusedNamingTheFile() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        byte[] model = new byte[64];
        new Random(1).nextBytes(model);
        c.write("875bec9b430eb602", loop(), new StateRandom.Snapshot(-5L, false, 0.0), model);
        byte[] saved = Files.readAllBytes(c.file());
        String expected = describe(c.read("875bec9b430eb602").orElseThrow());
        assertEquals(describe(new Checkpoints.Saved(loop(), new StateRandom.Snapshot(-5L, false, 0.0), model)),
                expected);

        for (int cut = 0; cut < saved.length; cut++) {
            assertEquals(null, read(c, Arrays.copyOf(saved, cut), "875bec9b430eb602"), "cut at " + cut);
        }
        Random random = new Random(99);
        for (int n = 0; n < 2000; n++) {
            byte[] damaged = saved.clone();
            int at = random.nextInt(saved.length);
            int length = random.nextInt(4) == 0 ? 1 + random.nextInt(16) : 1;
            for (int i = at; i < Math.min(saved.length, at + length); i++) {
                damaged[i] = (byte) (damaged[i] ^ (1 + random.nextInt(255)));
            }
            assertEquals(null, read(c, damaged, "875bec9b430eb602"), "damage at " + at);
        }
        for (int n = 0; n < 200; n++) {
            byte[] garbage = new byte[random.nextInt(4096)];
            random.nextBytes(garbage);
            if (garbage.length >= 8 && random.nextBoolean()) {
                System.arraycopy(saved, 0, garbage, 0, 8); // the right mark and format, garbage after
            }
            assertEquals(null, read(c, garbage, "875bec9b430eb602"));
        }
        assertEquals(null, read(c, saved, "96be0348832881d0"), "a checkpoint of another trial");
        IOException other = assertThrows(IOException.class, () -> c.read("96be0348832881d0"));
        assertTrue(other.getMessage().contains("belongs to trial 875bec9b430eb602, not 96be0348832881d0"),
                other.getMessage());
        assertEquals(expected, read(c, saved, "875bec9b430eb602"), "the intact file still reads");
        assertArrayEquals(saved, Files.readAllBytes(c.file()));
    }
}
