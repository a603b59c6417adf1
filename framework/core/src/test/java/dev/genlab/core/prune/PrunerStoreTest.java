package dev.genlab.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.genlab.core.run.TrialMonitor;
import dev.genlab.core.run.TrialPruned;
import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.EarlyStopSpec;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.spec.SweepObjective;
import dev.genlab.core.spec.TrainSpec;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pruner on a real local run store with synthetic values: it reads the other trials' periodic values
 * from the store (the final evaluation left out), records each decision on the trial's run, and replays
 * a recorded decision instead of judging again on data that changed since.
 */
class PrunerStoreTest {

    private static final SweepObjective OBJECTIVE = new SweepObjective("high_quality_pct", SweepObjective.Mode.MAX);
    private static final String EXPERIMENT = "prune-test";
    private static final TrainSpec TRAIN = new TrainSpec(1000, 8, 100, 10);
    private static final EarlyStopSpec ASHA = new EarlyStopSpec(EarlyStopSpec.Type.ASHA, 100, 2, 5, 0);

    @TempDir
    Path root;

    private LocalRunStore store;
    private String experimentId;
    private String parent;

    @BeforeEach
    void sweep() {
        store = new LocalRunStore(root);
        experimentId = store.experiment(EXPERIMENT);
        parent = store.startRun(experimentId, "sweep", null, Map.of());
    }

    private static Trial trial(int index) {
        return new Trial(index, "fit", "meanfit", Map.of(), new DatasetSpec("ring8", Map.of()), TRAIN,
                EvaluateSpec.DEFAULTS, 0, Map.of(), "hash" + index);
    }

    /** A trial run of the sweep with the objective at the given steps; ended with the status if not null. */
    private String record(int index, Map<Integer, Double> values, RunStatus end) {
        String id = store.startRun(experimentId, "t" + index, parent,
                Map.of("genlab.trial_index", Integer.toString(index), "genlab.trial_hash", "hash" + index));
        store.logParams(id, Map.of("steps", Integer.toString(TRAIN.steps())));
        List<MetricPoint> points = new ArrayList<>();
        new TreeMap<>(values).forEach((s, v) -> points.add(new MetricPoint(OBJECTIVE.key(), v, s, 1)));
        store.logMetrics(id, points);
        if (end != null) {
            store.endRun(id, end);
        }
        return id;
    }

    private Pruner pruner(EarlyStopSpec spec) {
        // A new reader per pruner, as a new process would open it.
        return new Pruner(spec, OBJECTIVE, store, new StoreRecords(new LocalRunStore(root), EXPERIMENT, parent,
                OBJECTIVE));
    }

    @Test
    void curvesHoldThePeriodicValuesOfTheSweepsTrialsOnly() {
        // Trial 1's run starts first: the curves still come in trial-index order, not in start (or run-id) order.
        record(1, Map.of(100, 3.0), RunStatus.KILLED);
        String finished = record(0, Map.of(400, 1.0, 800, 2.0, 1000, 9.0), RunStatus.FINISHED);
        String other = store.startRun(experimentId, "another sweep", null, Map.of());
        store.startRun(experimentId, "t9", other, Map.of("genlab.trial_index", "9", "genlab.trial_hash", "h9"));
        List<TrialCurve> curves = new StoreRecords(store, EXPERIMENT, parent, OBJECTIVE).others("none");
        assertEquals(List.of(new TrialCurve(0, true, new TreeMap<>(Map.of(400, 1.0, 800, 2.0))),
                new TrialCurve(1, false, new TreeMap<>(Map.of(100, 3.0)))), curves,
                "in index order; the final evaluation at step 1000 is not a periodic value; other sweeps' trials do not count");
        assertEquals(new TreeMap<>(Map.of(400, 1.0, 800, 2.0)),
                new StoreRecords(store, EXPERIMENT, parent, OBJECTIVE).own(finished));
    }

    @Test
    void ashaStopsAWeakTrialAndRecordsWhy() {
        record(0, Map.of(100, 50.0, 200, 60.0), RunStatus.FINISHED);
        record(1, Map.of(100, 40.0), null); // still running: its rung value counts
        Trial t = trial(2);
        String run = record(2, Map.of(100, 10.0), null); // its own evaluation is logged before it is judged
        Pruner p = pruner(ASHA);
        p.started(t, run);
        TrialPruned e = assertThrows(TrialPruned.class,
                () -> p.evaluated(t, 100, Map.of("high_quality_pct", 10.0, "precision", 0.5)));
        String reason = "asha rung 0 (step 100): high_quality_pct 10.00 is worse than the threshold 50.00 (top 1 of 3)";
        assertEquals(reason, e.getMessage());
        assertEquals("stop: " + reason, store.readRun(run).orElseThrow().tags().get(Pruner.DECISION_TAG + 100));
    }

