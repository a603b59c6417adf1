package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.report.ReportCharts;
import dev.genlab.core.report.ReportData;
import dev.genlab.core.report.ReportLoader;
import dev.genlab.core.report.ReportRun;
import dev.genlab.core.report.SweepReport;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints, resume and cancellation through the real runner (meanfit, whose updates
 * draw from the engine generator, so any change in random streams shows in the results).
 */
class ResumeTest {

    private static final String SPEC = """
            name: resume-test
            seed: 5
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 60, batch_size: 64, log_every: 5, checkpoint_every: 10, eval_every: 30}
            evaluate: {samples: 400, metrics: [modes, stability]}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2, noise: 0.05}}
            sweep:
              seeds: [0, 1, 2]
            """;

    private static PluginRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadPlugins() {
        registry = new PluginLoader().load(List.of());
    }

    private SweepResult run(Path store, boolean resume, Progress progress, Cancellation cancel)
            throws Exception {
        return run(SPEC, store, resume, progress, cancel);
    }

    private SweepResult run(String specText, Path store, boolean resume, Progress progress,
            Cancellation cancel) throws Exception {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, specText);
        ExperimentSpec spec = new SpecLoader(registry, name -> null).load(file, List.of());
        List<Trial> trials = new SweepPlanner().plan(spec);
        RunOptions options = new RunOptions(true, List.of(), store, resume, null, null);
        return LocalRunners.create(registry, options, progress, cancel).run(spec, trials);
    }

    /** Cancels the sweep once the trial with the given seed has completed {@code step} steps. */
    private static Progress cancelAt(long seed, int step, Cancellation cancel) {
        return new Progress() {
            private volatile long current = -1;

            @Override
            public void trialStarted(int position, int total, Trial trial) {
                current = trial.seed();
            }

            @Override
            public void step(int s, int total, Map<String, Double> losses) {
                if (current == seed && s == step) {
                    cancel.request();
                }
            }

            @Override
            public void trialEnded(TrialResult result) {}
        };
    }

    private static Map<Long, TrialResult> bySeed(SweepResult r) {
        return r.trials().stream().collect(Collectors.toMap(t -> t.trial().seed(), t -> t));
    }

    @Test
    void aSweepResumedFromAnEditedSpecReportsTheTrialsItSkipped() throws Exception {
        Path store = tmp.resolve("store");
        SweepResult first = run(store, false, Progress.SILENT, new Cancellation());
        String edited = SPEC.replace("sweep:\n", "  - {name: other, plugin: meanfit, params: {lr: 0.1}}\nsweep:\n");
        SweepResult second = run(edited, store, true, Progress.SILENT, new Cancellation());
        assertEquals(6, second.trials().size());
        assertTrue(!first.parentRunId().equals(second.parentRunId()), "an edited spec is another sweep");
        Set<String> reused = first.trials().stream().map(TrialResult::runId).collect(Collectors.toSet());
        assertEquals(reused, second.trials().stream().filter(t -> t.trial().paradigm().equals("fit"))
                .map(TrialResult::runId).collect(Collectors.toSet()), "the fit trials were skipped, not rerun");

        for (String selector : List.of(second.parentRunId(), "resume-test")) {
            ReportData report = new ReportLoader().load(new LocalRunStore(store), selector);
            assertEquals(second.parentRunId(), report.sweepRunId());
            Set<String> reported = report.runs().stream().map(ReportRun::runId).collect(Collectors.toSet());
            assertEquals(second.trials().stream().map(TrialResult::runId).collect(Collectors.toSet()), reported,
                    "the report of " + selector + " has every trial of the sweep, the skipped ones included");
        }
        // Its header counts the skipped trials' time, which its own wall time does not include.
        double trialSeconds = first.trials().stream().mapToDouble(TrialResult::wallSeconds).sum()
                + second.trials().stream().mapToDouble(TrialResult::wallSeconds).sum(); // skipped ones count 0
        ReportData report = new ReportLoader().load(new LocalRunStore(store), second.parentRunId());
        double reportedSeconds = report.trials().stream().mapToDouble(ReportRun::wallSeconds).sum();
        assertEquals(trialSeconds, reportedSeconds, 0.05 * trialSeconds + 0.5);
        Path md = new SweepReport(new ReportCharts()).write(report, tmp.resolve("report")).markdown();
        assertTrue(Files.readString(md).contains(String.format(java.util.Locale.ROOT, ", trial time %.1f s",
                reportedSeconds)), Files.readString(md));
        // The first sweep's own report is unchanged by the second.
        assertEquals(reused, new ReportLoader().load(new LocalRunStore(store), first.parentRunId()).runs().stream()
                .map(ReportRun::runId).collect(Collectors.toSet()));
    }

    @Test
    void cancelledSweepResumesFromTheCheckpointToTheSameNumbers() throws Exception {
        Map<Long, TrialResult> reference = bySeed(run(tmp.resolve("reference"), false, Progress.SILENT,
                new Cancellation()));

        Path store = tmp.resolve("store");
        Cancellation cancel = new Cancellation();
        SweepResult interrupted = run(store, false, cancelAt(1, 25, cancel), cancel);
        assertEquals(2, interrupted.trials().size(), "the third trial never started");
        assertEquals(RunStatus.KILLED, interrupted.trials().get(1).status());
        String summary = new SweepSummary().table(interrupted);
        assertTrue(summary.contains("KILLED " + interrupted.trials().get(1).trial().runName() + ": "), summary);
        assertFalse(summary.contains("FAILED "), summary);
        RunRecord killed = new LocalRunStore(store).readRun(interrupted.trials().get(1).runId()).orElseThrow();
        assertEquals(RunStatus.KILLED, killed.status());
        assertTrue(Files.isRegularFile(killed.directory().resolve("checkpoint/state.bin")));
        RunRecord parent = new LocalRunStore(store).readRun(interrupted.parentRunId()).orElseThrow();
        assertEquals(RunStatus.KILLED, parent.status());

        SweepResult resumed = run(store, true, Progress.SILENT, new Cancellation());

        assertEquals(interrupted.parentRunId(), resumed.parentRunId(), "the sweep's parent run is reused");
        List<RunRecord> runs = new LocalRunStore(store).readRuns("resume-test");
        assertEquals(4, runs.size(), "one parent and one run per trial: " + runs);
        List<RunRecord> children = runs.stream().filter(r -> r.parentRunId() != null).toList();
        assertEquals(3, children.stream().map(r -> r.tags().get("genlab.trial_hash")).distinct().count());
        children.forEach(c -> assertEquals(RunStatus.FINISHED, c.status(), c.name()));
        RunRecord continued = children.stream().filter(c -> c.id().equals(killed.id())).findFirst().orElseThrow();
        assertEquals("25", continued.tags().get("genlab.resumed_from_step"));
        assertNull(children.get(0).tags().get("genlab.resumed_from_step"));
        assertEquals(RunStatus.FINISHED, new LocalRunStore(store).readRun(resumed.parentRunId()).orElseThrow().status());

        Map<Long, TrialResult> after = bySeed(resumed);
        for (long seed = 0; seed < 3; seed++) {
            assertEquals(comparable(reference.get(seed).metrics()), comparable(after.get(seed).metrics()),
                    "metrics of seed " + seed);
            assertEquals(reference.get(seed).finalLosses(), after.get(seed).finalLosses(), "losses of seed " + seed);
        }
        // And the resumed run's record itself holds the uninterrupted run's final numbers.
        assertEquals(reference.get(1L).metrics().get("modes_covered"),
                continued.latestValue(MetricKeys.eval("modes_covered")).orElseThrow());
    }

    @Test
    void resumingAFinishedSweepRunsNothingAgain() throws Exception {
        Path store = tmp.resolve("done");
        run(store, false, Progress.SILENT, new Cancellation());
        SweepResult again = run(store, true, Progress.SILENT, new Cancellation());
        assertEquals(3, again.trials().size());
        assertEquals(4, new LocalRunStore(store).readRuns("resume-test").size(), "no new runs");
    }

    @Test
    void aTrialKilledAfterItsVariantRunsFinishedGetsNoSecondVariantRunOnResume() throws Exception {
        String spec = SPEC.replace("params: {lr: 0.2, noise: 0.05}}",
                "params: {lr: 0.2, noise: 0.05}, variants: {wide: {std: 2.0}, tight: {std: 0.05}}}")
                .replace("seeds: [0, 1, 2]", "seeds: [0]");
        Path store = tmp.resolve("variants");
        SweepResult first = run(spec, store, false, Progress.SILENT, new Cancellation());
        String trialRun = first.trials().get(0).runId();
        // The process dies after the variant runs ended but before the trial's run did: its last end is
        // not FINISHED, so a resume trains and evaluates the trial again.
        try (LocalRunStore local = new LocalRunStore(store)) {
            local.endRun(trialRun, RunStatus.KILLED);
            local.endRun(first.parentRunId(), RunStatus.KILLED);
        }
        SweepResult resumed = run(spec, store, true, Progress.SILENT, new Cancellation());
        assertEquals(RunStatus.FINISHED, resumed.trials().get(0).status());
        assertEquals(trialRun, resumed.trials().get(0).runId());

        List<RunRecord> children = new LocalRunStore(store).readRuns("resume-test").stream()
                .filter(r -> trialRun.equals(r.parentRunId())).toList();
        assertEquals(List.of("tight", "wide"), children.stream().map(r -> r.tags().get(TrialRunner.VARIANT_TAG))
                .sorted().toList(), "one run per variant: " + children.stream().map(RunRecord::name).toList());
        children.forEach(c -> assertEquals(RunStatus.FINISHED, c.status(), c.name()));
        children.forEach(c -> assertEquals(1, c.metrics().get(MetricKeys.eval("modes_covered")).size(),
                "each variant metric logged once: " + c.name()));
    }

    /** Timing metrics differ between any two runs; everything else must be identical. */
    private static Map<String, Double> comparable(Map<String, Double> metrics) {
        Map<String, Double> out = new TreeMap<>(metrics);
        out.keySet().removeIf(k -> k.contains("second") || k.endsWith("_ms"));
        return out;
    }
}
