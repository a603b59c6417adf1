package dev.genlab.tracking.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages a real run's journal in every way a crash, a full disk or bit rot can (cut at every byte, bytes
 * changed, garbage and zero-filled lines added, files missing) and reads it back. What the store recovers
 * must be exactly what intact lines hold: a damaged line is dropped with a warning, never read with other
 * numbers; an intact line is never lost. {@code genlab sync} sends what these records hold, so this is what
 * it sends too. Random choices use fixed seeds.
 */
class LocalStoreFuzzTest {

    private static final String RUN = "fuzzrun0";
    private static long cases;
    private static long rejected;
    private static long lost;

    @TempDir
    Path tmp;

    private Path artifact;
    /** The reader's warnings: checked to name the journal, and kept out of the build's log. */
    private CapturedWarnings warnings;
    private List<String> lastWarnings = List.of();
    /** One writer action per journal line after the start line. */
    private final List<BiConsumer<LocalRunStore, String>> events = new ArrayList<>();

    @AfterAll
    static void printCounts() {
        System.out.printf("run store fuzz: %d damaged journals read, %d damaged lines or runs refused, "
                + "%d intact records lost%n", cases, rejected, lost);
    }

    @AfterEach
    void closeWarnings() {
        warnings.close();
    }

    @BeforeEach
    void events() throws IOException {
        warnings = new CapturedWarnings();
        artifact = tmp.resolve("samples.png");
        Files.write(artifact, "pixels".getBytes(StandardCharsets.UTF_8));
        events.add((s, r) -> s.logParams(r, Map.of("gan.lr", "2e-4", "train.steps", "300")));
        events.add((s, r) -> s.logMetrics(r, List.of(new MetricPoint("train/nll", 1.0780922174453735, 0, 1000),
                new MetricPoint("train/nll", 1.078092336654663, 10, 1001))));
        events.add((s, r) -> s.setTags(r, Map.of("genlab.trial_hash", "875bec9b430eb602", "note", "é ✓ \u0000")));
        events.add((s, r) -> s.logMetrics(r, List.of(new MetricPoint("train/loss", Double.NaN, 20, 1002),
                new MetricPoint("train/loss", Double.POSITIVE_INFINITY, 30, 1003),
                new MetricPoint("eval/modes", -0.0, 30, 1004), new MetricPoint("eval/x", 1e-300, 30, 1005))));
        events.add((s, r) -> s.logArtifact(r, artifact, "plots"));
        events.add((s, r) -> s.logMetrics(r, List.of(new MetricPoint("train/nll", 0.5, 40, 1006))));
        events.add((s, r) -> s.logMetrics(r, List.of(new MetricPoint("eval/fd", 123456789.125, 40, 1007))));
        events.add((s, r) -> s.endRun(r, RunStatus.FINISHED));
    }

    /** Writes the start line and the events whose line numbers (1-based after the start) are not skipped. */
    private Path write(String name, Set<Integer> skipped) {
        Path root = tmp.resolve(name);
        try (LocalRunStore store = new LocalRunStore(root)) {
            String exp = store.experiment("fuzz");
            store.continueRun(RUN, exp, "trial", null, Map.of("genlab.seed", "1"));
            for (int i = 0; i < events.size(); i++) {
                if (!skipped.contains(i + 1)) {
                    events.get(i).accept(store, RUN);
                }
            }
        }
        return root;
    }

    private static Path journal(Path root) {
        return root.resolve("fuzz/runs/" + RUN + "/" + LocalRunStore.JOURNAL_FILE);
    }

    /** What a record says, without the times a writer takes from the clock. */
    private static String content(Optional<RunRecord> r) {
        return r.map(x -> x.id() + "|" + x.name() + "|" + x.experimentId() + "|" + x.tags() + "|" + x.params() + "|"
                + x.status() + "|" + x.metrics() + "|" + x.artifacts()).orElse("<no run>");
    }

