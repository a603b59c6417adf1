package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.RunStatus;
import java.util.Map;
import java.util.Set;

/**
 * What the MLflow server holds of one run (as far as syncing needs it).
 *
 * @param id MLflow's run id
 * @param artifactUri the run's artifact root, e.g. {@code mlflow-artifacts:/1/<id>/artifacts}
 * @param status the server's status
 * @param endTimeMs end time, or 0 when not ended
 * @param params params on the server
 * @param tags tags on the server
 * @param metricKeys keys with at least one value on the server
 * @param startTimeMs the run's start time on the server
 * @param inputs the {@link dev.genlab.tracking.DatasetInput#identity()} of each dataset input on the server
 */
record RemoteRun(String id, String artifactUri, RunStatus status, long endTimeMs, Map<String, String> params,
        Map<String, String> tags, Set<String> metricKeys, long startTimeMs, Set<String> inputs) {

    /** Copies the collections. */
    RemoteRun {
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        metricKeys = Set.copyOf(metricKeys);
        inputs = Set.copyOf(inputs);
    }

    /** A run without dataset inputs. */
    RemoteRun(String id, String artifactUri, RunStatus status, long endTimeMs, Map<String, String> params,
            Map<String, String> tags, Set<String> metricKeys, long startTimeMs) {
        this(id, artifactUri, status, endTimeMs, params, tags, metricKeys, startTimeMs, Set.of());
    }
}
