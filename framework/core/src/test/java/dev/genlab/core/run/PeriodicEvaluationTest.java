package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.Params;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.report.Plots;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic evaluations ({@code train.eval_every}) through the real runner and meanfit, whose updates draw
 * from the engine generator: their values become curves under the grouped keys, they change nothing of
 * the training, they come out the same when the run is interrupted and resumed around them, and a
 * {@link TrialMonitor} reading them can end training.
 */
class PeriodicEvaluationTest {

    private static final String SPEC = """
            name: periodic-test
            seed: 4
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 60, batch_size: 64, log_every: 5, checkpoint_every: 10, eval_every: 20}
            evaluate: {samples: 400, metrics: [modes, prdc, frechet, stability], periodic_samples: 200}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2, noise: 0.05}}
            """;

    private static PluginRegistry registry;
    /** The uninterrupted run of {@link #SPEC}, which every test compares with. */
    private static RunRecord reference;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    @BeforeAll
    static void runTheReference() throws Exception {
        registry = new PluginLoader().load(List.of());
        reference = run(SPEC, shared.resolve("reference"), false, Progress.SILENT, new Cancellation());
    }

    private static ExperimentSpec spec(String text) throws Exception {
        Path file = Files.createTempFile(shared, "spec", ".yaml");
        Files.writeString(file, text);
        return new SpecLoader(registry, name -> null).load(file, List.of());
    }

    private static RunRecord run(String text, Path store, boolean resume, Progress progress, Cancellation cancel)
            throws Exception {
        ExperimentSpec spec = spec(text);
        RunOptions options = new RunOptions(true, List.of(), store, resume, null, null);
        SweepResult result = LocalRunners.create(registry, options, progress, cancel)
                .run(spec, new SweepPlanner().plan(spec));
        return new LocalRunStore(store).readRun(result.trials().get(0).runId()).orElseThrow();
    }

    private static RunRecord run(String text, Path store) throws Exception {
        return run(text, store, false, Progress.SILENT, new Cancellation());
    }

    private static List<Long> steps(RunRecord r, String key) {
        return r.history(key).stream().map(MetricPoint::step).toList();
    }

    @Test
    void periodicEvaluationsLogTheCheapMetricsAsCurvesAndTheFinalOneEverything() throws Exception {
        RunRecord r = reference;
        assertEquals(RunStatus.FINISHED, r.status());
        // modes and prdc are the cheap metrics among those listed; frechet and stability only at the end.
        assertEquals(List.of(20L, 40L, 60L), steps(r, MetricKeys.eval("modes_covered")));
        assertEquals(List.of(20L, 40L, 60L), steps(r, MetricKeys.eval("precision")));
        assertEquals(List.of(60L), steps(r, MetricKeys.eval("fd")));
        assertEquals(List.of(60L), steps(r, MetricKeys.eval("loss_std")));
        assertEquals("eval/coverage/modes_covered", MetricKeys.eval("modes_covered"));
        assertEquals("diagnostics/loss_std", MetricKeys.eval("loss_std"));
        // The paradigm's diagnostics come with every evaluation.
        assertEquals(List.of(20L, 40L, 60L), steps(r, MetricKeys.diagnostic("mean_0")));
        assertEquals(12, r.history(MetricKeys.TRAIN_LOSS).size(), "meanfit reports 'loss' itself, every 5th step");
        // A sample plot per evaluation in MLflow's image layout (picture + thumbnail), beside samples.png.
        List<String> artifacts = r.artifacts().stream().map(a -> a.path()).toList();
        assertTrue(artifacts.contains("samples.png"), artifacts.toString());
        for (long step : List.of(20L, 40L, 60L)) {
            assertEquals(2, artifacts.stream().filter(a -> a.startsWith("images/samples+step+" + step + "+")).count(),
                    "step " + step + ": " + artifacts);
        }
    }

    @Test
    void periodicEvaluationsChangeNothingOfTheTraining() throws Exception {
        RunRecord with = reference;
        RunRecord without = run(SPEC.replace("eval_every: 20", "eval_every: 0"), tmp.resolve("without"));
        assertEquals(List.of(60L), steps(without, MetricKeys.eval("modes_covered")));
        assertEquals(values(without, MetricKeys.TRAIN), values(with, MetricKeys.TRAIN), "same losses at every step");
        assertEquals(finals(without), finals(with), "same final evaluation");
    }