    private Optional<RunRecord> readDamaged(Path root, byte[] journal) {
        try {
            Files.write(journal(root), journal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cases++;
        int before = warnings.messages().size();
        try (LocalRunStore store = new LocalRunStore(root)) {
            return store.readRun(RUN);
        } finally {
            List<String> all = warnings.messages();
            lastWarnings = all.subList(before, all.size());
        }
    }

    /** Counts a refusal, which must have been reported naming the journal. */
    private void refused(Path root, String what) {
        assertFalse(lastWarnings.isEmpty(), "no warning for " + what);
        for (String w : lastWarnings) {
            assertTrue(w.contains(journal(root).toString()), "a warning without the file: " + w);
        }
        rejected++;
    }

    /** Line boundaries: line i is bytes [starts[i], ends[i]), its newline at ends[i]. */
    private static int[][] lines(byte[] j) {
        List<int[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < j.length; i++) {
            if (j[i] == '\n') {
                out.add(new int[] {from, i});
                from = i + 1;
            }
        }
        return out.toArray(new int[0][]);
    }

    /** Metric points of a record, for counting what was lost or changed. */
    private static List<String> points(Optional<RunRecord> r) {
        List<String> out = new ArrayList<>();
        r.ifPresent(x -> x.metrics().values().forEach(l -> l.forEach(p -> out.add(p.toString()))));
        return out;
    }

    @Test
    void aJournalCutAtAnyByteKeepsExactlyTheCompleteLinesAndTakesNewEvents() throws IOException {
        byte[] full = Files.readAllBytes(journal(write("full", Set.of())));
        int[][] lines = lines(full);
        assertEquals(events.size() + 1, lines.length);
        Map<Integer, String> expected = new HashMap<>(); // complete lines kept -> record
        Path scratch = write("scratch", Set.of());
        for (int cut = 0; cut <= full.length; cut++) {
            int kept = 0;
            while (kept < lines.length && lines[kept][1] <= cut) {
                kept++; // a line whose newline alone is cut off is still whole
            }
            int k = kept;
            String want = expected.computeIfAbsent(k, x -> k == 0 ? "<no run>" : content(
                    new LocalRunStore(write("prefix" + k, range(k, events.size()))).readRun(RUN)));
            Optional<RunRecord> got = readDamaged(scratch, Arrays.copyOf(full, cut));
            if (k > 0) {
                List<String> missing = new ArrayList<>(points(new LocalRunStore(tmp.resolve("prefix" + k))
                        .readRun(RUN)));
                points(got).forEach(missing::remove);
                lost += missing.size();
            }
            assertEquals(want, content(got), "cut at byte " + cut);
            if (cut < full.length && (k == 0 || cut > lines[k - 1][1] + 1)) {
                refused(scratch, "cut at " + cut); // a torn line was dropped (or the run, if its start was torn)
            }
            if (k > 0 && cut % 29 == 0) {
                // A resumed writer appends after the torn line; nothing before it is lost.
                try (LocalRunStore store = new LocalRunStore(scratch)) {
                    store.logMetrics(RUN, List.of(new MetricPoint("resumed", 7.0, 99, 2000)));
                    List<MetricPoint> h = store.readRun(RUN).orElseThrow().history("resumed");
                    assertEquals(List.of(new MetricPoint("resumed", 7.0, 99, 2000)), h, "cut at byte " + cut);
                    assertEquals(points(got).size() + 1, points(store.readRun(RUN)).size(), "cut at " + cut);
                }
            }
        }
    }

    private static Set<Integer> range(int from, int to) {
        Set<Integer> s = new TreeSet<>();
        for (int i = from; i <= to; i++) {
            s.add(i);
        }
        return s;
    }

    @Test
    void changedBytesDropTheirLineAndNeverChangeANumber() throws IOException {
        byte[] full = Files.readAllBytes(journal(write("full", Set.of())));
        int[][] lines = lines(full);
        String reference = content(new LocalRunStore(tmp.resolve("full")).readRun(RUN));
        List<String> all = points(new LocalRunStore(tmp.resolve("full")).readRun(RUN));
        Map<Set<Integer>, String> without = new HashMap<>();
        Path scratch = write("scratch", Set.of());
        Random random = new Random(42);
        for (int n = 0; n < 1000; n++) {
            byte[] damaged = full.clone();
            int line = random.nextInt(lines.length);
            int at = lines[line][0] + random.nextInt(lines[line][1] - lines[line][0] + 1); // may hit the newline
            int length = random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1;
            for (int i = at; i < Math.min(at + length, lines[line][1] + 1); i++) {
                byte b;
                do {
                    b = random.nextInt(3) == 0 ? (byte) ('0' + random.nextInt(10)) : (byte) random.nextInt(256);
                } while (b == full[i]);
                damaged[i] = b;
            }
            Optional<RunRecord> got = readDamaged(scratch, damaged);
            // Allowed: the touched line is dropped, and the next one too when their newline was hit.
            List<Set<Integer>> allowed = new ArrayList<>(List.of(Set.of(line)));
            if (line + 1 < lines.length) {
                allowed.add(Set.of(line, line + 1));
            }
            String result = content(got);
            boolean ok = false;
            for (Set<Integer> drop : allowed) {
                String want = drop.contains(0) ? "<no run>" : without.computeIfAbsent(drop,
                        d -> content(new LocalRunStore(write("without" + new TreeSet<>(d), d)).readRun(RUN)));
                ok |= want.equals(result);
            }
            List<String> changed = new ArrayList<>(points(got));
            changed.removeAll(all);
            assertEquals(List.of(), changed, "numbers that were never logged, after damage at byte " + at);
            assertTrue(ok || result.equals(reference), "damage at byte " + at + " of line " + line
                    + " gave " + result);
            if (!result.equals(reference)) {
                refused(scratch, "damage at byte " + at);
            }
        }
    }

    @Test
    void garbageAndZeroFilledLinesBetweenRecordsLoseNothing() throws IOException {
        byte[] full = Files.readAllBytes(journal(write("full", Set.of())));
        int[][] lines = lines(full);
        String reference = content(new LocalRunStore(tmp.resolve("full")).readRun(RUN));
        Path scratch = write("scratch", Set.of());
        Random random = new Random(7);
        for (int n = 0; n < 300; n++) {
            int after = 1 + random.nextInt(lines.length); // after the start line: a journal starts with it
            int at = lines[after - 1][1] + 1;
            byte[] garbage = new byte[1 + random.nextInt(4096)];
            switch (random.nextInt(3)) {
                case 0 -> Arrays.fill(garbage, (byte) 0); // a crash can leave a zero-filled block behind
                case 1 -> random.nextBytes(garbage);
                default -> {
                    byte[] line = Arrays.copyOfRange(full, lines[1][0], lines[1][1]);
                    garbage = Arrays.copyOf(line, Math.max(1, random.nextInt(line.length))); // a torn copy
                }
            }
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = garbage[i] == '\n' ? (byte) ' ' : garbage[i];
            }
            boolean last = at == full.length;
            byte[] damaged = new byte[full.length + garbage.length + (last ? 0 : 1)];
            System.arraycopy(full, 0, damaged, 0, at);
            System.arraycopy(garbage, 0, damaged, at, garbage.length);
            if (!last) {
                damaged[at + garbage.length] = '\n';
            }
            System.arraycopy(full, at, damaged, at + garbage.length + (last ? 0 : 1), full.length - at);
            Optional<RunRecord> got = readDamaged(scratch, damaged);
            List<String> missing = new ArrayList<>(points(new LocalRunStore(tmp.resolve("full")).readRun(RUN)));
            points(got).forEach(missing::remove);
            lost += missing.size();
            assertEquals(reference, content(got), "garbage after line " + after);
            refused(scratch, "garbage after line " + after);
        }
    }

    @Test
    void missingAndDamagedFilesAreSkippedOrRefusedByName() throws IOException {
        Path root = write("files", Set.of());
        Path expFile = root.resolve("fuzz").resolve(LocalRunStore.EXPERIMENT_FILE);
        byte[] exp = Files.readAllBytes(expFile);
        try (LocalRunStore store = new LocalRunStore(root)) {
            RunRecord run = store.readRun(RUN).orElseThrow();
            Path art = run.artifactFile(run.artifacts().get(0));
            Files.write(art, "other pixels".getBytes(StandardCharsets.UTF_8));
            assertEquals(run.artifacts(), store.readRun(RUN).orElseThrow().artifacts(),
                    "the record keeps the logged checksum: sync compares it and skips the changed file");
        }
        byte[] damagedExp = exp.clone();
        damagedExp[exp.length / 2] ^= 0x01;
        Files.write(expFile, damagedExp);
        cases++;
        try (LocalRunStore store = new LocalRunStore(root)) {
            assertEquals(List.of(), store.readExperiments(), "a damaged experiment.json is skipped");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.experiment("fuzz"));
            assertTrue(e.getMessage().contains(expFile + ": its checksum does not match"), e.getMessage());
            rejected++;
        }
        Files.write(expFile, exp);
        Files.delete(journal(root));
        cases++;
        try (LocalRunStore store = new LocalRunStore(root)) {
            assertEquals(Optional.empty(), store.readRun(RUN));
            assertEquals(List.of(), store.readRuns("fuzz"));
            rejected++;
        }
        Files.delete(expFile);
        cases++;
        try (LocalRunStore store = new LocalRunStore(root)) {
            assertEquals(List.of(), store.readExperiments());
            assertFalse(store.readExperiment("fuzz").isPresent());
            rejected++;
        }
    }

    @Test
    void aFormatOneJournalWithoutChecksumsIsStillRead() throws IOException {
        Path root = write("legacy", Set.of());
        String v1 = """
                {"event":"start","format":1,"run_id":"fuzzrun0","name":"old","parent_run_id":null,\
                "experiment_id":"%s","start_time":5,"tags":{}}
                {"event":"metrics","metrics":[{"key":"train/nll","value":0.25,"step":3,"timestamp":9}]}
                """.formatted(LocalRunStore.experimentId("fuzz"));
        Optional<RunRecord> got = readDamaged(root, v1.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(new MetricPoint("train/nll", 0.25, 3, 9)), got.orElseThrow().history("train/nll"));
    }
}
