package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.local.ArtifactRecord;
import dev.genlab.tracking.local.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Brings one MLflow run up to date with a local run's journal, idempotently: whatever the server already
 * has is not sent again. The MLflow run is found by its {@code genlab.local_run_id} tag (created if
 * missing); params and tags are compared by key and value; metric values by (key, step, timestamp,
 * value), so replaying a run after an outage or a crash adds exactly the missing points; artifacts by
 * path and size. Used by the live writer after an outage and by {@code genlab sync}.
 */
final class RunReplayer {

    /** MLflow's {@code runs/log-batch} limits (per kind, and all three together). */
    static final int MAX_METRICS = 1000;
    static final int MAX_RECORDS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;

    private static final Logger LOG = LogManager.getLogger(RunReplayer.class);

    private final MlflowRemote remote;
    private final Retrier retrier;

    RunReplayer(MlflowRemote remote, Retrier retrier) {
        this.remote = remote;
        this.retrier = retrier;
    }

    /** The outcome of one replay: counts plus the MLflow run as it now is. */
    record Outcome(RunSyncResult result, RemoteRun run) {}

    /**
     * Syncs one run.
     *
     * @param rec the local run
     * @param experimentId the MLflow experiment id
     * @param parentRunId the MLflow id of the parent run, or null
     * @param known the MLflow run if the caller already knows it, else null
     * @return what was sent, and the MLflow run
     * @throws RemoteFailure when the server cannot be reached or refuses (nothing is half-counted: a
     *     repeat sends what is still missing)
     */
    Outcome sync(RunRecord rec, String experimentId, String parentRunId, RemoteRun known) {
        boolean[] created = {false};
        RemoteRun found = known == null ? null : refresh(known.id());
        RemoteRun run = found != null ? found
                : findOrCreate(rec.id(), experimentId, rec.name(), rec.startTimeMs(), parentRunId, rec.tags(),
                        created, true);
        String runId = run.id();

        Map<String, String> params = new LinkedHashMap<>();
        rec.params().forEach((k, v) -> {
            String there = run.params().get(k);
            if (there == null) {
                params.put(k, v);
            } else if (!there.equals(v)) {
                LOG.warn("param {} of MLflow run {} is '{}' but '{}' locally; keeping the server's", k, runId,
                        there, v);
            }
        });
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : desiredTags(rec, parentRunId).entrySet()) {
            if (!e.getValue().equals(run.tags().get(e.getKey()))) {
                tags.put(e.getKey(), e.getValue());
            }
        }
        List<MetricPoint> points = missingPoints(rec, run);
        sendBatches(runId, points, params, tags);
        List<DatasetInput> inputs = rec.inputs().stream().filter(d -> !run.inputs().contains(d.identity())).toList();
        if (!inputs.isEmpty()) {
            retrier.run("log inputs to run " + runId, () -> remote.logInputs(runId, inputs));
        }

        int artifacts = 0;
        for (ArtifactRecord a : missingArtifacts(rec, run)) {
            Path file = rec.artifactFile(a);
            if (!matches(file, a)) {
                LOG.warn("artifact {} of local run {} changed or vanished on disk since it was logged; not "
                        + "uploading it", a.path(), rec.id());
                continue;
            }
            retrier.run("upload " + a.path(), () -> remote.uploadArtifact(run, a.path(), file));
            artifacts++;
        }

