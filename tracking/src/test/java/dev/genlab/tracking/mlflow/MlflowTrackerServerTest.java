package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The MLflow tracker against a real {@code mlflow server}, read back with MLflow's Python client. */
@ExtendWith(MlflowTestServer.class)
class MlflowTrackerServerTest {

    @TempDir
    Path tmp;

    private MlflowTracker open(String uri, Path store) {
        return MlflowTracker.open(MlflowSettings.resolve(uri, k -> null), new LocalRunStore(store), SweepFixture.FAST,
                k -> null);
    }

    @Test
    void twoTrialSweepIsReadBackByPythonWithParentsParamsHistoriesTagsAndArtifacts(MlflowTestServer.Handle server)
            throws Exception {
        Path store = tmp.resolve("runs");
        SweepFixture.Sweep sweep;
        String parentId;
        List<String> logs;
        RemoteLink parentLink;
        MlflowTracker closed;
        try (CapturedLogs captured = new CapturedLogs(); MlflowTracker t = open(server.uri(), store)) {
            sweep = SweepFixture.run(t, "two-trial-sweep", 2, 50, tmp.resolve("work"), s -> {});
            t.flush();
            assertTrue(t.mlflowRunId(sweep.parent()).isPresent(), "the parent reached the server");
            parentId = t.mlflowRunId(sweep.parent()).get();
            parentLink = t.remoteLink(sweep.parent()).orElseThrow();
            logs = captured.messages();
            closed = t;
        }
        assertEquals(Optional.of(parentLink), closed.remoteLink(sweep.parent()), "still answers after close");
        assertTrue(closed.remoteLink("no-such-run").isEmpty());
        JsonNode back = server.readBack(server.uri(), "two-trial-sweep");
        // MLflow 3 opens it as a model-training experiment, and the printed link opens the training view.
        JsonNode experiment = back.path("experiment");
        assertEquals("custom_model_development", experiment.path("tags").path("mlflow.experimentKind").asText(),
                experiment.toString());
        String link = server.uri() + "/#/experiments/" + experiment.path("id").asText() + "/runs/" + parentId
                + "?workflowType=machine_learning";
        assertTrue(logs.stream().anyMatch(m -> m.startsWith("INFO MLflow run 'two-trial-sweep sweep': " + link)),
                logs.toString());
        assertEquals(new RemoteLink(parentId, link, server.uri() + "/#/experiments/" + experiment.path("id").asText()
                + "/runs?workflowType=machine_learning"), parentLink);
        // Runs are looked up by MLflow id, not by their place in the read-back: the parent and its first trial
        // may start in the same millisecond, and MLflow breaks start-time ties by run id, i.e. at random.
        Map<String, JsonNode> byId = new HashMap<>();
        back.path("runs").forEach(r -> byId.put(r.path("run_id").asText(), r));
        List<JsonNode> trials = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String trialId = closed.remoteLink(sweep.trials().get(i)).orElseThrow().runId();
            JsonNode r = byId.get(trialId);
            assertNotNull(r, "trial " + i + "'s MLflow id " + trialId + " is on the server: " + byId.keySet());
            assertEquals(sweep.trials().get(i), r.path("tags").path(MlflowRemote.LOCAL_RUN_ID_TAG).asText(),
                    "trial " + i + "'s MLflow run is its local run");
            trials.add(r);
        }
        Files.writeString(Path.of("target", "mlflow-readback.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(back));

        SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(back, new LocalRunStore(store), "two-trial-sweep");
        assertEquals(3, c.runs());
        assertEquals(2 * (50 * 2 + 2) + 1, c.metricPoints());
        JsonNode parent = byId.get(parentId);
        assertNotNull(parent, "the sweep run " + parentId + " is on the server: " + byId.keySet());
        assertTrue(parent.path("parent_run_id").isNull(), "the sweep run is top-level");
        assertEquals("two-trial-sweep sweep", parent.path("run_name").asText());
        List<String> childNames = new ArrayList<>();
        for (JsonNode r : trials) {
            assertEquals(parentId, r.path("parent_run_id").asText());
            childNames.add(r.path("run_name").asText());
            assertTrue(r.path("artifact_uri").asText().startsWith("mlflow-artifacts:"), "proxied artifacts");
            assertEquals("genlab", r.path("tags").path("mlflow.source.name").asText());
            assertEquals(50, r.path("metrics").path("train/nll").size(), "one value per step, no duplicates");
        }
        assertEquals(List.of("gaussian lr=0.05 seed=0", "gaussian lr=0.01 seed=1"), childNames);
        JsonNode first = trials.get(0);
        assertEquals("NaN", first.path("metrics").path("eval/reverse_kl").get(0).get(1).asText(), "NaN survives");
        assertEquals(List.of("metrics.json", "plots/losses.png", "samples.png", "spec.yaml"),
                paths(first.path("artifacts")));
        assertEquals(List.of("summary.json"), paths(parent.path("artifacts")));
        assertFalse(Files.exists(store.resolve(PendingRuns.DIR).resolve(PendingRuns.hash(server.uri())).resolve(
                sweep.parent())), "a fully sent run leaves no pending marker");
        // Every request (artifact PUTs included) is plain HTTP/1.1: no h2c upgrade offer reaches the server.
        String log = Files.readString(server.server().logFile());
        assertFalse(log.contains("Unsupported upgrade request"), "h2c upgrade offered:\n" + server.server().tail());
    }

    @Test
    void experimentsGetTheTrainingKindUnlessAUserChoseAnother(MlflowTestServer.Handle server) {
        org.mlflow.tracking.MlflowClient client = new org.mlflow.tracking.MlflowClient(server.uri());
        // Made by hand before genlab used it (no kind), and one a user marked as GenAI in the UI.
        client.createExperiment("made-by-hand");
        String genai = client.createExperiment("chosen-genai");
        client.setExperimentTag(genai, "mlflow.experimentKind", "genai_development");
        client.close();
        Path store = tmp.resolve("kinds");
        try (MlflowTracker t = open(server.uri(), store)) {
            for (String name : List.of("made-by-hand", "chosen-genai", "made-by-genlab")) {
                String run = t.startRun(t.experiment(name), "one", null, Map.of());
                t.endRun(run, RunStatus.FINISHED);
            }
            t.flush();
        }
        assertEquals("custom_model_development", kind(server, "made-by-hand"));
        assertEquals("genai_development", kind(server, "chosen-genai"), "a kind chosen by a user is kept");
        assertEquals("custom_model_development", kind(server, "made-by-genlab"));
    }

    private static String kind(MlflowTestServer.Handle server, String experiment) {
        JsonNode back = server.readBack(server.uri(), experiment);
        assertEquals(1, back.path("runs").size(), back.toString());
        return back.path("experiment").path("tags").path("mlflow.experimentKind").asText();
    }

    @Test
    void syncReplaysALocalStoreOnceAndSendsNothingTheSecondTime(MlflowTestServer.Handle server) {
        Path store = tmp.resolve("local-only");
        try (LocalRunStore local = new LocalRunStore(store)) {
            SweepFixture.run(local, "synced-later", 2, 30, tmp.resolve("work"), s -> {});
        }
        MlflowSettings s = MlflowSettings.resolve(server.uri(), k -> null);
        MlflowSync.Report first;
        MlflowSync.Report second;
        try (MlflowSync sync = MlflowSync.connect(s, SweepFixture.FAST, k -> null)) {
            first = sync.sync(new LocalRunStore(store), List.of(), r -> {});
            second = sync.sync(new LocalRunStore(store), List.of("synced-later"), r -> {});
        }
        assertTrue(first.ok(), first.summary());
        assertEquals(3, first.runs().stream().filter(RunSyncResult::created).count());
        assertEquals(2 * (30 * 2 + 2) + 1, first.runs().stream().mapToInt(RunSyncResult::metricPoints).sum());
        assertTrue(second.runs().stream().allMatch(RunSyncResult::unchanged), second.summary());
        JsonNode synced = server.readBack(server.uri(), "synced-later");
        SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(synced, new LocalRunStore(store), "synced-later");
        assertEquals(3, c.runs());
        assertEquals("custom_model_development",
                synced.path("experiment").path("tags").path("mlflow.experimentKind").asText(), "sync tags it too");
    }

    @Test
    void aServerDownAtStartNeverStallsTrainingAndTheNextProcessSendsWhatWasLeft(MlflowTestServer.Handle server)
            throws Exception {
        Path store = tmp.resolve("outage");
        try (FaultProxy proxy = new FaultProxy(server.uri())) {
            proxy.down(true);
            long t0 = System.nanoTime();
            try (MlflowTracker t = open(proxy.uri(), store)) {
                assertEquals(MlflowWriter.Mode.DOWN, t.mode());
                SweepFixture.run(t, "left-behind", 1, 2000, tmp.resolve("work"), s -> {});
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 15, "training never waits for a server that is down (took " + seconds + " s)");
            Path markers = store.resolve(PendingRuns.DIR).resolve(PendingRuns.hash(proxy.uri()));
            assertEquals(2, countFiles(markers), "both runs are marked as pending for that server");

            proxy.down(false);
            // The next genlab process tracking to the same server sends what the first one could not.
            try (MlflowTracker t = open(proxy.uri(), store)) {
                String exp = t.experiment("left-behind-next");
                String run = t.startRun(exp, "next", null, Map.of());
                t.logMetrics(run, List.of(new MetricPoint("train/loss", 1, 0, 1)));
                t.endRun(run, RunStatus.FINISHED);
            }
            SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(server.readBack(server.uri(), "left-behind"),
                    new LocalRunStore(store), "left-behind");
            assertEquals(2 * 2000 + 2 + 1, c.metricPoints());
            assertEquals(0, countFiles(markers), "replayed runs are no longer pending");
        }
    }

    private static long countFiles(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".txt")).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static List<String> paths(JsonNode artifacts) {
        List<String> out = new ArrayList<>();
        artifacts.forEach(a -> out.add(a.path("path").asText()));
        out.sort(null);
        return out;
    }
}
