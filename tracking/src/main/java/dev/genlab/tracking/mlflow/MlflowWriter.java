package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.ExperimentRecord;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The MLflow tracker's single background writer. Callers append to the local journal first and then hand
 * the same record here; the writer batches records into {@code runs/log-batch} requests within MLflow's
 * limits, retries failures with backoff, and never makes a caller wait for the network.
 *
 * <p>When the server stays unreachable, the writer drops what it holds in memory and marks the affected
 * runs <em>dirty</em>: their records are read back from the journal and replayed (sending only what the
 * server lacks) once a probe finds the server again. A full queue does the same for one run, which keeps
 * memory bounded. Wrong credentials stop sending altogether; everything stays in the local store for
 * {@code genlab sync}.
 */
final class MlflowWriter {

    /** What the writer is doing about the server. */
    enum Mode {
        /** Sending. */
        UP,
        /** Unreachable: probing now and then; records go to the journal only. */
        DOWN,
        /** Credentials refused: nothing is sent until the process restarts. */
        AUTH_FAILED
    }

    /** Counters, for the benchmark and the fault tests. */
    record Stats(long batches, long metricPoints, long retries, long replays, long outages, long rejected) {}

    /** How long a process that created a shared run waits before checking for other processes' copies. */
    static final Duration SHARED_SETTLE = Duration.ofSeconds(2);
    private static final Logger LOG = LogManager.getLogger(MlflowWriter.class);

    private final MlflowRemote remote;
    private final LocalRunStore local;
    private final PendingRuns pending;
    private final MlflowOptions options;
    private final Retrier retrier;
    private final RunReplayer replayer;
    private final Thread thread;

    private final Object lock = new Object();
    // ---- guarded by lock
    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private final Set<TrackedRun> dirty = new LinkedHashSet<>();
    private long queuedUnits;
    private int urgent;
    private long firstQueuedNanos;
    private int inFlight;
    private int flushWaiters;
    private Mode mode;
    private boolean closing;
    private long closeDeadlineNanos;
    private boolean probedSinceClosing;
    private long nextProbeNanos;
    private long probeDelayMs;

    /** Every run this writer knows, by local id (written by callers, read by the writer). */
    private final Map<String, TrackedRun> runs = new ConcurrentHashMap<>();
    /** Local experiment id to name, registered by the tracker. */
    private final Map<String, String> experimentNames = new ConcurrentHashMap<>();
    /** Local experiment id to MLflow experiment id; written by the writer thread only. */
    private final Map<String, String> remoteExperiments = new ConcurrentHashMap<>();

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong points = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    private final AtomicLong rejections = new AtomicLong();

    /** One record handed to the writer; {@code epoch} is the run's epoch when it was queued. */
    sealed interface Op permits Create, Data, Inputs, Artifact, End {
        TrackedRun run();

        long epoch();

        default long units() {
            return 1;
        }

        default boolean urgent() {
            return true;
        }
    }

    record Create(TrackedRun run, long epoch) implements Op {}

    record Data(TrackedRun run, long epoch, Map<String, String> params, Map<String, String> tags,
            List<MetricPoint> metrics) implements Op {
        @Override
        public long units() {
            return Math.max(1, params.size() + tags.size() + metrics.size());
        }

        @Override
        public boolean urgent() {
            return false;
        }
    }

    record Inputs(TrackedRun run, long epoch, List<DatasetInput> inputs) implements Op {}

    record Artifact(TrackedRun run, long epoch, String path, Path file) implements Op {}

    record End(TrackedRun run, long epoch, RunStatus status, long endTimeMs) implements Op {}