        boolean statusUpdated = false;
        if (rec.status().terminal() && run.status() != rec.status()) {
            long end = rec.endTimeMs() != null ? rec.endTimeMs() : System.currentTimeMillis();
            retrier.run("end run " + runId, () -> remote.endRun(runId, rec.status(), end));
            statusUpdated = true;
        }
        RunSyncResult result = new RunSyncResult(rec.id(), rec.name(), runId, created[0], params.size(),
                tags.size(), points.size(), artifacts, rec.status(), statusUpdated, null);
        return new Outcome(result, run);
    }

    /**
     * Finds the MLflow run of a local run, or creates it, so that the server ends up with exactly one.
     *
     * <p>A create whose answer was lost (timeout, 5xx) may have happened: the next attempt looks before
     * creating. And because the Java client itself repeats a request that got a 5xx (three attempts, which
     * cannot be turned off), one create call can make two runs when the server applied it but its answer
     * failed; so after a create the run's tag is searched once more and any extra copy is trashed.
     *
     * @param searchFirst false for a run that this process has just started (it cannot exist yet)
     * @param created set to true if this call created the run
     */
    RemoteRun findOrCreate(String localRunId, String experimentId, String runName, long startTimeMs,
            String parentRunId, Map<String, String> localTags, boolean[] created, boolean searchFirst) {
        return findOrCreate(localRunId, experimentId, runName, startTimeMs, parentRunId, localTags, created,
                searchFirst, true);
    }

    /** @param trashOthers false when other copies may belong to other processes (see findOrCreateShared) */
    private RemoteRun findOrCreate(String localRunId, String experimentId, String runName, long startTimeMs,
            String parentRunId, Map<String, String> localTags, boolean[] created, boolean searchFirst,
            boolean trashOthers) {
        boolean[] mayExist = {searchFirst};
        RemoteRun run = retrier.run("create run '" + runName + "'", () -> {
            if (mayExist[0]) {
                List<RemoteRun> found = remote.findByLocalId(experimentId, localRunId);
                if (!found.isEmpty()) {
                    return found.get(0);
                }
                mayExist[0] = false;
            }
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(MlflowRemote.LOCAL_RUN_ID_TAG, localRunId);
            if (parentRunId != null) {
                tags.put("mlflow.parentRunId", parentRunId);
            }
            for (Map.Entry<String, String> e : localTags.entrySet()) {
                if (tags.size() >= MAX_TAGS) {
                    break; // the rest follow in log-batch requests
                }
                tags.putIfAbsent(e.getKey(), e.getValue());
            }
            try {
                RemoteRun r = remote.createRun(experimentId, runName, startTimeMs, tags);
                created[0] = true;
                return r;
            } catch (RemoteFailure f) {
                mayExist[0] = f.ambiguous();
                throw f;
            }
        });
        if (!trashOthers) {
            return run;
        }
        List<RemoteRun> all = retrier.run("check run '" + runName + "'",
                () -> remote.findByLocalId(experimentId, localRunId));
        for (RemoteRun other : all) {
            if (!other.id().equals(run.id())) {
                LOG.warn("MLflow holds a second copy of run '{}' ({}), made by a repeated create request; moving "
                        + "it to the trash", runName, other.id());
                retrier.run("delete duplicate", () -> remote.deleteRun(other.id()));
            }
        }
        return run;
    }

    /**
     * Finds or creates a run that several processes may create at the same moment under the same local id
     * (the parent run of a sharded sweep). MLflow has no conditional create, so the processes converge
     * instead: each one that created a copy waits {@code settle}, lists the copies, and adopts the oldest
     * (start time, then id); a process trashes only its own copy, never another's, so a run that some
     * process adopted is never deleted under it. The start time is taken right before the create request,
     * which makes a later request a younger copy unless it was delayed by more than the settle time.
     */
    RemoteRun findOrCreateShared(String localRunId, String experimentId, String runName, String parentRunId,
            Map<String, String> localTags, Duration settle) {
        List<RemoteRun> existing = retrier.run("find run '" + runName + "'",
                () -> remote.findByLocalId(experimentId, localRunId));
        if (!existing.isEmpty()) {
            return oldest(existing);
        }
        boolean[] created = {false};
        RemoteRun mine = findOrCreate(localRunId, experimentId, runName, System.currentTimeMillis(), parentRunId,
                localTags, created, false, false);
        if (!created[0]) {
            return mine;
        }
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<RemoteRun> all = retrier.run("check run '" + runName + "'",
                () -> remote.findByLocalId(experimentId, localRunId));
        RemoteRun winner = all.isEmpty() ? mine : oldest(all);
        if (!winner.id().equals(mine.id())) {
            LOG.info("another process created run '{}' first ({}); using it and trashing this process's copy {}",
                    runName, winner.id(), mine.id());
            retrier.run("delete duplicate", () -> remote.deleteRun(mine.id()));
        }
        return winner;
    }

    private static RemoteRun oldest(List<RemoteRun> runs) {
        return runs.stream().min(java.util.Comparator.comparingLong(RemoteRun::startTimeMs)
                .thenComparing(RemoteRun::id)).orElseThrow();
    }

    /** Sends metric points, params and tags in as few requests as MLflow's limits allow. */
    void sendBatches(String runId, List<MetricPoint> points, Map<String, String> params, Map<String, String> tags) {
        List<Map.Entry<String, String>> ps = new ArrayList<>(params.entrySet());
        List<Map.Entry<String, String>> ts = new ArrayList<>(tags.entrySet());
        int pi = 0;
        int ti = 0;
        int mi = 0;
        while (pi < ps.size() || ti < ts.size() || mi < points.size()) {
            Map<String, String> bp = new LinkedHashMap<>();
            while (pi < ps.size() && bp.size() < MAX_PARAMS) {
                bp.put(ps.get(pi).getKey(), ps.get(pi).getValue());
                pi++;
            }
            Map<String, String> bt = new LinkedHashMap<>();
            while (ti < ts.size() && bt.size() < MAX_TAGS) {
                bt.put(ts.get(ti).getKey(), ts.get(ti).getValue());
                ti++;
            }
            int room = Math.min(MAX_METRICS, MAX_RECORDS - bp.size() - bt.size());
            int to = Math.min(points.size(), mi + room);
            List<MetricPoint> bm = points.subList(mi, to);
            mi = to;
            retrier.run("log a batch to run " + runId, () -> remote.logBatch(runId, bm, bp, bt));
        }
    }

    private RemoteRun refresh(String runId) {
        try {
            RemoteRun r = retrier.run("get run " + runId, () -> remote.getRun(runId));
            return r;
        } catch (RemoteFailure f) {
            if (f.kind() == RemoteFailure.Kind.NOT_FOUND) {
                return null; // deleted on the server meanwhile: find or create again
            }
            throw f;
        }
    }

    /** The tags the MLflow run should carry: the local ones plus the link to the local run and the parent. */
    static Map<String, String> desiredTags(RunRecord rec, String parentRunId) {
        Map<String, String> tags = new LinkedHashMap<>(rec.tags());
        tags.put(MlflowRemote.LOCAL_RUN_ID_TAG, rec.id());
        if (parentRunId != null) {
            tags.put("mlflow.parentRunId", parentRunId);
        }
        if (!rec.name().isEmpty()) {
            tags.put("mlflow.runName", rec.name());
        }
        return tags;
    }

    private List<MetricPoint> missingPoints(RunRecord rec, RemoteRun run) {
        List<MetricPoint> out = new ArrayList<>();
        for (Map.Entry<String, List<MetricPoint>> e : rec.metrics().entrySet()) {
            Set<PointKey> there = new HashSet<>();
            if (run.metricKeys().contains(e.getKey())) {
                for (MetricPoint p : retrier.run("read history", () -> remote.metricHistory(run.id(), e.getKey()))) {
                    there.add(PointKey.of(p));
                }
            }
            // A point logged twice locally is one point on the server (MLflow keeps exact duplicates once).
            Set<PointKey> seen = new LinkedHashSet<>();
            for (MetricPoint p : e.getValue()) {
                PointKey k = PointKey.of(p);
                if (!there.contains(k) && seen.add(k)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private List<ArtifactRecord> missingArtifacts(RunRecord rec, RemoteRun run) {
        if (rec.artifacts().isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, Long>> listings = new HashMap<>();
        List<ArtifactRecord> out = new ArrayList<>();
        for (ArtifactRecord a : rec.artifacts()) {
            int slash = a.path().lastIndexOf('/');
            String dir = slash < 0 ? "" : a.path().substring(0, slash);
            Map<String, Long> listing = listings.computeIfAbsent(dir, d -> {
                try {
                    return retrier.run("list artifacts", () -> remote.listArtifacts(run.id(), d));
                } catch (RemoteFailure f) {
                    if (f.kind() == RemoteFailure.Kind.NOT_FOUND) {
                        return Map.of();
                    }
                    throw f;
                }
            });
            Long size = listing.get(a.path());
            if (size == null || size != a.size()) {
                out.add(a);
            }
        }
        return out;
    }

    private static boolean matches(Path file, ArtifactRecord a) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest()).equals(a.sha256());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Identity of a metric value on the server: MLflow stores exact duplicates once. */
    record PointKey(String key, long step, long timestamp, long valueBits) {
        static PointKey of(MetricPoint p) {
            // doubleToLongBits folds every NaN into one, as the server's is_nan column does.
            return new PointKey(p.key(), p.step(), p.timestampMs(), Double.doubleToLongBits(p.value()));
        }
    }
}
