package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genlab.tracking.mlflow.MlflowServer;
import dev.genlab.tracking.mlflow.PythonMlflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: three static shards of one sweep ({@code --shard i/3}), started at the same moment as three
 * processes each with its own local store (machines without a shared file system), against one real MLflow server: every trial
 * is recorded exactly once, under one parent run, which the last shard to finish ends with the sweep's
 * metrics. Mandatory under {@code CI=true}; skipped loudly elsewhere when Python cannot install MLflow.
 */
class ShardedSweepMlflowTest {

    private static final String SPEC = """
            name: sharded
            seed: 0
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 100, batch_size: 128, log_every: 50}
            evaluate: {samples: 300, metrics: [modes]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.05}}
            sweep:
              seeds: [0, 1, 2, 3, 4, 5]
            """;

    /** Every run of the experiment, active and deleted, read with MLflow's own client. */
    static final String READ_BACK = """
            import json, sys
            from mlflow.tracking import MlflowClient
            from mlflow.entities import ViewType
            c = MlflowClient(sys.argv[1])
            exp = c.get_experiment_by_name(sys.argv[2])
            out = []
            for r in c.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=1000):
                out.append({"id": r.info.run_id, "status": r.info.status, "stage": r.info.lifecycle_stage,
                            "parent": r.data.tags.get("mlflow.parentRunId"),
                            "trial": r.data.tags.get("genlab.trial_hash"),
                            "sweep": r.data.tags.get("genlab.sweep_hash"),
                            "owner": r.data.tags.get("genlab.claim.owner"),
                            "metrics": r.data.metrics})
            print(json.dumps(out))
            """;

    @TempDir
    Path tmp;

