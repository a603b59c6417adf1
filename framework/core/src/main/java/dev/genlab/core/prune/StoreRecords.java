package dev.genlab.core.prune;

import dev.genlab.core.spec.SweepObjective;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A sweep's records read from the local run store that every process of the sweep writes (journals are
 * written through to the file system, so a read sees what other processes logged up to then).
 */
public final class StoreRecords implements SweepRecords {

    private static final String TRIAL_INDEX_TAG = "genlab.trial_index";
    private static final String TRIAL_HASH_TAG = "genlab.trial_hash";
    private static final String STOPPED_TAG = "genlab.stopped_at_step";

    private final LocalRunStore store;
    private final String experimentName;
    private final String parentRunId;
    private final SweepObjective objective;

    /**
     * @param store the sweep's local run store (read only)
     * @param experimentName the experiment the sweep records to
     * @param parentRunId the sweep's parent run: its child trial runs are the sweep's
     * @param objective what the curves hold
     */
    public StoreRecords(LocalRunStore store, String experimentName, String parentRunId, SweepObjective objective) {
        this.store = store;
        this.experimentName = experimentName;
        this.parentRunId = parentRunId;
        this.objective = objective;
    }

    @Override
    public List<TrialCurve> others(String runId) {
        // One run per trial: a trial run more than once (a retried failure) counts with its latest run.
        Map<String, RunRecord> byTrial = new LinkedHashMap<>();
        for (RunRecord r : store.readRuns(experimentName)) {
            if (parentRunId.equals(r.parentRunId()) && !r.id().equals(runId)
                    && r.tags().containsKey(TRIAL_INDEX_TAG) && r.tags().containsKey(TRIAL_HASH_TAG)) {
                byTrial.put(r.tags().get(TRIAL_HASH_TAG), r);
            }
        }
        List<TrialCurve> out = new ArrayList<>(byTrial.size());
        for (RunRecord r : byTrial.values()) {
            int index;
            try {
                index = Integer.parseInt(r.tags().get(TRIAL_INDEX_TAG));
            } catch (NumberFormatException e) {
                continue; // not a trial run genlab wrote
            }
            out.add(new TrialCurve(index, r.status() == RunStatus.FINISHED, periodic(r)));
        }
        // Runs started in the same millisecond come back in run-id (random) order; index order is stable.
        out.sort(Comparator.comparingInt(TrialCurve::index));
        return out;
    }

    @Override
    public NavigableMap<Integer, Double> own(String runId) {
        return store.readRun(runId).map(this::periodic).orElseGet(TreeMap::new);
    }

    @Override
    public Map<String, String> tags(String runId) {
        return store.readRun(runId).map(RunRecord::tags).orElse(Map.of());
    }

    /**
     * The objective at the run's periodic evaluations: its logged points without the final evaluation's (a
     * finished run's last step: {@code steps}, or the step a monitor stopped it at).
     */
    private NavigableMap<Integer, Double> periodic(RunRecord r) {
        long end = Long.MAX_VALUE;
        if (r.status() == RunStatus.FINISHED) {
            String stopped = r.tags().get(STOPPED_TAG);
            String steps = stopped != null ? stopped : r.params().get("steps");
            try {
                end = steps == null ? Long.MAX_VALUE : Long.parseLong(steps);
            } catch (NumberFormatException e) {
                end = Long.MAX_VALUE;
            }
        }
        NavigableMap<Integer, Double> out = new TreeMap<>();
        for (MetricPoint p : r.history(objective.key())) {
            if (p.step() < end) {
                out.put((int) p.step(), p.value()); // a step logged twice (a resume) keeps its last value
            }
        }
        return out;
    }
}
