package dev.genlab.tracking;

import java.util.Objects;

/**
 * Where a run lives on a remote tracking server (MLflow), next to its local id.
 *
 * @param runId the server's run id (MLflow's differs from the local store's)
 * @param runUrl the run's page in the server's web UI
 * @param experimentUrl the page of the run's experiment (its runs table) in the server's web UI
 */
public record RemoteLink(String runId, String runUrl, String experimentUrl) {

    /** Checks that nothing is missing. */
    public RemoteLink {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(runUrl, "runUrl");
        Objects.requireNonNull(experimentUrl, "experimentUrl");
    }
}