    /**
     * @param remote the server
     * @param local the journal
     * @param pending markers of runs not yet fully on the server
     * @param options tuning
     * @param reachable false to start in outage mode (the first contact failed)
     */
    MlflowWriter(MlflowRemote remote, LocalRunStore local, PendingRuns pending, MlflowOptions options,
            boolean reachable) {
        this.remote = remote;
        this.local = local;
        this.pending = pending;
        this.options = options;
        this.retrier = new Retrier(options, this::pastCloseDeadline);
        this.replayer = new RunReplayer(remote, retrier);
        this.mode = reachable ? Mode.UP : Mode.DOWN;
        this.probeDelayMs = Math.max(1, options.initialBackoff().toMillis());
        this.nextProbeNanos = System.nanoTime() + probeDelayMs * 1_000_000L;
        if (!reachable) {
            outages.incrementAndGet();
        }
        this.thread = new Thread(this::loop, "genlab-mlflow-writer");
        // A daemon: a stuck network call must never keep the JVM alive after close() gave up on it.
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    // ------------------------------------------------------------------------------------------ callers

    void registerExperiment(String localId, String name) {
        experimentNames.put(localId, name);
    }

    /** Registers a run this process has just started. */
    TrackedRun track(String localId, String experimentId, String parentLocalId, String name, long startTimeMs,
            Map<String, String> tags, Path directory) {
        return track(localId, experimentId, parentLocalId, name, startTimeMs, tags, directory, false);
    }

    /** Registers a run this process has just started; {@code shared}: see {@link TrackedRun#shared}. */
    TrackedRun track(String localId, String experimentId, String parentLocalId, String name, long startTimeMs,
            Map<String, String> tags, Path directory, boolean shared) {
        TrackedRun run = new TrackedRun(localId, experimentId, parentLocalId, name, startTimeMs, tags, true,
                directory, shared);
        runs.put(localId, run);
        return run;
    }

    /**
     * The tracked run of a local id; a run this process did not start (e.g. from an earlier process, or a
     * pending marker) is adopted from its journal and replayed.
     *
     * @return the run, or empty if the journal has no such run
     */
    Optional<TrackedRun> run(String localId) {
        TrackedRun run = runs.get(localId);
        if (run != null) {
            return Optional.of(run);
        }
        Optional<RunRecord> rec = local.readRun(localId);
        if (rec.isEmpty()) {
            return Optional.empty();
        }
        RunRecord r = rec.get();
        TrackedRun adopted = runs.computeIfAbsent(localId, id -> new TrackedRun(id, r.experimentId(),
                r.parentRunId(), r.name(), r.startTimeMs(), r.tags(), false, r.directory()));
        synchronized (lock) {
            if (adopted.remote == null && !adopted.settled) {
                markDirtyLocked(adopted);
                lock.notifyAll();
            }
        }
        return Optional.of(adopted);
    }

    /** Queues a run's creation. Callers hold the run's monitor (see {@link TrackedRun}). */
    void create(TrackedRun run) {
        submit(run, epoch -> new Create(run, epoch), 1, true);
    }

    void data(TrackedRun run, Map<String, String> params, Map<String, String> tags, List<MetricPoint> metrics) {
        long units = Math.max(1, params.size() + tags.size() + metrics.size());
        submit(run, epoch -> new Data(run, epoch, params, tags, metrics), units, false);
    }

    void inputs(TrackedRun run, List<DatasetInput> inputs) {
        submit(run, epoch -> new Inputs(run, epoch, inputs), 1, false);
    }

    void artifact(TrackedRun run, String path, Path file) {
        submit(run, epoch -> new Artifact(run, epoch, path, file), 1, true);
    }

    void end(TrackedRun run, RunStatus status, long endTimeMs) {
        submit(run, epoch -> new End(run, epoch, status, endTimeMs), 1, true);
    }

    private void submit(TrackedRun run, java.util.function.LongFunction<Op> op, long units, boolean isUrgent) {
        synchronized (lock) {
            if (mode != Mode.UP || run.dirty || !queue.isEmpty() && queuedUnits + units > options.queueCapacity()) {
                // Already in the journal: a replay will send it. Memory stays bounded; the caller never waits.
                markDirtyLocked(run);
                return;
            }
            if (queue.isEmpty()) {
                firstQueuedNanos = System.nanoTime();
            }
            queue.add(op.apply(run.epoch));
            queuedUnits += units;
            if (isUrgent) {
                urgent++;
            }
            if (isUrgent || queuedUnits >= RunReplayer.MAX_METRICS) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits until everything handed over so far is on the server.
     *
     * @param timeout longest wait
     * @return true if it is; false on timeout or while the server is unreachable
     */
    boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            flushWaiters++;
            lock.notifyAll();
            try {
                while (true) {
                    if (queue.isEmpty() && inFlight == 0 && dirty.isEmpty()) {
                        return true;
                    }
                    if (mode != Mode.UP) {
                        return false;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    lock.wait(Math.max(1, left / 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                flushWaiters--;
            }
        }
    }

    /**
     * Sends what it can within the timeout, then stops.
     *
     * @param timeout longest time to keep sending
     * @return runs that are not fully on the server (their markers stay for the next process or sync)
     */
    List<TrackedRun> close(Duration timeout) {
        synchronized (lock) {
            closing = true;
            closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
            lock.notifyAll();
        }
        try {
            thread.join(timeout.plus(options.requestTimeout()).plusSeconds(2).toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<TrackedRun> unsettled = new ArrayList<>();
        for (TrackedRun run : runs.values()) {
            if (!run.settled) {
                unsettled.add(run);
            }
        }
        unsettled.sort(Comparator.comparingLong(r -> r.startTimeMs));
        return unsettled;
    }

    Mode mode() {
        synchronized (lock) {
            return mode;
        }
    }

    Stats stats() {
        return new Stats(batches.get(), points.get(), retrier.retries(), replays.get(), outages.get(),
                rejections.get());
    }

    /** The MLflow run id of a local run, once known. */
    Optional<String> remoteId(String localId) {
        TrackedRun run = runs.get(localId);
        RemoteRun r = run == null ? null : run.remote;
        return r == null ? Optional.empty() : Optional.of(r.id());
    }

    /** MLflow's id and UI links of a local run, once the run is on the server. */
    Optional<RemoteLink> remoteLink(String localId) {
        TrackedRun run = runs.get(localId);
        RemoteRun r = run == null ? null : run.remote;
        String experiment = run == null ? null : remoteExperiments.get(run.experimentId);
        if (r == null || experiment == null) {
            return Optional.empty();
        }
        String uri = remote.settings().uri();
        return Optional.of(new RemoteLink(r.id(), MlflowLinks.run(uri, experiment, r.id()),
                MlflowLinks.experiment(uri, experiment)));
    }

    // ------------------------------------------------------------------------------------------ writer thread

    private enum Step { EXIT, PROBE, REPLAY, SEND }

    private void loop() {
        try {
            while (true) {
                List<Op> drained = new ArrayList<>();
                Step step = next(drained);
                switch (step) {
                    case EXIT:
                        return;
                    case PROBE:
                        probe();
                        break;
                    case REPLAY:
                        replayDirty();
                        break;
                    case SEND:
                        try {
                            send(drained);
                        } finally {
                            synchronized (lock) {
                                inFlight = 0;
                                lock.notifyAll();
                            }
                        }
                        break;
                    default:
                        throw new IllegalStateException(step.toString());
                }
            }
        } catch (InterruptedException e) {
            LOG.debug("MLflow writer interrupted");
        } catch (RuntimeException | Error e) {
            // A bug here must not lose data: everything is in the journal; say how to send it.
            LOG.error("the MLflow writer stopped unexpectedly; runs stay in the local store for `genlab sync`", e);
            synchronized (lock) {
                mode = Mode.DOWN;
                closing = true;
                queue.clear();
                lock.notifyAll();
            }
        }
    }

    /** Waits for the next thing to do; for SEND, moves the queue into {@code drained}. */
    private Step next(List<Op> drained) throws InterruptedException {
        synchronized (lock) {
            while (true) {
                long now = System.nanoTime();
                if (closing) {
                    boolean late = now - closeDeadlineNanos >= 0;
                    boolean done = mode == Mode.UP && queue.isEmpty() && dirty.isEmpty();
                    boolean hopeless = mode == Mode.AUTH_FAILED || mode == Mode.DOWN && probedSinceClosing;
                    if (late || done || hopeless) {
                        return Step.EXIT;
                    }
                }
                if (mode == Mode.DOWN) {
                    if (now - nextProbeNanos >= 0 || closing && !probedSinceClosing) {
                        return Step.PROBE;
                    }
                    lock.wait(Math.max(1, (nextProbeNanos - now) / 1_000_000L));
                    continue;
                }
                if (mode == Mode.AUTH_FAILED) {
                    lock.wait();
                    continue;
                }
                if (!dirty.isEmpty()) {
                    return Step.REPLAY;
                }
                if (!queue.isEmpty()) {
                    long lingerEnd = firstQueuedNanos + options.linger().toNanos();
                    boolean sendNow = closing || flushWaiters > 0 || urgent > 0
                            || queuedUnits >= RunReplayer.MAX_METRICS || now - lingerEnd >= 0;
                    if (!sendNow) {
                        lock.wait(Math.max(1, (lingerEnd - now) / 1_000_000L));
                        continue;
                    }
                    drained.addAll(queue);
                    queue.clear();
                    queuedUnits = 0;
                    urgent = 0;
                    inFlight = drained.size();
                    return Step.SEND;
                }
                lock.wait();
            }
        }
    }

    private void probe() {
        try {
            remote.ping();
            synchronized (lock) {
                mode = Mode.UP;
                probeDelayMs = Math.max(1, options.initialBackoff().toMillis());
                LOG.warn("MLflow server at {} is reachable again; sending the {} run(s) recorded meanwhile",
                        remote.settings().uri(), dirty.size());
                lock.notifyAll();
            }
        } catch (RemoteFailure f) {
            if (f.kind() == RemoteFailure.Kind.AUTH) {
                authFailed(f);
                return;
            }
            synchronized (lock) {
                if (closing) {
                    probedSinceClosing = true;
                }
                probeDelayMs = Math.min(probeDelayMs * 2, Math.max(1, options.maxBackoff().toMillis()));
                nextProbeNanos = System.nanoTime() + probeDelayMs * 1_000_000L;
            }
            LOG.debug("MLflow server still unreachable: {}", f.getMessage());
        }
    }

    /** Replays dirty runs from the journal, parents first. */
    private void replayDirty() {
        List<TrackedRun> todo;
        synchronized (lock) {
            todo = new ArrayList<>(dirty);
        }
        // Parents the writer has never seen (a marker from an earlier process) are adopted first.
        for (TrackedRun r : List.copyOf(todo)) {
            if (r.parentLocalId != null && !runs.containsKey(r.parentLocalId)) {
                run(r.parentLocalId).ifPresent(p -> {
                    if (!todo.contains(p)) {
                        todo.add(p);
                    }
                });
            }
        }
        todo.sort(Comparator.comparingInt(this::depth).thenComparingLong(r -> r.startTimeMs));
        for (TrackedRun run : todo) {
            if (mode() != Mode.UP) {
                return;
            }
            RunRecord rec;
            synchronized (run) {
                // Atomic with the tracker's "append, then queue or mark dirty": every record is either in
                // this snapshot or queued after it (with the new epoch), never both, never neither.
                rec = local.readRun(run.localId).orElse(null);
                synchronized (lock) {
                    run.dirty = false;
                    dirty.remove(run);
                }
            }
            if (rec == null) {
                LOG.warn("{} has no readable journal; cannot send it to MLflow", run);
                continue;
            }
            String parentRemote = null;
            if (rec.parentRunId() != null) {
                TrackedRun parent = runs.get(rec.parentRunId());
                parentRemote = parent == null || parent.remote == null ? null : parent.remote.id();
                if (parentRemote == null) {
                    LOG.warn("{}: its parent run is not on the MLflow server yet; it will follow with the next "
                            + "sync", run);
                    run.rejected = true;
                    continue;
                }
            }
            try {
                String experiment = remoteExperiment(rec.experimentId());
                RunReplayer.Outcome out = replayer.sync(rec, experiment, parentRemote, run.remote);
                run.remote = out.run();
                replays.incrementAndGet();
                points.addAndGet(out.result().metricPoints());
                LOG.debug("replayed {}", out.result().describe());
                if (rec.status().terminal() || !run.live) {
                    settle(run);
                }
            } catch (RemoteFailure f) {
                if (!handle(f, run, List.of(run))) {
                    return;
                }
            }
        }
    }

    private int depth(TrackedRun r) {
        int d = 0;
        for (TrackedRun p = r; p.parentLocalId != null && d < 16; d++) {
            p = runs.get(p.parentLocalId);
            if (p == null) {
                break;
            }
        }
        return d;
    }

    /** Sends drained operations: per run in order of first appearance, consecutive data merged. */
    private void send(List<Op> drained) {
        Map<TrackedRun, List<Op>> byRun = new LinkedHashMap<>();
        for (Op op : drained) {
            byRun.computeIfAbsent(op.run(), r -> new ArrayList<>()).add(op);
        }
        List<TrackedRun> order = new ArrayList<>(byRun.keySet());
        for (int ri = 0; ri < order.size(); ri++) {
            TrackedRun run = order.get(ri);
            List<Op> ops = byRun.get(run);
            long epoch;
            synchronized (lock) {
                if (run.dirty) {
                    continue; // a replay will send all of it
                }
                epoch = run.epoch;
            }
            int i = 0;
            try {
                while (i < ops.size()) {
                    Op op = ops.get(i);
                    if (op.epoch() != epoch) {
                        i++; // queued before the run was marked dirty and replayed: already sent
                        continue;
                    }
                    if (op instanceof Create) {
                        if (!ensureCreated(run)) {
                            break;
                        }
                        i++;
                    } else if (op instanceof Data) {
                        int j = i;
                        Map<String, String> params = new LinkedHashMap<>();
                        Map<String, String> tags = new LinkedHashMap<>();
                        List<MetricPoint> metrics = new ArrayList<>();
                        while (j < ops.size() && ops.get(j) instanceof Data d && d.epoch() == epoch) {
                            params.putAll(d.params());
                            tags.putAll(d.tags()); // later values win, as in the journal
                            metrics.addAll(d.metrics());
                            j++;
                        }
                        if (!ensureCreated(run)) {
                            break;
                        }
                        try {
                            replayer.sendBatches(run.remote.id(), metrics, params, tags);
                            batches.addAndGet(Math.max(1, (metrics.size() + RunReplayer.MAX_METRICS - 1)
                                    / RunReplayer.MAX_METRICS));
                            points.addAndGet(metrics.size());
                        } catch (RemoteFailure f) {
                            if (f.kind() != RemoteFailure.Kind.REJECTED) {
                                throw f;
                            }
                            rejected(run, f);
                        }
                        i = j;
                    } else if (op instanceof Inputs in) {
                        if (!ensureCreated(run)) {
                            break;
                        }
                        try {
                            retrier.run("log inputs to " + run, () -> remote.logInputs(run.remote.id(), in.inputs()));
                        } catch (RemoteFailure f) {
                            if (f.kind() != RemoteFailure.Kind.REJECTED) {
                                throw f;
                            }
                            rejected(run, f);
                        }
                        i++;
                    } else if (op instanceof Artifact a) {
                        if (!ensureCreated(run)) {
                            break;
                        }
                        try {
                            retrier.run("upload " + a.path(), () -> remote.uploadArtifact(run.remote, a.path(),
                                    a.file()));
                        } catch (RemoteFailure f) {
                            if (f.kind() != RemoteFailure.Kind.REJECTED) {
                                throw f;
                            }
                            rejected(run, f);
                        }
                        i++;
                    } else if (op instanceof End e) {
                        if (!ensureCreated(run)) {
                            break;
                        }
                        retrier.run("end " + run, () -> remote.endRun(run.remote.id(), e.status(), e.endTimeMs()));
                        settle(run);
                        i++;
                    } else {
                        throw new IllegalStateException("unknown operation " + op);
                    }
                }
            } catch (RemoteFailure f) {
                if (!handle(f, run, order.subList(ri, order.size()))) {
                    return;
                }
            }
        }
    }

    /**
     * Makes sure the run exists on the server (creating it on first use). Returns false if it cannot yet:
     * its parent is not there; the run is then marked for replay.
     */
    private boolean ensureCreated(TrackedRun run) {
        if (run.remote != null) {
            return true;
        }
        String parentRemote = null;
        if (run.parentLocalId != null) {
            TrackedRun parent = runs.get(run.parentLocalId);
            if (parent == null || parent.remote == null) {
                synchronized (lock) {
                    markDirtyLocked(run);
                }
                if (parent == null) {
                    run(run.parentLocalId); // adopt it from the journal, to be replayed first
                }
                return false;
            }
            parentRemote = parent.remote.id();
        }
        String experiment = remoteExperiment(run.experimentId);
        boolean[] created = {false};
        run.remote = run.shared
                ? replayer.findOrCreateShared(run.localId, experiment, run.name, parentRemote, run.initialTags,
                        SHARED_SETTLE)
                : replayer.findOrCreate(run.localId, experiment, run.name, run.startTimeMs, parentRemote,
                        run.initialTags, created, false);
        Map<String, String> rest = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : run.initialTags.entrySet()) {
            if (!e.getValue().equals(run.remote.tags().get(e.getKey()))) {
                rest.put(e.getKey(), e.getValue());
            }
        }
        if (!rest.isEmpty()) {
            // More tags than one create request carries: the rest follow at once.
            replayer.sendBatches(run.remote.id(), List.of(), Map.of(), rest);
        }
        if (run.parentLocalId == null) {
            LOG.info("MLflow run '{}': {}", run.name, MlflowLinks.run(remote.settings().uri(), experiment,
                    run.remote.id()));
        }
        return true;
    }

    private String remoteExperiment(String localExperimentId) {
        String id = remoteExperiments.get(localExperimentId);
        if (id != null) {
            return id;
        }
        String name = experimentNames.get(localExperimentId);
        if (name == null) {
            name = local.readExperiments().stream().filter(e -> e.id().equals(localExperimentId))
                    .map(ExperimentRecord::name).findFirst()
                    .orElseThrow(() -> new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false,
                            "local experiment " + localExperimentId + " is missing from " + local.root(), null));
            experimentNames.put(localExperimentId, name);
        }
        String experimentName = name;
        // The experiment's tags as the journal holds them now (set before this process's first run).
        Map<String, String> tags = local.readExperimentById(localExperimentId).map(ExperimentRecord::tags)
                .orElse(Map.of());
        id = retrier.run("find or create experiment '" + name + "'", () -> remote.experiment(experimentName, tags));
        remoteExperiments.put(localExperimentId, id);
        return id;
    }

    private void settle(TrackedRun run) {
        synchronized (lock) {
            if (run.dirty) {
                return;
            }
        }
        if (!run.rejected) {
            run.settled = true;
            pending.release(run.localId, true);
        }
    }

    private void rejected(TrackedRun run, RemoteFailure f) {
        rejections.incrementAndGet();
        run.rejected = true;
        LOG.error("MLflow refused a request for {}: {}. It stays in the local store at {}", run, f.getMessage(),
                local.root());
    }

    /**
     * Reacts to a failure that ended a run's processing.
     *
     * @return true to go on with the next run, false to stop this round
     */
    private boolean handle(RemoteFailure f, TrackedRun run, List<TrackedRun> affected) {
        switch (f.kind()) {
            case RETRYABLE:
                goDown(f, affected);
                return false;
            case AUTH:
                authFailed(f);
                return false;
            case NOT_FOUND:
                // Deleted on the server (or its experiment was): find or create it again from the journal.
                LOG.warn("{} is gone from the MLflow server ({}); recreating it from the local store", run,
                        f.getMessage());
                run.remote = null;
                remoteExperiments.remove(run.experimentId);
                synchronized (lock) {
                    markDirtyLocked(run);
                }
                return true;
            default:
                rejected(run, f);
                return true;
        }
    }

    private void goDown(RemoteFailure f, List<TrackedRun> affected) {
        synchronized (lock) {
            if (mode == Mode.UP) {
                outages.incrementAndGet();
                LOG.warn("MLflow server at {} is unreachable ({}); training goes on and records locally in {}; "
                        + "the runs are sent when the server is back (or with: genlab sync --to {})",
                        remote.settings().uri(), f.getMessage(), local.root(), remote.settings().uri());
            }
            mode = Mode.DOWN;
            probeDelayMs = Math.max(1, options.initialBackoff().toMillis());
            nextProbeNanos = System.nanoTime() + probeDelayMs * 1_000_000L;
            for (Op op : queue) {
                markDirtyLocked(op.run());
            }
            queue.clear();
            queuedUnits = 0;
            urgent = 0;
            for (TrackedRun r : affected) {
                markDirtyLocked(r);
            }
            lock.notifyAll();
        }
    }

    private void authFailed(RemoteFailure f) {
        synchronized (lock) {
            if (mode != Mode.AUTH_FAILED) {
                LOG.error("MLflow server at {} refused the credentials ({}); nothing more is sent in this run. "
                        + "Everything stays in the local store at {}: fix {} / {} (or {}) and run "
                        + "`genlab sync --to {}`", remote.settings().uri(), f.getMessage(), local.root(),
                        MlflowSettings.ENV_USERNAME, MlflowSettings.ENV_PASSWORD, MlflowSettings.ENV_TOKEN,
                        remote.settings().uri());
            }
            mode = Mode.AUTH_FAILED;
            for (Op op : queue) {
                markDirtyLocked(op.run());
            }
            queue.clear();
            queuedUnits = 0;
            urgent = 0;
            lock.notifyAll();
        }
    }

    private void markDirtyLocked(TrackedRun run) {
        if (!run.dirty) {
            run.dirty = true;
            run.epoch++;
            run.settled = false;
            dirty.add(run);
        }
    }

    private boolean pastCloseDeadline() {
        synchronized (lock) {
            return closing && System.nanoTime() - closeDeadlineNanos >= 0;
        }
    }
}
