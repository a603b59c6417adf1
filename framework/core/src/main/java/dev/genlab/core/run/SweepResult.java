package dev.genlab.core.run;

import dev.genlab.tracking.RemoteLink;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a whole sweep.
 *
 * @param experimentName the experiment the runs were recorded under
 * @param parentRunId the sweep's parent run
 * @param trials one result per trial, in plan order
 * @param wallSeconds total wall time
 * @param report the local copy of the sweep's HTML report, or null if none was written by this process
 * @param links where the sweep's runs are on the remote tracking server (MLflow), by local run id; empty
 *     when tracking locally only (or for runs the server does not have yet)
 */
public record SweepResult(String experimentName, String parentRunId, List<TrialResult> trials, double wallSeconds,
        Path report, Map<String, RemoteLink> links) {

    /** Copies the collections. */
    public SweepResult {
        trials = List.copyOf(trials);
        links = Map.copyOf(links);
    }

    /** A result without a report or remote links. */
    public SweepResult(String experimentName, String parentRunId, List<TrialResult> trials, double wallSeconds) {
        this(experimentName, parentRunId, trials, wallSeconds, null, Map.of());
    }

    /** @return the number of trials that did not finish and were not pruned (failed or interrupted) */
    public long failures() {
        return trials.stream().filter(TrialResult::failed).count();
    }

    /** @return the number of trials the sweep's early-stopping rule stopped */
    public long pruned() {
        return trials.stream().filter(TrialResult::pruned).count();
    }

    /**
     * @param runId a local run id of this sweep
     * @return where the run is on the remote tracking server, if it is there
     */
    public Optional<RemoteLink> link(String runId) {
        return Optional.ofNullable(links.get(runId));
    }
}
