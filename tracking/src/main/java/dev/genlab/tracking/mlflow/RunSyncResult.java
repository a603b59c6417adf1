package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.RunStatus;

/**
 * What syncing one local run to MLflow did. Counts are of records sent in this sync only: a second sync
 * of an unchanged run sends nothing.
 *
 * @param localRunId the local run's id
 * @param runName the run's name
 * @param mlflowRunId the MLflow run's id (empty if the run could not be created)
 * @param created true if the MLflow run was created by this sync
 * @param params params sent
 * @param tags tags sent (new or changed)
 * @param metricPoints metric values sent
 * @param artifacts artifact files uploaded
 * @param status the local run's status
 * @param statusUpdated true if the MLflow run's status was set by this sync
 * @param error why the run is not (fully) synced, or null if it is
 */
public record RunSyncResult(String localRunId, String runName, String mlflowRunId, boolean created, int params,
        int tags, int metricPoints, int artifacts, RunStatus status, boolean statusUpdated, String error) {

    /** @return true if the run is fully on the server */
    public boolean ok() {
        return error == null;
    }

    /** @return true if nothing had to be sent */
    public boolean unchanged() {
        return ok() && !created && params == 0 && tags == 0 && metricPoints == 0 && artifacts == 0
                && !statusUpdated;
    }

    /** @return one line for the console */
    public String describe() {
        String head = "run " + localRunId + " '" + runName + "'";
        if (!ok()) {
            return head + ": NOT synced: " + error;
        }
        if (unchanged()) {
            return head + " -> " + mlflowRunId + ": up to date";
        }
        return head + " -> " + mlflowRunId + (created ? " (created)" : "") + ": " + params + " params, " + tags
                + " tags, " + metricPoints + " metric values, " + artifacts + " artifacts"
                + (statusUpdated ? ", status " + status : "");
    }
}