    @Test
    void aRunResumedAcrossAPeriodicEvaluationLogsTheUninterruptedValues() throws Exception {
        for (int stopAt : new int[] {25, 40}) { // between two evaluations; right after one (before its checkpoint)
            Path store = tmp.resolve("cut" + stopAt);
            Cancellation cancel = new Cancellation();
            RunRecord killed = run(SPEC, store, false, cancelAt(stopAt, cancel), cancel);
            assertEquals(RunStatus.KILLED, killed.status());
            RunRecord resumed = run(SPEC, store, true, Progress.SILENT, new Cancellation());
            assertEquals(killed.id(), resumed.id());
            assertEquals(Integer.toString(stopAt), resumed.tags().get("genlab.resumed_from_step"));
            assertEquals(values(reference, MetricKeys.EVAL), values(resumed, MetricKeys.EVAL),
                    "every evaluation, periodic and final, after a stop at step " + stopAt);
            assertEquals(values(reference, MetricKeys.DIAGNOSTICS), values(resumed, MetricKeys.DIAGNOSTICS));
            assertEquals(values(reference, MetricKeys.TRAIN), values(resumed, MetricKeys.TRAIN));
        }
    }

    @Test
    void aMonitorReadsEachPeriodicEvaluationAndCanEndTraining() throws Exception {
        ExperimentSpec spec = spec(SPEC);
        Trial trial = new SweepPlanner().plan(spec).get(0);
        List<Integer> seen = new ArrayList<>();
        List<Map<String, Double>> values = new ArrayList<>();
        TrialMonitor stopAt40 = (t, step, v) -> {
            seen.add(step);
            values.add(v);
            return step >= 40 ? TrialMonitor.Decision.STOP : TrialMonitor.Decision.CONTINUE;
        };
        Path store = tmp.resolve("monitored");
        TrialResult result;
        try (LocalRunStore tracker = new LocalRunStore(store); NDManager manager = NDManager.newBaseManager()) {
            DatasetProvider ring8 = registry.dataset("ring8").orElseThrow();
            DatasetSetup setup = new DatasetSetup(new Params(trial.dataset().params()), manager, spec.seed());
            LoadedData data = LoadedData.of(ring8.load(setup), ring8.loadHeldOut(setup).orElse(null));
            TrialRunner runner = new TrialRunner(registry, new Plots(), new Provenance(), Progress.SILENT,
                    new EngineLock(), new Cancellation(), stopAt40);
            result = runner.run(new TrialRunner.Context(tracker, tracker.experiment("periodic-test"), null, 1, 1),
                    trial, "", data);
        }
        assertEquals(RunStatus.FINISHED, result.status(), result.failure());
        assertEquals(List.of(20, 40), seen);
        assertTrue(values.get(0).containsKey("modes_covered") && values.get(0).containsKey("mean_0"),
                values.get(0).toString());
        assertFalse(values.get(0).containsKey("fd"), "not a periodic metric");
        RunRecord r = new LocalRunStore(store).readRun(result.runId()).orElseThrow();
        assertEquals("40", r.tags().get("genlab.stopped_at_step"));
        assertEquals(40, r.latest(MetricKeys.TRAIN_LOSS).orElseThrow().step());
        assertEquals(List.of(40L), steps(r, MetricKeys.eval("fd")), "the final evaluation, at the stop");
        assertEquals(List.of(20L, 40L, 40L), steps(r, MetricKeys.eval("modes_covered")));
        assertTrue(result.metrics().containsKey("fd"), result.metrics().toString());
    }

    /** Cancels the sweep once {@code step} steps are done. */
    private static Progress cancelAt(int step, Cancellation cancel) {
        return new Progress() {
            @Override
            public void trialStarted(int position, int total, Trial trial) {}

            @Override
            public void step(int s, int total, Map<String, Double> losses) {
                if (s == step) {
                    cancel.request();
                }
            }

            @Override
            public void trialEnded(TrialResult result) {}
        };
    }

    /** Every point of the keys under a prefix but timings, which differ between any two runs. */
    private static Map<String, List<List<Double>>> values(RunRecord r, String prefix) {
        Map<String, List<List<Double>>> out = new TreeMap<>();
        r.metrics().forEach((key, points) -> {
            if (key.startsWith(prefix) && !key.contains("second") && !key.endsWith("_ms")) {
                out.put(key, points.stream().map(p -> List.of((double) p.step(), p.value())).toList());
            }
        });
        return out;
    }

    private static Map<String, Double> finals(RunRecord r) {
        Map<String, Double> out = new TreeMap<>();
        r.metrics().keySet().stream().filter(k -> !k.startsWith(MetricKeys.TRAIN) && !k.contains("second")
                && !k.endsWith("_ms")).forEach(k -> out.put(k, r.latestValue(k).orElseThrow()));
        return out;
    }
}
