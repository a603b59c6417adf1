package dev.genlab.tracking.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.ImageLayout;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunStoreTest {

    @TempDir
    Path root;

    private static Path journal(RunRecord run) {
        return run.directory().resolve(LocalRunStore.JOURNAL_FILE);
    }

    @Test
    void everyEventTypeRoundTrips() throws Exception {
        Path file = root.resolve("samples.png");
        byte[] bytes = "not really a png".getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        String parent;
        String child;
        String expId;
        try (LocalRunStore store = new LocalRunStore(root.resolve("store"))) {
            expId = store.experiment("ring8 paradigms");
            parent = store.startRun(expId, "sweep", null, Map.of("genlab.kind", "sweep"));
            child = store.startRun(expId, "gan lr=2e-4 seed=1", parent, Map.of("genlab.seed", "1"));
            store.logParams(child, Map.of("gan.lr", "2e-4", "train.steps", "3000"));
            store.setTags(child, Map.of("genlab.seed", "2", "genlab.trial_hash", "abc"));
            store.logMetrics(child, List.of(new MetricPoint("train/loss_d", 0.5, 0, 1000L),
                    new MetricPoint("train/loss_d", 0.25, 10, 2000L),
                    new MetricPoint("eval/modes", 8.0, 10, 2001L)));
            store.logMetric(child, "train/loss_d", 0.125, 20);
            store.logArtifact(child, file, "plots/sub");
            store.endRun(child, RunStatus.FAILED);
        }

        LocalRunStore reader = new LocalRunStore(root.resolve("store"));
        List<ExperimentRecord> exps = reader.readExperiments();
        assertEquals(1, exps.size());
        assertEquals("ring8 paradigms", exps.get(0).name());
        assertEquals(expId, exps.get(0).id());

        RunRecord run = reader.readRun(child).orElseThrow();
        assertTrue(run.id().matches("[0-9a-f]{32}"), run.id());
        assertEquals("gan lr=2e-4 seed=1", run.name());
        assertEquals(expId, run.experimentId());
        assertEquals(parent, run.parentRunId());
        assertEquals(Map.of("genlab.seed", "2", "genlab.trial_hash", "abc"), run.tags());
        assertEquals(Map.of("gan.lr", "2e-4", "train.steps", "3000"), run.params());
        assertEquals(RunStatus.FAILED, run.status());
        assertTrue(run.endTimeMs() >= run.startTimeMs());
        assertEquals(List.of("train/loss_d", "eval/modes"), List.copyOf(run.metrics().keySet()));
        assertEquals(List.of(0.5, 0.25, 0.125),
                run.history("train/loss_d").stream().map(MetricPoint::value).toList());
        assertEquals(new MetricPoint("train/loss_d", 0.25, 10, 2000L), run.history("train/loss_d").get(1));
        assertEquals(20, run.latest("train/loss_d").orElseThrow().step());
        assertEquals(8.0, run.latestValue("eval/modes").getAsDouble());
        assertTrue(run.latest("nope").isEmpty());

        assertEquals(1, run.artifacts().size());
        ArtifactRecord art = run.artifacts().get(0);
        assertEquals("plots/sub/samples.png", art.path());
        assertEquals(bytes.length, art.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), art.sha256());
        Path copied = run.artifactFile(art);
        assertEquals(run.directory().resolve("artifacts/plots/sub/samples.png"), copied);
        assertArrayEquals(bytes, Files.readAllBytes(copied));

        RunRecord top = reader.readRun(parent).orElseThrow();
        assertNull(top.parentRunId());
        assertEquals(RunStatus.RUNNING, top.status()); // never ended
        assertNull(top.endTimeMs());
        // Sorted by start time, then id: parent and child may start in the same millisecond.
        List<RunRecord> all = reader.readRuns("ring8 paradigms");
        assertEquals(java.util.Set.of(parent, child), all.stream().map(RunRecord::id).collect(java.util.stream.Collectors.toSet()));
        assertTrue(all.get(0).startTimeMs() < all.get(1).startTimeMs()
                || (all.get(0).startTimeMs() == all.get(1).startTimeMs() && all.get(0).id().compareTo(all.get(1).id()) < 0));
        assertEquals(List.of(child), reader.findRuns("ring8 paradigms", "genlab.trial_hash", "abc")
                .stream().map(RunRecord::id).toList());
        assertTrue(reader.findRuns("ring8 paradigms", "genlab.trial_hash", "zzz").isEmpty());
        assertTrue(reader.readRuns("no such experiment").isEmpty());
    }

    @Test
    void datasetInputsRoundTripOncePerNameAndDigest() {
        DatasetInput train = new DatasetInput("ring8", "00ff00ff00ff00ff", "genlab", "{\"dataset\":\"ring8\"}",
                "{\"mlflow_tensorspec\":{}}", "{\"features_shape\":[10,2]}", DatasetInput.TRAINING);
        DatasetInput heldOut = new DatasetInput("ring8-held-out", "11ee11ee11ee11ee", "genlab", "{}", null, null,
                DatasetInput.EVALUATION);
        String run;
        try (LocalRunStore store = new LocalRunStore(root)) {
            run = store.startRun(store.experiment("inputs"), "r", null, Map.of());
            store.logInputs(run, List.of(train));
            store.endRun(run, RunStatus.FINISHED);
            // After the run ended (the journal is reopened): the same dataset again, and a new one.
            store.logInputs(run, List.of(train, heldOut));
        }
        RunRecord rec = new LocalRunStore(root).readRun(run).orElseThrow();
        assertEquals(List.of(train, heldOut), rec.inputs());
        assertEquals("", rec.inputs().get(1).schema(), "an absent schema reads back empty");
    }

    @Test
    void experimentTagsAreKeptInExperimentJsonAndMerged() throws Exception {
        try (LocalRunStore store = new LocalRunStore(root)) {
            String exp = store.experiment("tagged");
            store.setExperimentTags(exp, Map.of("mlflow.note.content", "first", "a", "1"));
            store.setExperimentTags(exp, Map.of("mlflow.note.content", "second"));
        }
        ExperimentRecord rec = new LocalRunStore(root).readExperiment("tagged").orElseThrow();
        assertEquals(Map.of("mlflow.note.content", "second", "a", "1"), rec.tags());
        JsonNode json = new ObjectMapper().readTree(rec.directory().resolve("experiment.json").toFile());
        assertEquals("second", json.path("tags").path("mlflow.note.content").asText());
        try (LocalRunStore again = new LocalRunStore(root)) {
            assertEquals(rec.id(), again.experiment("tagged"), "a tagged experiment is found again");
        }
    }

    @Test
    void imagesFollowMlflowsLayoutWithAThumbnailAndTheTag() throws Exception {
        java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(640, 320,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path png = root.resolve("grid.png");
        Files.createDirectories(root);
        javax.imageio.ImageIO.write(picture, "png", png.toFile());
        String run;
        try (LocalRunStore store = new LocalRunStore(root)) {
            run = store.startRun(store.experiment("images"), "r", null, Map.of());
            store.logImage(run, "eval/samples", 300, png);
            assertThrows(IllegalArgumentException.class, () -> store.logImage(run, "a=b", 0, png));
            assertThrows(IllegalArgumentException.class, () -> store.logImage(run, "k", -1, png));
        }
        RunRecord rec = new LocalRunStore(root).readRun(run).orElseThrow();
        assertEquals("True", rec.tags().get(ImageLayout.TAG));
        assertEquals(2, rec.artifacts().size(), rec.artifacts().toString());
        String full = rec.artifacts().get(0).path();
        assertTrue(full.matches("images/eval~samples\\+step\\+300\\+timestamp\\+\\d{13}\\+[0-9a-f-]{36}\\.png"), full);
        assertEquals(full.replace(".png", "+compressed.png"), rec.artifacts().get(1).path());
        assertArrayEquals(Files.readAllBytes(png), Files.readAllBytes(rec.artifactFile(rec.artifacts().get(0))));
        java.awt.image.BufferedImage thumb = javax.imageio.ImageIO.read(
                rec.artifactFile(rec.artifacts().get(1)).toFile());
        assertEquals(256, thumb.getWidth());
        assertEquals(128, thumb.getHeight(), "the aspect ratio is kept");
    }

    @Test
    void journalLinesHaveTheDocumentedShape() throws Exception {
        Path runDir;
        try (LocalRunStore store = new LocalRunStore(root)) {
            String exp = store.experiment("shape");
            String run = store.startRun(exp, "r", null, Map.of("a", "b"));
            store.logParams(run, Map.of("p", "1"));
            store.logMetric(run, "m", 1.5, 3);
            store.endRun(run, RunStatus.FINISHED);
            runDir = store.readRun(run).orElseThrow().directory();
            assertEquals(root.resolve("shape").resolve("runs").resolve(run), runDir);
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode expJson = json.readTree(root.resolve("shape/experiment.json").toFile());
        assertEquals("shape", expJson.get("name").asText());
        assertTrue(expJson.get("created").isNumber());
        List<String> lines = Files.readAllLines(runDir.resolve("journal.jsonl"));
        assertEquals(4, lines.size());
        JsonNode start = json.readTree(lines.get(0));
        assertEquals("start", start.get("event").asText());
        assertTrue(start.get("parent_run_id").isNull());
        assertEquals("b", start.get("tags").get("a").asText());
        assertEquals("1", json.readTree(lines.get(1)).get("params").get("p").asText());
        JsonNode metric = json.readTree(lines.get(2)).get("metrics").get(0);
        assertEquals(1.5, metric.get("value").asDouble());
        assertEquals(3, metric.get("step").asLong());
        JsonNode end = json.readTree(lines.get(3));
        assertEquals("FINISHED", end.get("status").asText());
        assertTrue(end.get("end_time").isNumber());
    }

    @Test
    void nonFiniteMetricsRoundTrip() throws Exception {
        try (LocalRunStore store = new LocalRunStore(root)) {
            String run = store.startRun(store.experiment("nan"), "r", null, Map.of());
            store.logMetrics(run, List.of(new MetricPoint("x", Double.NaN, 0, 1),
                    new MetricPoint("x", Double.POSITIVE_INFINITY, 1, 2),
                    new MetricPoint("x", Double.NEGATIVE_INFINITY, 2, 3),
                    new MetricPoint("x", -0.0, 3, 4), new MetricPoint("x", Double.MIN_VALUE, 4, 5),
                    new MetricPoint("x", 0.1 + 0.2, 5, 6)));
            RunRecord r = store.readRun(run).orElseThrow();
            List<Double> values = r.history("x").stream().map(MetricPoint::value).toList();
            assertTrue(Double.isNaN(values.get(0)));
            assertEquals(Double.POSITIVE_INFINITY, values.get(1));
            assertEquals(Double.NEGATIVE_INFINITY, values.get(2));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(values.get(3)));
            assertEquals(Double.MIN_VALUE, values.get(4));
            assertEquals(0.1 + 0.2, values.get(5));
            String text = Files.readString(journal(r));
            assertTrue(text.contains("\"NaN\"") && text.contains("\"Infinity\"") && text.contains("\"-Infinity\""),
                    text);
        }
    }

    @Test
    void tornLastLineIsIgnoredWithAWarningAndAppendsContinueOnAFreshLine() throws Exception {
        String run;
        try (LocalRunStore store = new LocalRunStore(root)) {
            run = store.startRun(store.experiment("torn"), "r", null, Map.of());
            store.logMetric(run, "loss", 1.0, 0);
        }
        Path journal = new LocalRunStore(root).readRun(run).map(LocalRunStoreTest::journal).orElseThrow();
        long before = Files.size(journal);
        // As if the process was killed in the middle of writing a metrics line.
        Files.writeString(journal, "{\"event\":\"metrics\",\"metrics\":[{\"key\":\"loss\",\"val",
                StandardOpenOption.APPEND);

        try (CapturedWarnings warnings = new CapturedWarnings()) {
            RunRecord r = new LocalRunStore(root).readRun(run).orElseThrow();
            assertEquals(1, r.history("loss").size());
            assertTrue(warnings.messages().stream().anyMatch(m -> m.contains("incomplete last line")),
                    warnings.messages().toString());
        }

        // A new process resumes the run: the fragment must not swallow the next event.
        try (LocalRunStore store = new LocalRunStore(root)) {
            store.logMetric(run, "loss", 2.0, 1);
            store.endRun(run, RunStatus.KILLED);
            RunRecord r = store.readRun(run).orElseThrow();
            assertEquals(List.of(1.0, 2.0), r.history("loss").stream().map(MetricPoint::value).toList());
            assertEquals(RunStatus.KILLED, r.status());
        }
        // Nothing was rewritten or truncated: the old bytes, including the fragment, are still there.
        String text = Files.readString(journal);
        assertTrue(Files.size(journal) > before);
        assertTrue(text.contains("\"val\n{"), text);
    }

    @Test
    void aRunCreatedByAnotherStoreIsNeverSeenWithoutItsStartEvent() throws Exception {
        // Shards converge on one sweep parent by creating it under the same id; a shard that finds the
        // journal must be able to read the run, or it cannot continue it.
        int runs = 400;
        try (LocalRunStore writer = new LocalRunStore(root); LocalRunStore watcher = new LocalRunStore(root)) {
            String exp = writer.experiment("converging shards");
            watcher.experiment("converging shards");
            ExecutorService pool = Executors.newSingleThreadExecutor();
            CountDownLatch go = new CountDownLatch(1);
            Future<?> creating = pool.submit(() -> {
                go.await();
                for (int i = 0; i < runs; i++) {
                    writer.continueRun("parent-" + i, exp, "sweep " + i, null, Map.of("genlab.sweep_hash", "h" + i));
                }
                return null;
            });
            go.countDown();
            int seen = 0;
            for (int i = 0; i < runs; i++) {
                String id = "parent-" + i;
                while (watcher.runDirectory(id).isEmpty()) {
                    Thread.onSpinWait();
                }
                RunRecord r = watcher.readRun(id).orElseThrow(() -> new AssertionError(id + " has a journal "
                        + "but no start event"));
                assertEquals("sweep " + i, r.name());
                assertEquals("h" + i, r.tags().get("genlab.sweep_hash"));
                seen++;
            }
            creating.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            assertEquals(runs, seen);
            try (var files = Files.list(writer.runDirectory("parent-0").orElseThrow())) {
                assertEquals(List.of(LocalRunStore.JOURNAL_FILE),
                        files.map(f -> f.getFileName().toString()).filter(n -> !n.equals("artifacts")).toList());
            }
        }
    }

    @Test
    void fourThreadsLoggingConcurrentlyLoseNothing() throws Exception {
        int threads = 4;
        int perThread = 500;
        try (LocalRunStore store = new LocalRunStore(root)) {
            String exp = store.experiment("concurrent");
            String shared = store.startRun(exp, "shared", null, Map.of());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> own = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                own.add(pool.submit(() -> {
                    go.await();
                    String mine = store.startRun(exp, "trial " + thread, shared, Map.of());
                    for (int i = 0; i < perThread; i++) {
                        store.logMetric(shared, "t" + thread, i, i);
                        store.logMetric(mine, "loss", i, i);
                        if (i % 100 == 0) {
                            store.logParams(shared, Map.of("p" + thread + "_" + i, Integer.toString(i)));
                            store.setTags(mine, Map.of("progress", Integer.toString(i)));
                            store.flush();
                        }
                    }
                    store.endRun(mine, RunStatus.FINISHED);
                    return mine;
                }));
            }
            go.countDown();
            pool.shutdown();
            List<String> ids = new ArrayList<>();
            for (Future<String> f : own) {
                ids.add(f.get(60, TimeUnit.SECONDS));
            }
            store.endRun(shared, RunStatus.FINISHED);

            LocalRunStore reader = new LocalRunStore(root);
            RunRecord s = reader.readRun(shared).orElseThrow();
            for (int t = 0; t < threads; t++) {
                List<MetricPoint> h = s.history("t" + t);
                assertEquals(perThread, h.size());
                for (int i = 0; i < perThread; i++) {
                    assertEquals(i, h.get(i).step()); // per-thread order is kept
                }
            }
            assertEquals(threads * perThread / 100, s.params().size());
            for (String id : ids) {
                RunRecord r = reader.readRun(id).orElseThrow();
                assertEquals(perThread, r.history("loss").size());
                assertEquals(RunStatus.FINISHED, r.status());
                assertEquals("400", r.tags().get("progress"));
                assertEquals(shared, r.parentRunId());
            }
            assertEquals(threads + 1, reader.readRuns("concurrent").size());
            for (RunRecord r : reader.readRuns("concurrent")) {
                for (String line : Files.readAllLines(journal(r))) {
                    assertTrue(line.startsWith("{") && line.endsWith("}"), line);
                }
            }
        }
    }

    @Test
    void paramsAreLoggedOncePerKey() {
        try (LocalRunStore store = new LocalRunStore(root)) {
            String run = store.startRun(store.experiment("params"), "r", null, Map.of());
            store.logParams(run, Map.of("lr", "1e-3"));
            store.logParams(run, Map.of("lr", "1e-3", "beta", "4")); // same value again: fine
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.logParams(run, Map.of("lr", "2e-3", "gamma", "1")));
            assertTrue(e.getMessage().contains("lr"), e.getMessage());
            // The rejected batch logged nothing, not even its valid key.
            assertEquals(Map.of("lr", "1e-3", "beta", "4"), store.readRun(run).orElseThrow().params());
            store.endRun(run, RunStatus.FINISHED);
        }
        // The rule survives reopening the store in a new process.
        try (LocalRunStore store = new LocalRunStore(root)) {
            String run = store.readRuns("params").get(0).id();
            assertThrows(IllegalArgumentException.class, () -> store.logParams(run, Map.of("beta", "1")));
            store.logParams(run, Map.of("beta", "4"));
        }
    }

    @Test
    void reopeningTheStoreAppendsToTheSameExperiment() throws Exception {
        String first;
        String id1;
        try (LocalRunStore store = new LocalRunStore(root)) {
            id1 = store.experiment("Ring8 / GAN sweep");
            first = store.startRun(id1, "a", null, Map.of());
            store.endRun(first, RunStatus.FINISHED);
        }
        Path expFile;
        try (LocalRunStore store = new LocalRunStore(root)) {
            // A fresh instance knows the experiment id without calling experiment() first.
            String second = store.startRun(id1, "b", null, Map.of());
            assertEquals(id1, store.experiment("Ring8 / GAN sweep"));
            store.endRun(second, RunStatus.FINISHED);
            List<RunRecord> runs = store.readRuns("Ring8 / GAN sweep");
            // As a set: runs are listed by start time, then id, and both runs may start in the same millisecond.
            assertEquals(Set.of(first, second), Set.copyOf(runs.stream().map(RunRecord::id).toList()));
            assertEquals(2, runs.size());
            assertEquals(1, store.readExperiments().size());
            expFile = runs.get(0).directory().getParent().getParent().resolve("experiment.json");
        }
        assertTrue(Files.isRegularFile(expFile));
        String slug = expFile.getParent().getFileName().toString();
        assertTrue(slug.matches("ring8-gan-sweep-[0-9a-f]{8}"), slug);
        // Names that differ only in characters the slug drops still get their own directory and id.
        try (LocalRunStore store = new LocalRunStore(root)) {
            assertNotEquals(id1, store.experiment("ring8 gan sweep"));
            assertEquals(2, store.readExperiments().size());
        }
        assertThrows(IllegalArgumentException.class, () -> new LocalRunStore(root).startRun("nope", "x", null,
                Map.of()));
    }

    @Test
    void artifactsAreCopiedSafelyAndRelogOverwrites() throws Exception {
        Path file = root.resolve("metrics.json");
        try (LocalRunStore store = new LocalRunStore(root.resolve("s"))) {
            String run = store.startRun(store.experiment("art"), "r", null, Map.of());
            Files.writeString(file, "{\"v\":1}");
            store.logArtifact(run, file, "");
            Files.writeString(file, "{\"v\":22}");
            store.logArtifact(run, file, ".");
            assertThrows(IllegalArgumentException.class, () -> store.logArtifact(run, file, "../escape"));
            assertThrows(IllegalArgumentException.class, () -> store.logArtifact(run, root, "dir"));
            RunRecord r = store.readRun(run).orElseThrow();
            assertEquals(1, r.artifacts().size());
            assertEquals("metrics.json", r.artifacts().get(0).path());
            assertEquals(8, r.artifacts().get(0).size());
            assertEquals("{\"v\":22}", Files.readString(r.artifactFile(r.artifacts().get(0))));
            try (var files = Files.list(r.directory().resolve("artifacts"))) {
                assertEquals(1, files.count()); // no temporary files left behind
            }
        }
    }

    @Test
    void endedRunsCanBeReadWhileOthersAreWrittenAndStoreRejectsUseAfterClose() {
        LocalRunStore store = new LocalRunStore(root);
        String run = store.startRun(store.experiment("life"), "r", null, Map.of());
        assertThrows(IllegalArgumentException.class, () -> store.endRun(run, RunStatus.RUNNING));
        store.logMetric(run, "m", 1, 0);
        assertEquals(RunStatus.RUNNING, store.readRun(run).orElseThrow().status());
        store.endRun(run, RunStatus.FINISHED);
        store.setTags(run, Map.of("note", "after end")); // MLflow allows this; the journal is reopened
        assertEquals("after end", store.readRun(run).orElseThrow().tags().get("note"));
        assertThrows(IllegalArgumentException.class, () -> store.logMetric("0123456789abcdef", "m", 1, 0));
        store.close();
        assertThrows(IllegalStateException.class, () -> store.logMetric(run, "m", 2, 1));
        assertFalse(store.readRuns("life").isEmpty());
    }
}
