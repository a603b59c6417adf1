package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.ArtifactRecord;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Logs a small sweep through any {@link Tracker} with genlab's conventions (one parent run, one child per
 * trial with provenance tags, dotted params, per-step {@code train/*} metrics, {@code eval/*} metrics, the
 * usual artifacts), and checks that an MLflow server holds exactly what the local journal holds.
 */
final class SweepFixture {

    /** Short timeouts so fault tests take seconds. */
    static final MlflowOptions FAST = new MlflowOptions(Duration.ofSeconds(3), Duration.ofSeconds(6),
            Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofMillis(50), 200_000, Duration.ofSeconds(40));

    private SweepFixture() {}

    /** Ids of what a sweep logged. */
    record Sweep(String experiment, String parent, List<String> trials) {}

    /**
     * Logs a sweep.
     *
     * @param t the tracker
     * @param experiment experiment name
     * @param trials number of trials (seeds 0..trials-1)
     * @param steps training steps per trial (two metrics per step)
     * @param work folder for artifact files
     * @param onStep called with a global step counter after each logged step (to inject faults)
     */
    static Sweep run(Tracker t, String experiment, int trials, int steps, Path work, IntConsumer onStep) {
        String exp = t.experiment(experiment);
        t.setExperimentTags(exp, Map.of("mlflow.note.content", "a " + trials + "-trial sweep of the fixture",
                "genlab.spec_name", experiment));
        Map<String, String> parentTags = new LinkedHashMap<>();
        parentTags.put("genlab.sweep_hash", "5eed5eed5eed5eed");
        parentTags.put("genlab.trials", Integer.toString(trials));
        parentTags.put("mlflow.source.name", "genlab");
        parentTags.put("mlflow.note.content", "Sweep of " + trials + " trial(s) from quick.yaml");
        String parent = t.startRun(exp, experiment + " sweep", null, parentTags);
        List<String> ids = new ArrayList<>();
        int global = 0;
        long base = System.currentTimeMillis();
        for (int i = 0; i < trials; i++) {
            String lr = i == 0 ? "0.05" : "0.01";
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("genlab.paradigm", "gaussian");
            tags.put("genlab.plugin", "gaussian");
            tags.put("genlab.dataset", "ring8");
            tags.put("genlab.seed", Integer.toString(i));
            tags.put("genlab.trial_hash", "trialhash" + i);
            tags.put("mlflow.source.name", "genlab");
            tags.put("mlflow.source.git.commit", "0123456789abcdef0123456789abcdef01234567");
            tags.put("mlflow.user", "tester");
            tags.put("mlflow.note.content", "gaussian on ring8, " + steps + " steps, seed " + i);
            String run = t.startRun(exp, "gaussian lr=" + lr + " seed=" + i, parent, tags);
            ids.add(run);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("paradigm", "gaussian");
            params.put("seed", Integer.toString(i));
            params.put("gaussian.lr", lr);
            params.put("dataset.name", "ring8");
            params.put("train.steps", Integer.toString(steps));
            t.logParams(run, params);
            t.logArtifact(run, write(work, "spec.yaml", "name: quick\nseed: " + i + "\n"), "");
            t.logInputs(run, List.of(new DatasetInput("ring8", "0123456789abcdef", "genlab", "{\"dataset\":\"ring8\"}",
                    "{\"mlflow_tensorspec\":{\"features\":\"[]\",\"targets\":null}}", "{\"features_shape\":[100,2]}",
                    DatasetInput.TRAINING), new DatasetInput("ring8-held-out", "fedcba98765432" + i + "0", "genlab",
                    "{\"dataset\":\"ring8\",\"split\":\"held_out\"}", "", "", DatasetInput.EVALUATION)));
            for (int s = 0; s < steps; s++) {
                long ts = base + global;
                t.logMetrics(run, List.of(new MetricPoint("train/nll", 2.0 / (1 + s) + i, s, ts),
                        new MetricPoint("train/grad_norm", 1.0 / (1 + s), s, ts)));
                onStep.accept(global++);
            }
            t.logMetrics(run, List.of(new MetricPoint("eval/modes_covered", 4 + i, steps, base + global),
                    new MetricPoint("eval/reverse_kl", i == 0 ? Double.NaN : 0.5, steps, base + global)));
            t.logArtifact(run, write(work, "samples.png", "png-bytes-" + i), "");
            t.logArtifact(run, write(work, "losses.png", "loss-plot-" + i), "plots");
            t.logArtifact(run, write(work, "metrics.json", "{\"modes\": " + (4 + i) + "}"), "");
            t.setTags(run, Map.of("genlab.duration_s", "1.5"));
            t.endRun(run, RunStatus.FINISHED);
        }
        t.logMetric(parent, "sweep/trials_finished", trials, 0);
        t.logArtifact(parent, write(work, "summary.json", "{\"trials\": " + trials + "}"), "");
        t.endRun(parent, RunStatus.FINISHED);
        return new Sweep(experiment, parent, ids);
    }

    static Path write(Path dir, String name, String content) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Totals of a comparison, for the tests' messages and the closing note. */
    record Counts(int runs, int params, int tags, int metricPoints, int artifacts) {}

    /**
     * Asserts that the server (as read back by Python) holds exactly the local store's runs of an
     * experiment: one MLflow run per local run, the same parent structure, params, tags, every metric value
     * once (same steps, values and timestamps, no duplicates), every artifact with the same bytes, the same
     * status.
     *
     * @return what was compared
     */
    static Counts assertServerHoldsExactly(JsonNode readBack, LocalRunStore local, String experiment) {
        List<RunRecord> runs = local.readRuns(experiment);
        local.readExperiment(experiment).orElseThrow().tags().forEach((k, v) -> assertEquals(v,
                readBack.path("experiment").path("tags").path(k).asText(null), "experiment tag " + k));
        JsonNode remoteRuns = readBack.path("runs");
        assertEquals(runs.size(), remoteRuns.size(), "one MLflow run per local run (no duplicates, none missing)");
        Map<String, JsonNode> byLocal = new HashMap<>();
        for (JsonNode r : remoteRuns) {
            String localId = r.path("tags").path(MlflowRemote.LOCAL_RUN_ID_TAG).asText(null);
            assertNotNull(localId, "every MLflow run carries " + MlflowRemote.LOCAL_RUN_ID_TAG);
            assertNull(byLocal.put(localId, r), "two MLflow runs for local run " + localId);
        }
        int params = 0;
        int tags = 0;
        int points = 0;
        int artifacts = 0;
        for (RunRecord rec : runs) {
            JsonNode r = byLocal.get(rec.id());
            assertNotNull(r, "local run " + rec.id() + " is on the server");
            assertEquals(rec.name(), r.path("run_name").asText());
            assertEquals(rec.status().name(), r.path("status").asText(), "status of " + rec.name());
            if (rec.parentRunId() == null) {
                assertTrue(r.path("parent_run_id").isNull(), "a top-level run has no parent");
            } else {
                JsonNode parent = byLocal.get(rec.parentRunId());
                assertEquals(parent.path("run_id").asText(), r.path("parent_run_id").asText(),
                        "mlflow.parentRunId of " + rec.name());
            }
            Map<String, String> remoteParams = new HashMap<>();
            r.path("params").properties().forEach(e -> remoteParams.put(e.getKey(), e.getValue().asText()));
            assertEquals(rec.params(), remoteParams, "params of " + rec.name());
            params += rec.params().size();
            for (Map.Entry<String, String> e : rec.tags().entrySet()) {
                assertEquals(e.getValue(), r.path("tags").path(e.getKey()).asText(null), "tag " + e.getKey());
                tags++;
            }
            Set<String> keys = new HashSet<>();
            r.path("metrics").fieldNames().forEachRemaining(keys::add);
            assertEquals(rec.metrics().keySet(), keys, "metric keys of " + rec.name());
            for (Map.Entry<String, List<MetricPoint>> e : rec.metrics().entrySet()) {
                List<String> expected = new ArrayList<>();
                for (MetricPoint p : e.getValue()) {
                    expected.add(p.step() + "|" + render(p.value()) + "|" + p.timestampMs());
                }
                List<String> actual = new ArrayList<>();
                for (JsonNode m : r.path("metrics").path(e.getKey())) {
                    actual.add(m.get(0).asLong() + "|" + (m.get(1).isTextual() ? m.get(1).asText()
                            : render(m.get(1).asDouble())) + "|" + m.get(2).asLong());
                }
                expected.sort(null);
                actual.sort(null);
                assertEquals(expected, actual, "history of " + e.getKey() + " in " + rec.name());
                points += expected.size();
            }
            Map<String, String> remoteArtifacts = new HashMap<>();
            for (JsonNode a : r.path("artifacts")) {
                remoteArtifacts.put(a.path("path").asText(), a.path("sha256").asText());
            }
            Map<String, String> localArtifacts = new HashMap<>();
            for (ArtifactRecord a : rec.artifacts()) {
                localArtifacts.put(a.path(), a.sha256());
            }
            assertEquals(localArtifacts, remoteArtifacts, "artifacts (paths and bytes) of " + rec.name());
            List<DatasetInput> remoteInputs = new ArrayList<>();
            for (JsonNode d : r.path("inputs")) {
                remoteInputs.add(new DatasetInput(d.path("name").asText(), d.path("digest").asText(),
                        d.path("source_type").asText(), d.path("source").asText(), d.path("schema").asText(""),
                        d.path("profile").asText(""), d.path("context").asText()));
            }
            remoteInputs.sort(java.util.Comparator.comparing(DatasetInput::name));
            assertEquals(rec.inputs(), remoteInputs, "dataset inputs of " + rec.name());
            artifacts += localArtifacts.size();
        }
        return new Counts(runs.size(), params, tags, points, artifacts);
    }

    private static String render(double v) {
        return Double.isNaN(v) ? "NaN" : Double.toString(v);
    }
}