    @Test
    void aRecordedDecisionIsReplayedNotRemade() {
        record(0, Map.of(100, 20.0), RunStatus.FINISHED);
        Trial t = trial(1);
        String run = record(1, Map.of(100, 30.0), null);
        Pruner first = pruner(ASHA);
        first.started(t, run);
        assertEquals(TrialMonitor.Decision.CONTINUE, first.evaluated(t, 100, Map.of("high_quality_pct", 30.0)),
                "the better of 2 values, keep 1");
        String recorded = store.readRun(run).orElseThrow().tags().get(Pruner.DECISION_TAG + 100);
        assertEquals("continue: asha rung 0 (step 100): high_quality_pct 30.00 is within the threshold 30.00 (top 1 "
                + "of 2)", recorded);
        // Better trials arrive; judged again now, 30 would be outside the top 2 of 4. The resumed trial (a new
        // process: a new pruner) reaching step 100 again keeps its decision.
        record(2, Map.of(100, 80.0), RunStatus.FINISHED);
        record(3, Map.of(100, 90.0), RunStatus.FINISHED);
        Pruner resumed = pruner(ASHA);
        resumed.started(t, run);
        assertEquals(TrialMonitor.Decision.CONTINUE, resumed.evaluated(t, 100, Map.of("high_quality_pct", 30.0)));
        assertEquals(recorded, store.readRun(run).orElseThrow().tags().get(Pruner.DECISION_TAG + 100));
        Trial fresh = trial(4);
        String freshRun = record(4, Map.of(100, 30.0), null);
        Pruner p = pruner(ASHA);
        p.started(fresh, freshRun);
        assertThrows(TrialPruned.class, () -> p.evaluated(fresh, 100, Map.of("high_quality_pct", 30.0)),
                "the same value, judged on today's data");
        // A recorded stop is replayed even without the value (nothing is judged).
        Pruner again = pruner(ASHA);
        again.started(fresh, freshRun);
        assertThrows(TrialPruned.class, () -> again.evaluated(fresh, 100, Map.of()));
    }

    @Test
    void evaluationsBetweenRungsAndBeforeTheGraceAreNotJudged() {
        Trial t = trial(0);
        String run = record(0, Map.of(), null);
        Pruner p = pruner(ASHA);
        p.started(t, run);
        assertEquals(TrialMonitor.Decision.CONTINUE, p.evaluated(t, 300, Map.of("high_quality_pct", 1.0)),
                "rungs 100, 200, 400, 800: none since step 200");
        assertEquals(Map.of("genlab.trial_index", "0", "genlab.trial_hash", "hash0"),
                store.readRun(run).orElseThrow().tags(), "no decision recorded");
    }

    @Test
    void theMedianRuleReadsCompletedTrialsFromTheStore() {
        for (int i = 0; i < 3; i++) {
            record(i, Map.of(100, 10.0 * (i + 1), 200, 10.0 * (i + 1)), RunStatus.FINISHED); // averages 10, 20, 30
        }
        record(3, Map.of(100, 99.0), RunStatus.KILLED); // not completed: does not count
        Trial t = trial(4);
        String run = record(4, Map.of(100, 19.0), null);
        Pruner p = pruner(new EarlyStopSpec(EarlyStopSpec.Type.MEDIAN, 100, 3, 3, 0));
        p.started(t, run);
        TrialPruned e = assertThrows(TrialPruned.class, () -> p.evaluated(t, 100, Map.of("high_quality_pct", 19.0)));
        assertEquals("median rule at step 100: best high_quality_pct 19.00 is worse than the median 20.00 of 3 "
                + "completed trials' running averages", e.getMessage());
    }

    @Test
    void hyperbandComparesATrialWithItsOwnBracketFromItsBracketsFirstRung() {
        // grace 100, rf 2, 1000 steps: rungs 100, 200, 400, 800, so 4 brackets; trial 5 is in bracket 1,
        // whose first rung is 200, and competes with trial 1 only (trial 0: bracket 0, trial 2: bracket 2).
        EarlyStopSpec hyperband = new EarlyStopSpec(EarlyStopSpec.Type.HYPERBAND, 100, 2, 5, 0);
        record(0, Map.of(100, 80.0, 200, 80.0), RunStatus.FINISHED);
        record(1, Map.of(100, 50.0, 200, 50.0), RunStatus.FINISHED);
        record(2, Map.of(100, 90.0, 200, 90.0), RunStatus.FINISHED);
        Trial t = trial(5);
        String run = record(5, Map.of(), null);
        Pruner p = pruner(hyperband);
        p.started(t, run);
        assertEquals(TrialMonitor.Decision.CONTINUE, p.evaluated(t, 100, Map.of("high_quality_pct", 1.0)),
                "no rung of bracket 1 at step 100");
        TrialPruned e = assertThrows(TrialPruned.class, () -> p.evaluated(t, 200, Map.of("high_quality_pct", 40.0)));
        assertEquals("hyperband bracket 1 rung 0 (step 200): high_quality_pct 40.00 is worse than the threshold "
                + "50.00 (top 1 of 2)", e.getMessage());
        assertEquals(null, store.readRun(run).orElseThrow().tags().get(Pruner.DECISION_TAG + 100));
    }
}
