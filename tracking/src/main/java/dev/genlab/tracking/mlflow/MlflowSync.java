package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.local.ExperimentRecord;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Replays runs of the local store into an MLflow server: what {@code genlab sync} and {@code genlab ui}
 * do. Idempotent: each run is matched to its MLflow run by the {@code genlab.local_run_id} tag and only
 * what the server lacks is sent (metric values by key, step and timestamp), so syncing twice, or after a
 * live tracker already sent part of a run, never duplicates anything.
 *
 * <p>Runs that another live genlab process is still recording are skipped (they are sent by that
 * process). Parents are synced before their children, and a selected child brings its parent along.
 */
public final class MlflowSync implements AutoCloseable {

    private final MlflowRemote remote;
    private final Retrier retrier;
    private final RunReplayer replayer;

    private MlflowSync(MlflowRemote remote, MlflowOptions options) {
        this.remote = remote;
        this.retrier = new Retrier(options, () -> false);
        this.replayer = new RunReplayer(remote, retrier);
    }

    /**
     * Connects to a server.
     *
     * @param settings server and credentials
     * @param options timeouts and retry budget
     * @param env environment lookup (for Python {@code mlflow} if an artifact store needs it)
     * @return a connected syncer
     * @throws MlflowTrackingException if the server cannot be reached, refuses the credentials, or is not an
     *     MLflow server
     */
    public static MlflowSync connect(MlflowSettings settings, MlflowOptions options, Function<String, String> env) {
        MlflowRemote remote = new MlflowRemote(settings, options.requestTimeout(), env);
        try {
            new Retrier(options, () -> false).run("contact the server", remote::ping);
        } catch (RemoteFailure f) {
            remote.close();
            throw MlflowTracker.explain(settings, f);
        }
        return new MlflowSync(remote, options);
    }

    /**
     * The result of one sync.
     *
     * @param runs one result per run, in the order they were synced
     */
    public record Report(List<RunSyncResult> runs) {

        /** Copies the list. */
        public Report {
            runs = List.copyOf(runs);
        }

        /** @return true if every run is fully on the server */
        public boolean ok() {
            return runs.stream().allMatch(RunSyncResult::ok);
        }

        /** @return a one-line total */
        public String summary() {
            int created = 0;
            int params = 0;
            int tags = 0;
            int points = 0;
            int artifacts = 0;
            int failed = 0;
            for (RunSyncResult r : runs) {
                created += r.created() ? 1 : 0;
                params += r.params();
                tags += r.tags();
                points += r.metricPoints();
                artifacts += r.artifacts();
                failed += r.ok() ? 0 : 1;
            }
            return runs.size() + " run(s): " + created + " created, " + params + " params, " + tags + " tags, "
                    + points + " metric values, " + artifacts + " artifacts sent" + (failed == 0 ? ""
                            : "; " + failed + " NOT synced");
        }
    }

    /**
     * Syncs runs of a local store.
     *
     * @param store the local store
     * @param selectors local run ids or experiment names; empty for every run of every experiment
     * @param progress called after each run
     * @return what was sent
     * @throws MlflowTrackingException if a selector matches nothing, or the server stops answering (the
     *     report of the runs done so far is lost; syncing again resumes where it stopped)
     */
    public Report sync(LocalRunStore store, List<String> selectors, Consumer<RunSyncResult> progress) {
        Objects.requireNonNull(store, "store");
        Map<ExperimentRecord, List<RunRecord>> plan = plan(store, selectors);
        PendingRuns pending = new PendingRuns(store.root(), remote.settings().uri());
        List<RunSyncResult> results = new ArrayList<>();
        for (Map.Entry<ExperimentRecord, List<RunRecord>> e : plan.entrySet()) {
            ExperimentRecord exp = e.getKey();
            String experimentId;
            try {
                experimentId = retrier.run("find or create experiment", () -> remote.experiment(exp.name(), exp.tags()));
            } catch (RemoteFailure f) {
                throw stop(f);
            }
            Map<String, String> remoteIds = new HashMap<>();
            for (RunRecord run : e.getValue()) {
                RunSyncResult r = syncOne(run, experimentId, remoteIds, pending);
                results.add(r);
                progress.accept(r);
            }
        }
        return new Report(results);
    }

