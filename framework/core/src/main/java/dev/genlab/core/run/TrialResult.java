package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RunStatus;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one trial.
 *
 * @param trial the trial
 * @param runId its run in the tracker
 * @param status FINISHED, FAILED, or KILLED (interrupted, or pruned)
 * @param failure the reason for a failure, or empty
 * @param metrics final evaluation metrics (empty for a failed trial)
 * @param finalLosses the last logged value of every training loss
 * @param wallSeconds wall time of the whole trial
 * @param pruned whether the sweep's early-stopping rule stopped it (status KILLED, {@code failure} the reason)
 */
public record TrialResult(
        Trial trial,
        String runId,
        RunStatus status,
        String failure,
        Map<String, Double> metrics,
        Map<String, Double> finalLosses,
        double wallSeconds,
        boolean pruned) {

    /** Makes order-keeping unmodifiable copies. */
    public TrialResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        finalLosses = Collections.unmodifiableMap(new LinkedHashMap<>(finalLosses));
        failure = failure == null ? "" : failure;
    }

    /** A result of a trial that was not pruned. */
    public TrialResult(Trial trial, String runId, RunStatus status, String failure, Map<String, Double> metrics,
            Map<String, Double> finalLosses, double wallSeconds) {
        this(trial, runId, status, failure, metrics, finalLosses, wallSeconds, false);
    }

    /** @return whether the trial failed: it neither finished nor was pruned (a KILLED one was interrupted) */
    public boolean failed() {
        return status != RunStatus.FINISHED && !pruned;
    }

    /**
     * @param t the trial as recorded (a TPE slot with its chosen configuration)
     * @return this result for that trial
     */
    public TrialResult withTrial(Trial t) {
        return new TrialResult(t, runId, status, failure, metrics, finalLosses, wallSeconds, pruned);
    }
}
