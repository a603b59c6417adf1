package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.RunSummary;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.ExperimentRecord;
import dev.genlab.tracking.claims.Claims;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Records runs in an MLflow tracking server, with the local run store as its write-ahead journal.
 *
 * <p>Every call first appends to the local store (durable, fast, never blocks on the network) and then
 * hands the record to one background writer, which batches it into MLflow's {@code runs/log-batch}
 * within MLflow's limits, retries failures with backoff, and uploads artifacts itself (HTTP PUT to the
 * server's proxied artifact store). Run ids returned here are the local store's ids; each MLflow run
 * carries the tag {@code genlab.local_run_id}, and child runs get {@code mlflow.parentRunId}.
 *
 * <p>If the server goes away, training goes on: records stay in the journal, the affected runs are
 * replayed (only what the server lacks) when it is back, and whatever is still missing when the tracker
 * closes is replayed by the next genlab process that tracks to the same server, or by
 * {@code genlab sync --to URI}. Wrong credentials or a bad URI fail {@link #open} before any training.
 */
public final class MlflowTracker implements Tracker {

    private static final Logger LOG = LogManager.getLogger(MlflowTracker.class);

    private final MlflowSettings settings;
    private final LocalRunStore local;
    private final MlflowOptions options;
    private final MlflowRemote remote;
    /** A second connection for lookups from the caller's thread, so they never wait behind the writer. */
    private final MlflowRemote queries;
    private final PendingRuns pending;
    private final MlflowWriter writer;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private MlflowTracker(MlflowSettings settings, LocalRunStore local, MlflowOptions options, MlflowRemote remote,
            MlflowRemote queries, boolean reachable) {
        this.settings = settings;
        this.local = local;
        this.options = options;
        this.remote = remote;
        this.queries = queries;
        this.pending = new PendingRuns(local.root(), settings.uri());
        this.writer = new MlflowWriter(remote, local, pending, options, reachable);
        // A process that ends without closing the tracker (Ctrl-C, System.exit) still sends what it can
        // for a few seconds; the rest stays pending in the journal for the next process or genlab sync.
        this.shutdownHook = new Thread(() -> {
            if (!closed) {
                closed = true;
                local.flush();
                writer.close(Duration.ofSeconds(5));
                pending.releaseAll();
            }
        }, "genlab-mlflow-shutdown");
    }

    /**
     * Connects to the server and starts the background writer.
     *
     * <p>Fails at once, before anything is recorded, when the server refuses the credentials or the URI
     * does not serve MLflow's API. A server that cannot be reached (refused connection, timeout) is not an
     * error: the tracker starts in outage mode with a warning and sends everything once the server answers.
     * Runs that an earlier process could not send to this server are replayed in the background.
     *
     * @param settings server and credentials
     * @param local the local store used as the journal (owned by the tracker from now on)
     * @param options writer tuning
     * @param env environment lookup (for finding Python {@code mlflow} if an artifact store needs it)
     * @return the tracker
     * @throws MlflowTrackingException on rejected credentials or a URI that is not an MLflow server
     */
    public static MlflowTracker open(MlflowSettings settings, LocalRunStore local, MlflowOptions options,
            Function<String, String> env) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(local, "local");
        MlflowRemote remote = new MlflowRemote(settings, options.requestTimeout(), env);
        boolean reachable;
        try {
            remote.ping();
            reachable = true;
        } catch (RemoteFailure f) {
            if (f.kind() != RemoteFailure.Kind.RETRYABLE || f.getCause() instanceof java.net.UnknownHostException) {
                remote.close();
                local.close();
                throw explain(settings, f);
            }
            LOG.warn("MLflow server at {} is unreachable ({}); training goes on and records locally in {}; the runs "
                    + "are sent when the server answers (or with: genlab sync --to {})", settings.uri(),
                    f.getMessage(), local.root(), settings.uri());
            reachable = false;
        }
        MlflowTracker t = new MlflowTracker(settings, local, options, remote,
                new MlflowRemote(settings, options.requestTimeout(), env), reachable);
        List<String> orphans = t.pending.takeOrphans();
        if (!orphans.isEmpty()) {
            LOG.info("sending {} run(s) that an earlier genlab process left unsent to {}", orphans.size(),
                    settings.uri());
        }
        for (String id : orphans) {
            if (t.writer.run(id).isEmpty()) {
                t.pending.release(id, true); // its journal is gone: nothing to send
            }
        }
        t.writer.start();
        Runtime.getRuntime().addShutdownHook(t.shutdownHook);
        LOG.info("tracking to MLflow at {} (auth: {}), journal in {}", settings.uri(), settings.authDescription(),
                local.root());
        return t;
    }

    /** Turns a first-contact failure into a message that says what to fix, without secrets. */
    static MlflowTrackingException explain(MlflowSettings s, RemoteFailure f) {
        switch (f.kind()) {
            case AUTH:
                String how = s.username() != null ? "the user/password in " + MlflowSettings.ENV_USERNAME + "/"
                        + MlflowSettings.ENV_PASSWORD : s.token() != null ? "the token in " + MlflowSettings.ENV_TOKEN
                        : "no credentials (set " + MlflowSettings.ENV_USERNAME + "/" + MlflowSettings.ENV_PASSWORD
                        + " or " + MlflowSettings.ENV_TOKEN + ")";
                return new MlflowTrackingException("MLflow server at " + s.uri() + " refused " + how + " (HTTP "
                        + f.status() + "); nothing was trained. Runs recorded so far stay in the local store.");
            case RETRYABLE:
                return new MlflowTrackingException("cannot reach the MLflow server at " + s.uri() + ": "
                        + f.getMessage() + "; check the host name in the tracking URI");
            default:
                return new MlflowTrackingException("the tracking URI " + s.uri() + " does not serve MLflow's REST "
                        + "API (" + f.getMessage() + "); expected the address of `mlflow server`, e.g. "
                        + "http://127.0.0.1:5000");
        }
    }

    /** @return the server and credentials in use */
    public MlflowSettings settings() {
        return settings;
    }

    /** @return the local journal */
    public LocalRunStore localStore() {
        return local;
    }

    /**
     * The MLflow run id of a run recorded by this tracker, once the server has it.
     *
     * @param localRunId the id returned by {@link #startRun}
     * @return the MLflow run id, or empty if it is not on the server (yet)
     */
    public Optional<String> mlflowRunId(String localRunId) {
        return writer.remoteId(localRunId);
    }

    /**
     * MLflow's run id of a run recorded by this tracker and its UI links (in the model-training view), once
     * the server has the run. Still answers after {@link #close}, with what was sent by then.
     */
    @Override
    public Optional<RemoteLink> remoteLink(String localRunId) {
        return writer.remoteLink(localRunId);
    }

    @Override
    public String experiment(String name) {
        String id = local.experiment(name);
        writer.registerExperiment(id, name);
        return id;
    }

    /** Recorded in the journal; sent when the writer first places the experiment on the server. */
    @Override
    public void setExperimentTags(String experimentId, Map<String, String> tags) {
        local.setExperimentTags(experimentId, tags);
    }

    @Override
    public String startRun(String experimentId, String runName, String parentRunId, Map<String, String> tags) {
        ensureOpen();
        Map<String, String> initial = tags == null ? Map.of() : new LinkedHashMap<>(tags);
        long start = System.currentTimeMillis();
        String id = local.startRun(experimentId, runName, parentRunId, initial);
        pending.hold(id);
        Path dir = local.readRun(id).map(RunRecord::directory).orElse(null);
        TrackedRun run = writer.track(id, experimentId, parentRunId, runName, start, initial, dir);
        synchronized (run) {
            writer.create(run);
        }
        return id;
    }

    /**
     * Continues a run of this local store, or starts it with the given id. A new run is created on the
     * server by convergence with other processes that may create the same id (see
     * {@link RunReplayer#findOrCreateShared}); an existing one is found by its {@code genlab.local_run_id}
     * and gets what the server lacks, so a resumed run is never duplicated.
     */
    @Override
    public String continueRun(String runId, String experimentId, String runName, String parentRunId,
            Map<String, String> tags) {
        ensureOpen();
        if (local.runDirectory(runId).isPresent()) {
            // Recorded before (a resumed run, or the parent made by another process of this store): adopted
            // from the journal, found on the server by its local id, and sent what the server lacks.
            tracked(runId);
            pending.hold(runId);
            return runId;
        }
        Map<String, String> initial = tags == null ? Map.of() : new LinkedHashMap<>(tags);
        long start = System.currentTimeMillis();
        local.continueRun(runId, experimentId, runName, parentRunId, initial);
        pending.hold(runId);
        Path dir = local.runDirectory(runId).orElse(null);
        TrackedRun run = writer.track(runId, experimentId, parentRunId, runName, start, initial, dir, true);
        synchronized (run) {
            writer.create(run);
        }
        return runId;
    }

    /**
     * The local store's matching runs, merged with the server's (which include runs that other processes
     * recorded, e.g. other shards of a sweep). A run known to both is reported once, with the server's
     * status only if that one is terminal and the local one is not. If the server cannot be asked, the
     * local runs alone are returned, with a warning.
     */
    @Override
    public List<RunSummary> runsTagged(String experimentId, String tagKey, String tagValue) {
        ensureOpen();
        Map<String, RunSummary> byId = new LinkedHashMap<>();
        for (RunSummary r : local.runsTagged(experimentId, tagKey, tagValue)) {
            byId.put(r.runId(), r);
        }
        Optional<String> name = local.readExperimentById(experimentId).map(ExperimentRecord::name);
        if (name.isEmpty()) {
            return List.copyOf(byId.values());
        }
        try {
            Optional<String> remoteExperiment = queries.experimentIdByName(name.get());
            if (remoteExperiment.isPresent()) {
                for (RunSummary r : queries.searchByTag(remoteExperiment.get(), tagKey, tagValue)) {
                    RunSummary mine = byId.get(r.runId());
                    if (mine == null || !mine.status().terminal() && r.status().terminal()) {
                        byId.put(r.runId(), r);
                    }
                }
            }
        } catch (RemoteFailure f) {
            LOG.warn("cannot ask the MLflow server at {} for runs with {}={} ({}); using the local store only",
                    settings.uri(), tagKey, tagValue, f.getMessage());
        }
        return List.copyOf(byId.values());
    }

    @Override
    public Optional<Path> runDirectory(String runId) {
        return local.runDirectory(runId);
    }

    /** The local store's claims: MLflow has no atomic create, so claims live in the (shared) store. */
    @Override
    public Optional<Claims> claims(String experimentId) {
        return local.claims(experimentId);
    }

    @Override
    public void logParams(String runId, Map<String, String> params) {
        TrackedRun run = tracked(runId);
        Map<String, String> copy = new LinkedHashMap<>(params);
        synchronized (run) {
            local.logParams(runId, copy);
            writer.data(run, copy, Map.of(), List.of());
        }
    }

    @Override
    public void setTags(String runId, Map<String, String> tags) {
        TrackedRun run = tracked(runId);
        Map<String, String> copy = new LinkedHashMap<>(tags);
        if (copy.isEmpty()) {
            return;
        }
        synchronized (run) {
            local.setTags(runId, copy);
            writer.data(run, Map.of(), copy, List.of());
        }
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points) {
        TrackedRun run = tracked(runId);
        List<MetricPoint> copy = List.copyOf(points);
        if (copy.isEmpty()) {
            return;
        }
        synchronized (run) {
            local.logMetrics(runId, copy);
            writer.data(run, Map.of(), Map.of(), copy);
        }
    }

    @Override
    public void logInputs(String runId, List<DatasetInput> inputs) {
        TrackedRun run = tracked(runId);
        List<DatasetInput> copy = List.copyOf(inputs);
        if (copy.isEmpty()) {
            return;
        }
        synchronized (run) {
            local.logInputs(runId, copy);
            writer.inputs(run, copy);
        }
    }

    @Override
    public void logArtifact(String runId, Path file, String artifactDir) {
        TrackedRun run = tracked(runId);
        String dir = artifactDir == null ? "" : artifactDir.replace('\\', '/').replaceAll("^/+|/+$", "");
        String path = dir.isEmpty() ? file.getFileName().toString() : dir + "/" + file.getFileName();
        synchronized (run) {
            local.logArtifact(runId, file, artifactDir);
            // Upload the store's copy (docs/run-store.md: <run>/artifacts/<path>): the caller may delete its
            // own file as soon as this returns.
            Path copy = run.directory.resolve("artifacts");
            for (String part : path.split("/")) {
                copy = copy.resolve(part);
            }
            writer.artifact(run, path, copy);
        }
    }

    @Override
    public void endRun(String runId, RunStatus status) {
        TrackedRun run = tracked(runId);
        synchronized (run) {
            local.endRun(runId, status);
            writer.end(run, status, System.currentTimeMillis());
        }
    }

    /**
     * Forces the journal to disk and waits (at most the close timeout) for the server to have everything.
     * While the server is unreachable it returns at once: the journal holds everything.
     */
    @Override
    public void flush() {
        local.flush();
        writer.awaitIdle(options.closeTimeout());
    }

    /**
     * Sends what is still queued (waiting at most the close timeout), stops the writer and closes the
     * journal. Runs not fully on the server are named in a warning; they are sent by the next genlab
     * process that tracks to this server, or by {@code genlab sync}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            local.flush();
            List<TrackedRun> unsent = writer.close(options.closeTimeout());
            if (!unsent.isEmpty()) {
                StringBuilder names = new StringBuilder();
                for (TrackedRun r : unsent.subList(0, Math.min(5, unsent.size()))) {
                    names.append(names.length() == 0 ? "" : ", ").append(r.name.isEmpty() ? r.localId : r.name);
                }
                LOG.warn("{} run(s) are not (fully) on the MLflow server at {} yet ({}{}); they are safe in the "
                        + "local store at {} and are sent by the next genlab run that tracks to this server, or now "
                        + "with: genlab sync --to {} --store {}", unsent.size(), settings.uri(), names,
                        unsent.size() > 5 ? ", ..." : "", local.root(), settings.uri(), local.root());
            }
            MlflowWriter.Stats s = writer.stats();
            LOG.debug("MLflow writer: {} batches, {} metric values, {} retries, {} replays, {} outages",
                    s.batches(), s.metricPoints(), s.retries(), s.replays(), s.outages());
        } finally {
            pending.releaseAll();
            remote.close();
            queries.close();
            local.close();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running or has run
            }
        }
    }

    /** @return the writer's counters (batches, metric values sent, retries, replays, outages, refusals) */
    public String statistics() {
        MlflowWriter.Stats s = writer.stats();
        return s.batches() + " batches, " + s.metricPoints() + " metric values, " + s.retries() + " retries, "
                + s.replays() + " replays, " + s.outages() + " outages, " + s.rejected() + " refused";
    }

    MlflowWriter.Stats stats() {
        return writer.stats();
    }

    MlflowWriter.Mode mode() {
        return writer.mode();
    }

    private TrackedRun tracked(String runId) {
        ensureOpen();
        Objects.requireNonNull(runId, "runId");
        return writer.run(runId).orElseThrow(
                () -> new IllegalArgumentException("unknown run " + runId + " in " + local.root()));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the MLflow tracker is closed");
        }
    }
}
