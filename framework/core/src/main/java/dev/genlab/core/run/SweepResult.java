package dev.genlab.core.run;

import java.util.List;

/**
 * The outcome of a whole sweep.
 *
 * @param experimentName the experiment the runs were recorded under
 * @param parentRunId the sweep's parent run
 * @param trials one result per trial, in plan order
 * @param wallSeconds total wall time
 */
public record SweepResult(String experimentName, String parentRunId, List<TrialResult> trials, double wallSeconds) {

    /** Copies the list. */
    public SweepResult {
        trials = List.copyOf(trials);
    }

    /** @return the number of trials that did not finish */
    public long failures() {
        return trials.stream().filter(t -> t.status() != dev.genlab.tracking.RunStatus.FINISHED).count();
    }
}
