package dev.genlab.tracking;

import dev.genlab.tracking.claims.Claims;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tracking port: where experiments, runs, parameters, metrics and artifacts are recorded.
 * Implementations: the local run store (the default) and, later, MLflow. Names follow MLflow's model so
 * that any implementation maps onto it one to one.
 *
 * <p>Implementations are thread-safe. Methods never block on a remote service for long: a remote
 * implementation buffers and writes in the background.
 */
public interface Tracker extends AutoCloseable {

    /**
     * Finds or creates an experiment by name.
     *
     * @param name experiment name
     * @return its id
     */
    String experiment(String name);

    /**
     * Sets (or overwrites) tags of an experiment, e.g. {@code mlflow.note.content}, its description in
     * MLflow. Call it before the experiment's first run of this process starts: a remote tracker sends the
     * experiment's tags when it first places the experiment on its server. Trackers without experiment
     * tags ignore them.
     *
     * @param experimentId from {@link #experiment}
     * @param tags key to value
     */
    default void setExperimentTags(String experimentId, Map<String, String> tags) {
        // a tracker without experiment tags keeps none
    }

    /**
     * Starts a run.
     *
     * @param experimentId from {@link #experiment}
     * @param runName human-readable name, e.g. {@code gan lr=2e-4 seed=1}
     * @param parentRunId the parent (sweep) run, or null for a top-level run
     * @param tags initial tags
     * @return the run id
     */
    String startRun(String experimentId, String runName, String parentRunId, Map<String, String> tags);

    /**
     * Continues the run with a caller-chosen id, or starts it with that id if no record of it exists:
     * the find-or-create behind resumed trials and the sweep parent that parallel shards share. A run
     * that ended may receive more records; its last end counts.
     *
     * @param runId the id: 1 to 64 characters of {@code [A-Za-z0-9_-]}
     * @param experimentId from {@link #experiment}
     * @param runName human-readable name (used if the run is new)
     * @param parentRunId the parent run, or null (used if the run is new)
     * @param tags initial tags (used if the run is new)
     * @return {@code runId}
     */
    String continueRun(String runId, String experimentId, String runName, String parentRunId,
            Map<String, String> tags);

    /**
     * Runs of an experiment that carry a tag with a given value, e.g. {@code genlab.trial_hash}: how resume
     * and shards find trials that already finished. A tracker backed by a shared server also reports the
     * runs other processes recorded there.
     *
     * @param experimentId from {@link #experiment}
     * @param tagKey tag key
     * @param tagValue its value
     * @return matching runs, oldest first
     */
    List<RunSummary> runsTagged(String experimentId, String tagKey, String tagValue);

    /**
     * The folder where this process keeps a run's files (the local store's run directory), for state that
     * is not tracked, such as training checkpoints.
     *
     * @param runId run
     * @return the folder, or empty if this tracker keeps no local files for the run
     */
    default Optional<Path> runDirectory(String runId) {
        return Optional.empty();
    }

    /**
     * Where a run is on the remote server this tracker sends runs to (MLflow's run id and UI links), once
     * the server has it. Trackers that keep runs only locally return empty, and so does a remote tracker for
     * a run it has not (yet) placed on its server, e.g. during an outage, or one recorded by another
     * process.
     *
     * @param runId a run id returned by this tracker
     * @return the run's id and addresses on the server, or empty
     */
    default Optional<RemoteLink> remoteLink(String runId) {
        return Optional.empty();
    }

    /**
     * The claims that processes sharing this tracker's record use to split work (a trial is trained by one
     * live process at a time): the local run store's claim files. Claims are only as shared as the store is:
     * processes with separate stores do not see each other's claims.
     *
     * @param experimentId from {@link #experiment}
     * @return the experiment's claims, or empty if this tracker keeps none
     */
    default Optional<Claims> claims(String experimentId) {
        return Optional.empty();
    }

    /**
     * Logs parameters; a key may be logged once per run.
     *
     * @param runId run
     * @param params flat, dotted keys to string values
     */
    void logParams(String runId, Map<String, String> params);

    /**
     * Sets (or overwrites) tags.
     *
     * @param runId run
     * @param tags key to value
     */
    void setTags(String runId, Map<String, String> tags);

    /**
     * Logs metric values.
     *
     * @param runId run
     * @param points the values
     */
    void logMetrics(String runId, List<MetricPoint> points);

    /**
     * Logs one metric value stamped with the current time.
     *
     * @param runId run
     * @param key metric name
     * @param value value
     * @param step step
     */
    default void logMetric(String runId, String key, double value, long step) {
        logMetrics(runId, List.of(new MetricPoint(key, value, step, System.currentTimeMillis())));
    }

    /**
     * Copies a file into the run's artifacts.
     *
     * @param runId run
     * @param file the file to copy
     * @param artifactDir directory inside the run's artifacts, {@code ""} for the root
     */
    void logArtifact(String runId, Path file, String artifactDir);

    /**
     * Records the datasets a run read (MLflow's run inputs). Trackers that keep no inputs ignore them.
     *
     * @param runId run
     * @param inputs the datasets; one already recorded on the run (same {@link DatasetInput#identity()}) is
     *     not recorded again
     */
    default void logInputs(String runId, List<DatasetInput> inputs) {
        // a tracker without a notion of inputs keeps none
    }

    /**
     * Logs a picture as one step of an image series, in MLflow's image layout (see {@link ImageLayout}), so
     * MLflow's image grid chart shows it with a step slider: the PNG and a thumbnail as artifacts under
     * {@code images/}, and the run tag that tells MLflow the run has images. Built on
     * {@link #logArtifact} and {@link #setTags}, so every tracker records it.
     *
     * @param runId run
     * @param key the series, e.g. {@code samples}: letters, digits, {@code _ - . /} and spaces
     * @param step the training step the picture shows
     * @param png a PNG file
     */
    default void logImage(String runId, String key, long step, Path png) {
        ImageLayout.log(this, runId, key, step, png);
    }

    /**
     * Ends a run.
     *
     * @param runId run
     * @param status the final status, not {@link RunStatus#RUNNING}
     */
    void endRun(String runId, RunStatus status);

    /** Blocks until everything logged so far is durably recorded. */
    void flush();

    /** Flushes and releases resources. */
    @Override
    void close();
}
