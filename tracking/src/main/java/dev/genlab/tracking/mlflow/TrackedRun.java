package dev.genlab.tracking.mlflow;

import java.nio.file.Path;
import java.util.Map;

/**
 * The MLflow side of one local run, as the writer tracks it. Its monitor is what makes "append to the
 * journal, then queue or mark for replay" atomic with respect to a replay's snapshot of the journal.
 */
final class TrackedRun {

    final String localId;
    final String experimentId;
    final String parentLocalId;
    final String name;
    final long startTimeMs;
    final Map<String, String> initialTags;
    /** True if this process started the run (false: adopted from the journal of an earlier process). */
    final boolean live;
    /** The run's folder in the local store (its artifacts are under {@code artifacts/}). */
    final Path directory;
    /** Other processes may create the same run at once (a sharded sweep's parent): create it by convergence. */
    final boolean shared;

    // ---- written by the writer thread only
    /** The MLflow run, once created or found (read by callers asking for its id). */
    volatile RemoteRun remote;
    /** The server refused some request for this run; the marker stays so a later sync can retry. */
    volatile boolean rejected;
    /** The run's end reached the server (or a replay of an ended run finished); reset when marked dirty. */
    volatile boolean settled;

    // ---- guarded by the writer's lock
    /** Records of this run must be replayed from the journal (outage, full queue, deleted on the server). */
    boolean dirty;
    /** Bumped whenever the run is marked dirty; queued operations of an older epoch are skipped. */
    long epoch;

    TrackedRun(String localId, String experimentId, String parentLocalId, String name, long startTimeMs,
            Map<String, String> initialTags, boolean live, Path directory) {
        this(localId, experimentId, parentLocalId, name, startTimeMs, initialTags, live, directory, false);
    }

    TrackedRun(String localId, String experimentId, String parentLocalId, String name, long startTimeMs,
            Map<String, String> initialTags, boolean live, Path directory, boolean shared) {
        this.localId = localId;
        this.experimentId = experimentId;
        this.parentLocalId = parentLocalId;
        this.name = name == null ? "" : name;
        this.startTimeMs = startTimeMs;
        this.initialTags = Map.copyOf(initialTags);
        this.live = live;
        this.directory = directory;
        this.shared = shared;
    }

    @Override
    public String toString() {
        return "run " + localId + " '" + name + "'";
    }
}