    @Test
    void threeShardProcessesRecordEveryTrialOnceUnderOneParent() throws Exception {
        String python = MlflowCliTest.venvPython();
        PythonMlflow mlflow = PythonMlflow.probe(python).orElseThrow();
        try (MlflowServer server = MlflowServer.start(mlflow, tmp.resolve("server"), 0, Duration.ofSeconds(120))) {
            Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
            List<Process> shards = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                Path log = tmp.resolve("shard-" + i + ".log");
                logs.add(log);
                // Separate stores share no claims: the static split keeps the shards apart.
                List<String> args = new ArrayList<>(List.of("run", spec.toString(), "tracking.uri=" + server.uri(),
                        "--store", tmp.resolve("store-" + i).toString(), "--shard=" + i + "/3"));
                shards.add(ChildJvm.start(log, Map.of(), args.toArray(String[]::new)));
            }
            for (int i = 0; i < 3; i++) {
                assertTrue(shards.get(i).waitFor(150, TimeUnit.SECONDS), "shard " + i + " did not finish");
                assertEquals(0, shards.get(i).exitValue(), "shard " + i + ":\n" + Files.readString(logs.get(i)));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;

            JsonNode runs = MlflowCliTest.readBack(python, READ_BACK, server.uri(), "sharded");
            List<JsonNode> active = new ArrayList<>();
            int trashed = 0;
            for (JsonNode r : runs) {
                if ("active".equals(r.path("stage").asText())) {
                    active.add(r);
                } else {
                    trashed++;
                }
            }
            StringBuilder shardLogs = new StringBuilder();
            for (Path log : logs) {
                shardLogs.append("\n--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
            List<JsonNode> parents = active.stream().filter(r -> r.path("parent").isNull()).toList();
            assertEquals(1, parents.size(), "one parent run: " + runs + shardLogs);
            JsonNode parent = parents.get(0);
            List<JsonNode> children = active.stream().filter(r -> !r.path("parent").isNull()).toList();
            assertEquals(6, children.size(), "each of the 6 trials once: " + runs + shardLogs);
            Set<String> trials = new HashSet<>();
            for (JsonNode c : children) {
                trials.add(c.path("trial").asText());
                assertEquals(parent.path("id").asText(), c.path("parent").asText(), "under the one parent");
                assertEquals("FINISHED", c.path("status").asText());
            }
            assertEquals(6, trials.size(), "distinct trial hashes");
            assertEquals("FINISHED", parent.path("status").asText(), "the last shard ended the parent");
            assertEquals(6.0, parent.path("metrics").path("sweep/trials_finished").asDouble(), parent.toString());
            int summaries = 0;
            for (Path log : logs) {
                if (Files.readString(log).contains("6 trial(s), 0 failed")) {
                    summaries++;
                }
            }
            assertTrue(summaries >= 1, "a shard printed the whole sweep's summary");
            System.out.printf("3 shards in %.1f s: %d active runs (1 parent, %d children, %d distinct trials), "
                    + "%d duplicate parent copies trashed, %d shard(s) summarised the sweep%n", seconds,
                    active.size(), children.size(), trials.size(), trashed, summaries);
        }
    }

    /**
     * Workers that share one local store (their claims) and one MLflow server: every trial once on the
     * server, under one parent, with its claim mirrored as tags, and the sweep summarised once.
     */
    @Test
    void twoWorkersOnASharedStoreRecordEveryTrialOnceOnTheServerWithTheirClaims() throws Exception {
        String python = MlflowCliTest.venvPython();
        PythonMlflow mlflow = PythonMlflow.probe(python).orElseThrow();
        try (MlflowServer server = MlflowServer.start(mlflow, tmp.resolve("server"), 0, Duration.ofSeconds(120))) {
            Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC.replace("steps: 100", "steps: 600"));
            Path store = tmp.resolve("shared-store");
            List<Process> workers = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path log = tmp.resolve("worker-" + i + ".log");
                logs.add(log);
                workers.add(ChildJvm.start(log, Map.of(), "run", spec.toString(), "tracking.uri=" + server.uri(),
                        "--store", store.toString(), "--resume", "--quiet"));
            }
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 2; i++) {
                assertTrue(workers.get(i).waitFor(150, TimeUnit.SECONDS), "worker " + i + " did not finish");
                all.append("\n--- worker ").append(i).append('\n').append(Files.readString(logs.get(i)));
                assertEquals(0, workers.get(i).exitValue(), all.toString());
            }
            JsonNode runs = MlflowCliTest.readBack(python, READ_BACK, server.uri(), "sharded");
            List<JsonNode> active = new ArrayList<>();
            runs.forEach(r -> {
                if ("active".equals(r.path("stage").asText())) {
                    active.add(r);
                }
            });
            List<JsonNode> parents = active.stream().filter(r -> r.path("parent").isNull()).toList();
            assertEquals(1, parents.size(), "one parent run: " + runs + all);
            List<JsonNode> children = active.stream().filter(r -> !r.path("parent").isNull()).toList();
            assertEquals(6, children.size(), "each of the 6 trials once: " + runs + all);
            Set<String> trials = new HashSet<>();
            Set<String> owners = new HashSet<>();
            for (JsonNode c : children) {
                trials.add(c.path("trial").asText());
                owners.add(c.path("owner").asText());
                assertEquals("FINISHED", c.path("status").asText());
                assertTrue(c.path("owner").asText().matches(".+ pid \\d+"), c.toString());
            }
            assertEquals(6, trials.size());
            assertEquals("FINISHED", parents.get(0).path("status").asText());
            assertEquals(6.0, parents.get(0).path("metrics").path("sweep/trials_finished").asDouble());
            // The shared store's journal of the parent (the write-ahead record of both workers): one summary.
            dev.genlab.tracking.local.RunRecord parent = new dev.genlab.tracking.local.LocalRunStore(store)
                    .readRuns("sharded").stream().filter(r -> r.parentRunId() == null).findFirst().orElseThrow();
            assertEquals(1, Files.readAllLines(parent.directory().resolve("journal.jsonl")).stream()
                    .filter(l -> l.contains("\"path\":\"summary.json\"")).count(), "one summary" + all);
            assertEquals(1, parent.history("sweep/trials_finished").size(), "one summary" + all);
            System.out.printf("2 workers on one store with MLflow: trials by owner %s%n", owners);
        }
    }
}
