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
 * @param status FINISHED or FAILED
 * @param failure the reason for a failure, or empty
 * @param metrics final evaluation metrics (empty for a failed trial)
 * @param finalLosses the last logged value of every training loss
 * @param wallSeconds wall time of the whole trial
 */
public record TrialResult(
        Trial trial,
        String runId,
        RunStatus status,
        String failure,
        Map<String, Double> metrics,
        Map<String, Double> finalLosses,
        double wallSeconds) {

    /** Makes order-keeping unmodifiable copies. */
    public TrialResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        finalLosses = Collections.unmodifiableMap(new LinkedHashMap<>(finalLosses));
        failure = failure == null ? "" : failure;
    }
}
