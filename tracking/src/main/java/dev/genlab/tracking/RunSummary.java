package dev.genlab.tracking;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A run as {@link Tracker#runsTagged} reports it: enough to decide whether a trial must run again (resume,
 * sharding) and to summarise a sweep whose trials ran in other processes.
 *
 * @param runId the run's id in this tracker (for a run another process recorded to MLflow: its
 *     {@code genlab.local_run_id})
 * @param name the run name
 * @param parentRunId the parent run's id, or null
 * @param status its status; a run whose process died shows {@link RunStatus#RUNNING}
 * @param tags its tags
 * @param metrics the latest value of each metric
 */
public record RunSummary(String runId, String name, String parentRunId, RunStatus status, Map<String, String> tags,
        Map<String, Double> metrics) {

    /** Copies the maps, keeping their order. */
    public RunSummary {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        name = name == null ? "" : name;
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