    private RunSyncResult syncOne(RunRecord run, String experimentId, Map<String, String> remoteIds,
            PendingRuns pending) {
        boolean hadMarker = pending.isPending(run.id());
        if (hadMarker && !pending.hold(run.id())) {
            return failed(run, "it is being recorded by a running genlab process, which sends it itself");
        }
        String parent = null;
        if (run.parentRunId() != null) {
            parent = remoteIds.get(run.parentRunId());
            if (parent == null) {
                release(pending, run, hadMarker, false);
                return failed(run, "its parent run " + run.parentRunId() + " is not on the server");
            }
        }
        try {
            RunReplayer.Outcome out = replayer.sync(run, experimentId, parent, null);
            remoteIds.put(run.id(), out.run().id());
            release(pending, run, hadMarker, true);
            return out.result();
        } catch (RemoteFailure f) {
            release(pending, run, hadMarker, false);
            if (f.kind() == RemoteFailure.Kind.RETRYABLE || f.kind() == RemoteFailure.Kind.AUTH) {
                throw stop(f);
            }
            return failed(run, f.getMessage());
        }
    }

    private static void release(PendingRuns pending, RunRecord run, boolean hadMarker, boolean synced) {
        if (hadMarker) {
            pending.release(run.id(), synced);
        }
    }

    private MlflowTrackingException stop(RemoteFailure f) {
        if (f.kind() == RemoteFailure.Kind.AUTH) {
            return MlflowTracker.explain(remote.settings(), f);
        }
        return new MlflowTrackingException("sync stopped: the MLflow server at " + remote.settings().uri()
                + " stopped answering (" + f.getMessage() + "); run it again when the server is back: it goes on "
                + "where it stopped");
    }

    private static RunSyncResult failed(RunRecord run, String why) {
        return new RunSyncResult(run.id(), run.name(), "", false, 0, 0, 0, 0, run.status(), false, why);
    }

    /** Experiments and their runs to sync, parents before children. */
    private static Map<ExperimentRecord, List<RunRecord>> plan(LocalRunStore store, List<String> selectors) {
        Map<ExperimentRecord, List<RunRecord>> all = new LinkedHashMap<>();
        for (ExperimentRecord e : store.readExperiments()) {
            all.put(e, store.readRuns(e.name()));
        }
        Map<ExperimentRecord, Set<RunRecord>> chosen = new LinkedHashMap<>();
        if (selectors.isEmpty()) {
            all.forEach((e, runs) -> chosen.put(e, new LinkedHashSet<>(runs)));
        } else {
            for (String sel : selectors) {
                boolean matched = false;
                for (Map.Entry<ExperimentRecord, List<RunRecord>> e : all.entrySet()) {
                    if (e.getKey().name().equals(sel)) {
                        chosen.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).addAll(e.getValue());
                        matched = true;
                        continue;
                    }
                    Optional<RunRecord> run = e.getValue().stream().filter(r -> r.id().equals(sel)).findFirst();
                    if (run.isPresent()) {
                        Set<RunRecord> set = chosen.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>());
                        set.add(run.get());
                        addAncestors(run.get(), e.getValue(), set);
                        matched = true;
                    }
                }
                if (!matched) {
                    throw new MlflowTrackingException("'" + sel + "' is neither a run id nor an experiment name in "
                            + "the local store at " + store.root());
                }
            }
        }
        Map<ExperimentRecord, List<RunRecord>> out = new LinkedHashMap<>();
        chosen.forEach((e, runs) -> {
            List<RunRecord> list = new ArrayList<>(runs);
            Map<String, RunRecord> byId = new HashMap<>();
            list.forEach(r -> byId.put(r.id(), r));
            list.sort(Comparator.comparingInt((RunRecord r) -> depth(r, byId)).thenComparingLong(RunRecord::startTimeMs)
                    .thenComparing(RunRecord::id));
            out.put(e, list);
        });
        return out;
    }

    private static void addAncestors(RunRecord run, List<RunRecord> runs, Set<RunRecord> into) {
        String parent = run.parentRunId();
        for (int guard = 0; parent != null && guard < 16; guard++) {
            String p = parent;
            Optional<RunRecord> rec = runs.stream().filter(r -> r.id().equals(p)).findFirst();
            if (rec.isEmpty()) {
                return;
            }
            into.add(rec.get());
            parent = rec.get().parentRunId();
        }
    }

    private static int depth(RunRecord r, Map<String, RunRecord> byId) {
        int d = 0;
        for (RunRecord p = r; p != null && p.parentRunId() != null && d < 16; d++) {
            p = byId.get(p.parentRunId());
        }
        return d;
    }

    @Override
    public void close() {
        remote.close();
    }
}
