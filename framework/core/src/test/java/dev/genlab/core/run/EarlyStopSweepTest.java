package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.prune.Pruner;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sweep with the median stopping rule (meanfit on ring8, 60 steps): a configuration that samples
 * far too wide (std 10) is pruned at its first periodic evaluation once three good trials completed; the
 * sweep counts it as pruned, not failed, and a resume trains nothing again. An early-stopped sweep trains
 * its trials in an order shuffled by the spec's seed; seed 14 shuffles the six trials to 1, 0, 2, 3, 4, 5,
 * so the three good ones (plan indices 0-2) complete first.
 */
class EarlyStopSweepTest {

    private static final String SPEC = """
            name: early-stop-test
            seed: 14
            dataset: {name: ring8, params: {n: 2000, std: 0.2}}
            train: {steps: 60, batch_size: 64, log_every: 10, checkpoint_every: 20, eval_every: 20}
            evaluate: {samples: 300, metrics: [prdc], periodic_samples: 300}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2, noise: 0.01}}
            sweep:
              seeds: [0, 1, 2]
              parameters: {fit.std: [0.8, 10.0]}
              objective: {metric: precision, mode: max}
              early_stop: {type: median, grace_steps: 20, min_trials: 3}
            """;

    /** The plan indices in the order seed 14 shuffles them to. */
    private static final List<Integer> RUN_ORDER = List.of(1, 0, 2, 3, 4, 5);

    @TempDir
    Path tmp;

    private SweepResult run(PluginRegistry registry, Path store, boolean resume) throws Exception {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, SPEC);
        ExperimentSpec spec = new SpecLoader(registry, name -> null).load(file, List.of());
        RunOptions options = new RunOptions(true, List.of(), store, resume, null, null);
        return LocalRunners.create(registry, options, Progress.SILENT, new Cancellation())
                .run(spec, new SweepPlanner().plan(spec));
    }

    @Test
    void aClearlyBadConfigurationIsPrunedCountedAsPrunedAndNotRerun() throws Exception {
        PluginRegistry registry = new PluginLoader().load(List.of());
        Path store = tmp.resolve("store");
        SweepResult result = run(registry, store, false);

        assertEquals(6, result.trials().size());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), result.trials().stream().map(r -> r.trial().index()).toList(),
                "results are reported in plan order");
        LocalRunStore store0 = new LocalRunStore(store);
        assertEquals(RUN_ORDER, result.trials().stream()
                .sorted(java.util.Comparator.comparingLong(r -> store0.readRun(r.runId()).orElseThrow().startTimeMs()))
                .map(r -> r.trial().index()).toList(), "trained in the shuffled order");
        assertEquals(List.of(false, false, false, true, true, true),
                result.trials().stream().map(TrialResult::pruned).toList(), "std=10 is pruned, std=0.8 is not");
        assertEquals(0, result.failures(), "pruning is not failure: the exit code stays 0");
        assertEquals(3, result.pruned());
        LocalRunStore runs = new LocalRunStore(store);
        for (TrialResult r : result.trials().subList(3, 6)) {
            RunRecord run = runs.readRun(r.runId()).orElseThrow();
            assertEquals(RunStatus.KILLED, run.status());
            String reason = run.tags().get("genlab.pruned");
            assertTrue(reason.startsWith("median rule at step 20: best precision "), reason);
            assertTrue(reason.endsWith(" is worse than the median " + median(result, runs) + " of 3 completed trials' "
                    + "running averages"), reason);
            assertEquals("stop: " + reason, run.tags().get(Pruner.DECISION_TAG + 20));
            assertEquals("20", run.tags().get("genlab.stopped_at_step"));
            assertFalse(run.tags().containsKey("genlab.failure"));
            assertEquals(List.of(20L), run.history(MetricKeys.eval("precision")).stream()
                    .map(MetricPoint::step).toList(), "no final evaluation after pruning");
            assertEquals(r.failure(), reason);
        }
        for (int i = 0; i < 3; i++) {
            RunRecord run = runs.readRun(result.trials().get(i).runId()).orElseThrow();
            assertEquals(RunStatus.FINISHED, run.status());
            for (int step : new int[] {20, 40}) {
                String decision = run.tags().get(Pruner.DECISION_TAG + step);
                assertTrue(decision.startsWith("continue: median rule at step " + step + ": best precision "),
                        decision);
                assertTrue(decision.endsWith("; only " + RUN_ORDER.indexOf(i) + " completed trial(s), fewer than 3"),
                        decision);
            }
        }

        String table = new SweepSummary().table(result);
        assertTrue(table.contains("0/3 (3 pruned)"), table);
        assertTrue(table.contains("PRUNED fit std=10.0 seed=0: median rule at step 20"), table);
        assertTrue(table.contains("6 trial(s), 3 pruned, 0 failed"), table);
        RunRecord parent = runs.readRun(result.parentRunId()).orElseThrow();
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals(3.0, parent.latestValue("sweep/trials_pruned").orElseThrow());
        assertEquals(0.0, parent.latestValue("sweep/trials_failed").orElseThrow());
        assertEquals(3.0, parent.latestValue("sweep/trials_finished").orElseThrow());
        String html = Files.readString(result.report());
        assertTrue(html.contains("<td>PRUNED</td>"), "the report's runs table");
        assertTrue(html.contains("3 pruned"), "the report's summary line");

        int before = runs.readRuns("early-stop-test").size();
        SweepResult resumed = run(registry, store, true);
        assertEquals(before, new LocalRunStore(store).readRuns("early-stop-test").size(), "no run started again");
        assertEquals(result.trials().stream().map(TrialResult::runId).toList(),
                resumed.trials().stream().map(TrialResult::runId).toList());
        assertEquals(3, resumed.pruned());
        assertEquals(0, resumed.failures());
        for (TrialResult r : resumed.trials()) {
            assertFalse(new LocalRunStore(store).readRun(r.runId()).orElseThrow().tags().containsKey("genlab.resumed"));
        }
    }

    /** The median of the completed (std=0.8) trials' precision at step 20, formatted as the reason shows it. */
    private static String median(SweepResult result, LocalRunStore runs) {
        List<Double> at20 = result.trials().subList(0, 3).stream()
                .map(r -> runs.readRun(r.runId()).orElseThrow().history(MetricKeys.eval("precision")).get(0).value())
                .sorted().collect(Collectors.toList());
        return String.format(java.util.Locale.ROOT, "%.4g", at20.get(1));
    }
}
