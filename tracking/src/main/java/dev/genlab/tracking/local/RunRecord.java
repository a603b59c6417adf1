package dev.genlab.tracking.local;

import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A run as reconstructed from its journal by {@link LocalRunStore}: an immutable snapshot.
 *
 * @param id the run id (32 lower-case hex characters)
 * @param name the run name ({@code mlflow.runName}); a later {@code mlflow.runName} tag renames it
 * @param experimentId the experiment's id
 * @param parentRunId the parent run's id, or null for a top-level run
 * @param tags all tags, later values overriding earlier ones
 * @param params all parameters
 * @param status the last {@code end} event's status, {@link RunStatus#RUNNING} if there is none
 * @param startTimeMs start time, milliseconds since the epoch
 * @param endTimeMs end time, milliseconds since the epoch, or null while {@link RunStatus#RUNNING}
 * @param metrics metric history: key to its points in logging order (keys in first-logged order)
 * @param artifacts artifacts in first-logged order; a path logged twice appears once, with its last record
 * @param inputs the datasets the run read, in first-logged order, each identity once
 * @param directory the run's directory, {@code <root>/<slug>/runs/<id>}; artifacts are under
 *     {@code directory/artifacts}
 */
public record RunRecord(
        String id,
        String name,
        String experimentId,
        String parentRunId,
        Map<String, String> tags,
        Map<String, String> params,
        RunStatus status,
        long startTimeMs,
        Long endTimeMs,
        Map<String, List<MetricPoint>> metrics,
        List<ArtifactRecord> artifacts,
        List<DatasetInput> inputs,
        Path directory) {

    /** Copies every collection so the record is immutable (keeping iteration order). */
    public RunRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(directory, "directory");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        Map<String, List<MetricPoint>> copy = new LinkedHashMap<>();
        metrics.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        metrics = Collections.unmodifiableMap(copy);
        artifacts = List.copyOf(artifacts);
        inputs = List.copyOf(inputs);
    }

    /**
     * The latest point of a metric, by MLflow's rule: the greatest step, ties broken by the greatest
     * timestamp, then by logging order (the later one wins).
     *
     * @param key metric name
     * @return the point, or empty if the metric was never logged
     */
    public Optional<MetricPoint> latest(String key) {
        List<MetricPoint> history = metrics.get(key);
        if (history == null || history.isEmpty()) {
            return Optional.empty();
        }
        MetricPoint best = history.get(0);
        for (MetricPoint p : history) {
            if (p.step() > best.step() || p.step() == best.step() && p.timestampMs() >= best.timestampMs()) {
                best = p;
            }
        }
        return Optional.of(best);
    }

    /**
     * The value of {@link #latest(String)}.
     *
     * @param key metric name
     * @return its value (possibly NaN), or empty if the metric was never logged
     */
    public OptionalDouble latestValue(String key) {
        return latest(key).map(p -> OptionalDouble.of(p.value())).orElse(OptionalDouble.empty());
    }

    /**
     * The latest value of every metric, for summaries.
     *
     * @return metric key to {@link #latest(String)} value, in first-logged key order
     */
    public Map<String, Double> latestMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String key : metrics.keySet()) {
            latest(key).ifPresent(p -> out.put(key, p.value()));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The history of one metric.
     *
     * @param key metric name
     * @return its points in logging order, empty if never logged
     */
    public List<MetricPoint> history(String key) {
        return metrics.getOrDefault(key, List.of());
    }

    /**
     * Where an artifact's file lives on disk.
     *
     * @param artifact one of {@link #artifacts()}
     * @return {@code directory/artifacts/<path>}
     */
    public Path artifactFile(ArtifactRecord artifact) {
        Path file = directory.resolve(LocalRunStore.ARTIFACTS_DIR);
        for (String part : artifact.path().split("/")) {
            file = file.resolve(part);
        }
        return file;
    }

    /** Builder-style accumulator used while replaying a journal; kept here so the record stays simple. */
    static final class Builder {
        String id;
        String name;
        String experimentId;
        String parentRunId;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> params = new LinkedHashMap<>();
        RunStatus status = RunStatus.RUNNING;
        long startTimeMs;
        Long endTimeMs;
        final Map<String, List<MetricPoint>> metrics = new LinkedHashMap<>();
        final Map<String, ArtifactRecord> artifacts = new LinkedHashMap<>();
        final Map<String, DatasetInput> inputs = new LinkedHashMap<>();

        void addInput(DatasetInput d) {
            inputs.putIfAbsent(d.identity(), d);
        }

        void addMetric(MetricPoint p) {
            metrics.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
        }

        RunRecord build(Path directory) {
            return new RunRecord(id, name, experimentId, parentRunId, tags, params, status, startTimeMs,
                    endTimeMs, metrics, new ArrayList<>(artifacts.values()), new ArrayList<>(inputs.values()), directory);
        }
    }
}
