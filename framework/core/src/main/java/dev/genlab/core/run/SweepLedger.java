package dev.genlab.core.run;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.RunSummary;
import dev.genlab.tracking.Tracker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the tracker already holds of a sweep, for {@code --resume} and for shards: the sweep's parent run
 * (found by sweep hash, or created under an id derived from it, so that shards starting at once agree on
 * one), each trial's earlier runs (by trial hash), and whether every trial of the plan has ended.
 */
final class SweepLedger {

    static final String SWEEP_HASH_TAG = "genlab.sweep_hash";
    static final String TRIAL_HASH_TAG = "genlab.trial_hash";

    private final Tracker tracker;
    private final String experimentId;
    /** The parent run of a new sweep whose workers count only the runs under it, or null for any run. */
    private final String scope;

    SweepLedger(Tracker tracker, String experimentId) {
        this(tracker, experimentId, null);
    }

    /**
     * @param scope the parent run of a new sweep ({@code --parallel N} without {@code --resume}): only its
     *     child runs count, so earlier sweeps of the same plan are neither skipped nor continued; null: any
     */
    SweepLedger(Tracker tracker, String experimentId, String scope) {
        this.tracker = tracker;
        this.experimentId = experimentId;
        this.scope = scope;
    }

    /** What to do with one trial. */
    sealed interface Decision permits Skip, Resume, Fresh {}

    /** @param run the trial's FINISHED (or pruned) run */
    record Skip(RunSummary run) implements Decision {}

    /** @param runId an unfinished run of the trial, kept in this process's store, to continue */
    record Resume(String runId) implements Decision {}

    /** No usable earlier run: start one. */
    record Fresh() implements Decision {}

    /**
     * Finds the sweep's parent run or creates it. An unfinished parent is preferred (the sweep being
     * resumed), then the latest finished one; with none, the id is derived from the experiment and sweep
     * hash, which is what lets simultaneous shards converge on one parent.
     *
     * @return the parent's run id
     */
    String parent(String sweepHash, String runName, Map<String, String> tags) {
        if (scope != null) {
            return tracker.continueRun(scope, experimentId, runName, null, tags);
        }
        List<RunSummary> parents = new ArrayList<>();
        for (RunSummary r : tracker.runsTagged(experimentId, SWEEP_HASH_TAG, sweepHash)) {
            if (r.parentRunId() == null || r.parentRunId().isEmpty()) {
                parents.add(r);
            }
        }
        String id = parents.stream().filter(r -> !r.status().terminal()).findFirst()
                .or(() -> parents.isEmpty() ? Optional.empty() : Optional.of(parents.get(parents.size() - 1)))
                .map(RunSummary::runId)
                .orElseGet(() -> stableId(experimentId, sweepHash));
        return tracker.continueRun(id, experimentId, runName, null, tags);
    }

    /**
     * Skip a trial that has a FINISHED or pruned run (pruning is a decision, not an interruption); continue
     * its latest unfinished run kept here; else start one.
     */
    Decision decide(Trial trial) {
        List<RunSummary> runs = runs(trial);
        Optional<RunSummary> finished = runs.stream().filter(r -> r.status() == RunStatus.FINISHED).findFirst()
                .or(() -> runs.stream().filter(SweepLedger::pruned).findFirst());
        if (finished.isPresent()) {
            return new Skip(finished.get());
        }
        for (int i = runs.size() - 1; i >= 0; i--) {
            if (tracker.runDirectory(runs.get(i).runId()).isPresent()) {
                return new Resume(runs.get(i).runId());
            }
        }
        return new Fresh();
    }

    /**
     * The results of every trial of the plan if each has ended (FINISHED, FAILED or pruned), reading the trials
     * that other processes ran from the tracker.
     *
     * @param plan the whole plan
     * @param known results this process already has, by trial hash
     * @return all results in plan order, or empty while some trial has not ended
     */
    Optional<List<TrialResult>> complete(List<Trial> plan, Map<String, TrialResult> known) {
        List<TrialResult> all = new ArrayList<>(plan.size());
        for (Trial t : plan) {
            TrialResult mine = known.get(t.hash());
            if (mine != null && (mine.status() == RunStatus.FINISHED || mine.status() == RunStatus.FAILED
                    || mine.pruned())) {
                all.add(mine);
                continue;
            }
            Optional<RunSummary> ended = endedRun(t);
            if (ended.isEmpty()) {
                return Optional.empty();
            }
            all.add(fromRecord(t, ended.get()));
        }
        return Optional.of(all);
    }

    /**
     * @param plan trials
     * @return those of them that ended (FINISHED, FAILED or pruned) in any process, rebuilt from their runs, in order
     */
    List<TrialResult> ended(List<Trial> plan) {
        List<TrialResult> out = new ArrayList<>();
        for (Trial t : plan) {
            endedRun(t).ifPresent(r -> out.add(fromRecord(t, r)));
        }
        return out;
    }

    /**
     * The run that stands for a trial's end: its first FINISHED run, else its first pruned one, else its
     * FAILED run with the greatest id.
     */
    private Optional<RunSummary> endedRun(Trial t) {
        List<RunSummary> runs = runs(t);
        return runs.stream().filter(r -> r.status() == RunStatus.FINISHED).findFirst()
                .or(() -> runs.stream().filter(SweepLedger::pruned).findFirst())
                .or(() -> runs.stream().filter(r -> r.status() == RunStatus.FAILED)
                        .max(Comparator.comparing(RunSummary::runId)));
    }

    /** The trial's runs that count: all of them, or those under the scope's parent. */
    private List<RunSummary> runs(Trial t) {
        List<RunSummary> runs = tracker.runsTagged(experimentId, TRIAL_HASH_TAG, t.hash());
        return scope == null ? runs : runs.stream().filter(r -> scope.equals(r.parentRunId())).toList();
    }

    /**
     * A trial result rebuilt from its recorded run: the latest evaluation values and step values, by short
     * name (see {@link MetricKeys}; a variant's metric as {@code <variant>/<metric>}).
     */
    static TrialResult fromRecord(Trial trial, RunSummary run) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> losses = new LinkedHashMap<>();
        run.metrics().forEach((k, v) -> MetricKeys.parse(k).ifPresent(p -> {
            switch (p.kind()) {
                case EVALUATION -> metrics.put(p.variant().isEmpty() ? p.name() : p.variant() + "/" + p.name(), v);
                case STEP, STEP_DIAGNOSTIC -> losses.put(p.name(), v);
                default -> { }
            }
        }));
        boolean pruned = pruned(run);
        String failure = run.tags().getOrDefault(pruned ? TrialRunner.PRUNED_TAG : "genlab.failure", "");
        return new TrialResult(trial, run.runId(), run.status(), failure, metrics, losses, 0, pruned);
    }

    /** @return whether the run is a trial the sweep's early-stopping rule stopped */
    static boolean pruned(RunSummary run) {
        return run.status() == RunStatus.KILLED && run.tags().containsKey(TrialRunner.PRUNED_TAG);
    }

    /** The parent's id when no record of the sweep exists yet: the same in every process. */
    static String stableId(String experimentId, String sweepHash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest(("genlab-sweep\n" + experimentId + "\n" + sweepHash).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
