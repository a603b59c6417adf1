package dev.genlab.core.run;

import ai.djl.ndarray.NDManager;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.Params;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.prune.Pruner;
import dev.genlab.core.prune.StoreRecords;
import dev.genlab.core.report.Plots;
import dev.genlab.core.report.SweepReporter;
import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecWriter;
import dev.genlab.core.spec.SweepSpec;
import dev.genlab.core.spec.SweepMethod;
import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.claims.Claim;
import dev.genlab.tracking.claims.ClaimOwner;
import dev.genlab.tracking.claims.Claims;
import dev.genlab.tracking.local.LocalRunStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs a planned sweep: one parent run for the sweep, one child run per trial, datasets loaded once and
 * shared, a summary logged to the parent. A failing trial is recorded and the sweep goes on.
 */
public final class SweepRunner {

    private static final Logger LOG = LogManager.getLogger(SweepRunner.class);

    /** Claim group of the live workers of a sweep (plus the sweep hash). */
    static final String WORKERS_PREFIX = "workers-";
    /** Claim key of a sweep's summary (plus the sweep hash and the results digest). */
    static final String SUMMARY_PREFIX = "summary-";
    /** The outcome a summary claim is released with once the summary is logged and the parent ended. */
    static final String SUMMARY_WRITTEN = "WRITTEN";

    private final PluginRegistry registry;
    private final TrackerFactory trackers;
    private final RunOptions options;
    private final TrialRunner trialRunner;
    private final SweepSummary summary;
    private final SweepPlanner planner;
    private final SpecWriter specWriter;
    private final Cancellation cancellation;
    private final SweepReporter reporter;
    private final Provenance provenance;

    /**
     * @param registry installed plugins
     * @param trackers opens the tracker named by the spec
     * @param options command-line options
     * @param plots plot writer for artifacts
     * @param provenance provenance tags
     * @param progress progress sink
     * @param summary summary renderer
     * @param planner derives each trial's one-trial spec
     * @param specWriter writes that spec as YAML
     * @param cancellation set by Ctrl-C / SIGTERM: running trials end KILLED, no new one starts
     * @param reporter writes the sweep report when the sweep ends
     */
    @Inject
    public SweepRunner(PluginRegistry registry, TrackerFactory trackers, RunOptions options, Plots plots,
            Provenance provenance, Progress progress, SweepSummary summary, SweepPlanner planner,
            SpecWriter specWriter, Cancellation cancellation, SweepReporter reporter) {
        this.registry = registry;
        this.trackers = trackers;
        this.options = options;
        this.trialRunner = new TrialRunner(registry, plots, provenance, progress, EngineLock.PROCESS, cancellation);
        this.summary = summary;
        this.planner = planner;
        this.specWriter = specWriter;
        this.cancellation = cancellation;
        this.reporter = reporter;
        this.provenance = provenance;
    }

    /**
     * Runs every trial of the plan: the whole plan in this process, or, when this process is one worker of a
     * shared sweep ({@code --resume}, {@code --shard}), the trials it claims in plan order.
     *
     * @param spec the validated spec
     * @param trials the plan from the sweep planner
     * @return per-trial results, in plan order
     */
    public SweepResult run(ExperimentSpec spec, List<Trial> trials) {
        boolean shuffle = spec.sweep().shufflesTrialOrder();
        return run(spec, trials, shuffle ? TrialSource.shuffled(options.shard(), spec.seed())
                : TrialSource.planOrder(options.shard()));
    }

    /**
     * Runs a sweep whose trials a {@link TrialSource} hands out (only a shared sweep asks it; a sweep of its
     * own runs the plan in order).
     *
     * @param spec the validated spec
     * @param trials the plan
     * @param source decides which trial this process claims next
     * @return per-trial results, in plan order: the whole sweep's when it is complete, else this process's
     */
    public SweepResult run(ExperimentSpec spec, List<Trial> trials, TrialSource source) {
        long start = System.nanoTime();
        trialRunner.newSweep(spec.tracking().systemMetrics());
        String experimentName = spec.tracking().experiment() != null ? spec.tracking().experiment() : spec.name();
        // Every record of the sweep passes the redacting view: the spec's secret values never reach a store.
        try (Tracker tracker = RedactingTracker.wrap(trackers.open(spec.tracking(), options), spec.secrets());
                NDManager dataManager = NDManager.newBaseManager()) {
            String experimentId = tracker.experiment(experimentName);
            tracker.setExperimentTags(experimentId, SweepRollup.experimentTags(spec));
            Map<String, String> parentTags = parentTags(spec, trials);
            Sweep sweep = new Sweep(spec, trials, tracker, experimentName, experimentId, dataManager,
                    new ConcurrentHashMap<>(), start);
            TrialSource methodSource = source;
            if (spec.sweep().method() == SweepMethod.TPE) {
                Claims claims = tracker.claims(experimentId).orElseThrow(() -> new IllegalStateException(
                        "the tracker keeps no claims, which a TPE sweep needs to record its choices"));
                methodSource = new TpeSource(spec, trials, planner, claims, source);
            }
            return options.ledger() ? runShared(sweep, parentTags, methodSource)
                    : runAlone(sweep, parentTags, methodSource);
        }
    }

    /**
     * Records the parent run of a sweep that worker processes will share ({@code --parallel N}), before they
     * start, so that they all find the one parent (with MLflow, one parent on the server too): a new parent
     * run, or, to resume, the sweep's existing one (as a worker would find it).
     *
     * @param spec the validated spec
     * @param trials the plan
     * @param resume true: find the sweep's parent by sweep hash (or create it under its stable id)
     * @return the parent's run id
     */
    public String openParent(ExperimentSpec spec, List<Trial> trials, boolean resume) {
        String experimentName = spec.tracking().experiment() != null ? spec.tracking().experiment() : spec.name();
        try (Tracker tracker = RedactingTracker.wrap(trackers.open(spec.tracking(), options), spec.secrets())) {
            String experimentId = tracker.experiment(experimentName);
            tracker.setExperimentTags(experimentId, SweepRollup.experimentTags(spec));
            String runName = spec.name() + " sweep";
            String id = resume
                    ? new SweepLedger(tracker, experimentId).parent(sweepHash(trials), runName, parentTags(spec, trials))
                    : tracker.startRun(experimentId, runName, null, parentTags(spec, trials));
            tracker.flush();
            return id;
        }
    }

    private Map<String, String> parentTags(ExperimentSpec spec, List<Trial> trials) {
        Map<String, String> parentTags = new LinkedHashMap<>(provenance.tags());
        parentTags.put("genlab.spec_name", spec.name());
        parentTags.put("genlab.sweep_hash", sweepHash(trials));
        parentTags.put("genlab.trials", Integer.toString(trials.size()));
        parentTags.put("mlflow.source.name", "genlab");
        if (spec.source() != null) {
            parentTags.put("genlab.spec", spec.source().toString());
        }
        parentTags.put("mlflow.note.content", "Sweep of " + trials.size() + " trial(s) from "
                + (spec.source() == null ? "a spec" : spec.source().getFileName()));
        return parentTags;
    }

    /** What every trial of one sweep run shares. */
    private record Sweep(ExperimentSpec spec, List<Trial> plan, Tracker tracker, String experimentName,
            String experimentId, NDManager dataManager, Map<DatasetSpec, LoadedData> datasets, long startNanos) {

        double seconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }
    }

    /** A sweep of its own: a new parent run, every trial of the plan, no claims. */
    private SweepResult runAlone(Sweep sweep, Map<String, String> parentTags, TrialSource source) {
        Tracker tracker = sweep.tracker();
        String parentId = tracker.startRun(sweep.experimentId(), sweep.spec().name() + " sweep", null, parentTags);
        List<Trial> plan = sweep.plan();
        SweepLedger own = new SweepLedger(tracker, sweep.experimentId(), parentId);
        SweepView view = new SweepView() {
            @Override
            public List<Trial> plan() {
                return plan;
            }

            @Override
            public List<TrialResult> ended() {
                return own.ended(plan);
            }
        };
        List<TrialResult> results = new ArrayList<>(plan.size());
        TrialMonitor monitor = monitor(sweep, parentId);
        List<Trial> order = source.candidates(view);
        for (int i = 0; i < order.size() && !cancellation.requested(); i++) {
            results.add(train(sweep, new TrialRunner.Context(tracker, sweep.experimentId(), parentId, i + 1,
                    order.size(), null, null, null, monitor), source.claimed(order.get(i), view)));
        }
        results.sort(Comparator.comparingInt(r -> r.trial().index()));
        SweepResult result = new SweepResult(sweep.experimentName(), parentId, results, sweep.seconds());
        if (cancellation.requested()) {
            // No summary of part of a sweep: `--resume` completes the sweep and summarises all of it.
            tracker.endRun(parentId, RunStatus.KILLED);
            LOG.info("sweep stopped: parent run {} ended KILLED without a summary; --resume completes it", parentId);
            return result;
        }
        SweepResult summarised = publishSummary(tracker, result, sweep.spec().tracking());
        tracker.endRun(parentId, result.failures() == 0 ? RunStatus.FINISHED : RunStatus.FAILED);
        return summarised;
    }

    /**
     * One worker of a sweep that several processes may share (and that earlier processes may have begun):
     * the parent run is found or created by sweep hash; trials are claimed in the store one at a time, so
     * no trial is trained by two live processes; the process that ends the last trial claims the summary
     * of that set of results and ends the parent. A worker that is stopped (SIGTERM) or fails ends neither
     * the parent nor logs a summary, unless it is the last live worker of the sweep, which ends the parent
     * KILLED (still without a summary).
     */
    private SweepResult runShared(Sweep sweep, Map<String, String> parentTags, TrialSource source) {
        Tracker tracker = sweep.tracker();
        List<Trial> plan = sweep.plan();
        String hash = sweepHash(plan);
        SweepLedger ledger = new SweepLedger(tracker, sweep.experimentId(), options.sweepParent());
        String parentId = ledger.parent(hash, sweep.spec().name() + " sweep", parentTags);
        Claims claims = tracker.claims(sweep.experimentId()).orElseThrow(() -> new IllegalStateException(
                "the tracker keeps no claims, which a shared sweep (--resume, --shard) needs"));
        if (options.shard() != null) {
            LOG.info("shard {}: {} of the sweep's {} trial(s)", options.shard(),
                    options.shard().select(plan).size(), plan.size());
        }
        String group = WORKERS_PREFIX + hash;
        claims.join(group);
        boolean member = true;
        try {
            TrialDispatcher dispatcher = new TrialDispatcher(claims, ledger, source, plan, System.currentTimeMillis(),
                    options.sweepParent());
            List<TrialResult> ran = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            work(sweep, parentId, monitor(sweep, parentId), dispatcher, ran, failure);
            if (failure.get() != null) {
                LOG.error("this worker stops on an error; the sweep's parent run is left to the other workers "
                        + "(or a later --resume)");
                throw rethrow(failure.get());
            }
            Map<String, TrialResult> known = new LinkedHashMap<>();
            dispatcher.seenEnded().forEach(r -> known.put(r.trial().hash(), r));
            ran.forEach(r -> known.put(r.trial().hash(), r));
            List<TrialResult> mine = inPlanOrder(plan, known, source);
            if (cancellation.requested()) {
                claims.leave(group);
                member = false;
                List<ClaimOwner> others = claims.otherLiveMembers(group);
                if (others.isEmpty()) {
                    tracker.endRun(parentId, RunStatus.KILLED);
                    LOG.info("sweep stopped: no other worker is left, so parent run {} ended KILLED, without a "
                            + "summary; --resume completes it", parentId);
                } else {
                    LOG.info("this worker stopped; {} other worker(s) of the sweep go on and will end parent "
                            + "run {}", others.size(), parentId);
                }
                return new SweepResult(sweep.experimentName(), parentId, mine, sweep.seconds());
            }
            // Our runs ended and our claims were released before this look, so of the workers that end the
            // last trials, the last to look sees all of them ended.
            tracker.flush();
            Optional<List<TrialResult>> all = dispatcher.anyHeldElsewhere() ? Optional.empty()
                    : ledger.complete(plan, known);
            if (all.isEmpty()) {
                LOG.info("this worker is done; other trials of the sweep are not ended yet (held by other "
                        + "workers, or left for them), so whoever ends the last one summarises the sweep");
                return new SweepResult(sweep.experimentName(), parentId, mine, sweep.seconds());
            }
            List<TrialResult> recorded = all.get().stream().map(r -> r.withTrial(source.recorded(r.trial()))).toList();
            SweepResult whole = new SweepResult(sweep.experimentName(), parentId, recorded, sweep.seconds());
            return summarise(sweep, claims, hash, whole);
        } finally {
            if (member) {
                claims.leave(group);
            }
        }
    }

    /** The worker loop: claims and trains trials until none is left, the sweep stops, or an error. */
    private void work(Sweep sweep, String parentId, TrialMonitor monitor, TrialDispatcher dispatcher,
            List<TrialResult> ran, AtomicReference<Throwable> failure) {
        while (!cancellation.requested() && failure.get() == null) {
            Optional<TrialDispatcher.Assignment> next;
            try {
                next = dispatcher.next(cancellation::requested);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                return;
            }
            if (next.isEmpty()) {
                return;
            }
            TrialDispatcher.Assignment a = next.get();
            Claim claim = a.claim();
            String outcome = RunStatus.KILLED.name();
            try {
                if (cancellation.requested()) {
                    return;
                }
                TrialRunner.Context ctx = new TrialRunner.Context(sweep.tracker(), sweep.experimentId(), parentId,
                        a.position(), sweep.plan().size(), a.resumeRunId(), claim::lost, claimTags(claim), monitor);
                TrialResult r = train(sweep, ctx, a.trial());
                if (!claim.lost()) {
                    ran.add(r);
                    outcome = r.pruned() ? TrialDispatcher.PRUNED : r.status().name();
                }
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
                return;
            } finally {
                dispatcher.done(a, outcome);
            }
        }
    }

    /**
     * Claims the summary of exactly these results (a claim keyed by sweep hash and a digest of which run
     * ended each trial, and how): of the workers that see the sweep complete, one writes the summary and
     * ends the parent; a later resume that changes a result makes a new digest, so it writes it again.
     */
    private SweepResult summarise(Sweep sweep, Claims claims, String hash, SweepResult whole) {
        String key = SUMMARY_PREFIX + hash + "-" + resultsDigest(whole.trials());
        Optional<Claim> claim = claims.acquire(key,
                l -> l.held() ? claims.stale(l) : !SUMMARY_WRITTEN.equals(l.outcome()));
        if (claim.isEmpty()) {
            LOG.info("the sweep is complete; its summary for these results is written by another process");
            return whole;
        }
        Tracker tracker = sweep.tracker();
        SweepResult summarised;
        try {
            summarised = publishSummary(tracker, whole, sweep.spec().tracking());
            tracker.endRun(whole.parentRunId(), whole.failures() == 0 ? RunStatus.FINISHED : RunStatus.FAILED);
            tracker.flush();
        } catch (RuntimeException e) {
            claims.release(claim.get(), RunStatus.FAILED.name());
            throw e;
        }
        claims.release(claim.get(), SUMMARY_WRITTEN);
        return summarised;
    }

    /**
     * The sweep's early-stopping rule, reading the sweep's records from the local run store that every
     * process of the sweep writes, or null without {@code sweep.early_stop}.
     */
    private TrialMonitor monitor(Sweep sweep, String parentId) {
        SweepSpec s = sweep.spec().sweep();
        if (s.earlyStop() == null) {
            return null;
        }
        TrackingSpec tracking = sweep.spec().tracking();
        Path root = options.runStore() != null ? options.runStore() : Path.of(tracking.localDir());
        return new Pruner(s.earlyStop(), s.objective(), sweep.tracker(),
                new StoreRecords(new LocalRunStore(root), sweep.experimentName(), parentId, s.objective()));
    }

    /** Tags that mirror a trial's claim on its run (and so on MLflow): who trains it, and whom it replaced. */
    private static Map<String, String> claimTags(Claim claim) {
        Map<String, String> tags = new LinkedHashMap<>();
        ClaimOwner owner = claim.lease().owner();
        tags.put("genlab.claim.owner", owner.describe());
        tags.put("genlab.claim.owner_id", owner.id());
        tags.put("genlab.claim.generation", Long.toString(claim.generation()));
        if (claim.takeover() && claim.previousOwner() != null) {
            tags.put("genlab.claim.taken_over_from", claim.previousOwner().describe());
        }
        return tags;
    }

    private TrialResult train(Sweep sweep, TrialRunner.Context ctx, Trial trial) {
        LoadedData data;
        try {
            data = sweep.datasets().computeIfAbsent(trial.dataset(),
                    ds -> load(ds, sweep.spec().seed(), sweep.dataManager()));
        } catch (RuntimeException e) {
            return failedBeforeStart(ctx, trial, "dataset '" + trial.dataset().name() + "' failed to load: "
                    + TrainingLoop.describe(e));
        }
        String trialSpec = specWriter.toYaml(planner.trialSpec(sweep.spec(), trial));
        return trialRunner.run(ctx, trial, trialSpec, data);
    }

    private static List<TrialResult> inPlanOrder(List<Trial> plan, Map<String, TrialResult> byHash,
            TrialSource source) {
        List<TrialResult> out = new ArrayList<>();
        for (Trial t : plan) {
            TrialResult r = byHash.get(t.hash());
            if (r != null) {
                out.add(r.withTrial(source.recorded(r.trial())));
            }
        }
        return out;
    }

    /** Which run ended each trial, and how: equal in every process that reads the same records. */
    static String resultsDigest(List<TrialResult> results) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (TrialResult r : results) {
                sha.update((r.trial().hash() + " " + r.runId() + " " + r.status() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }

    private LoadedData load(DatasetSpec ds, long seed, NDManager manager) {
        DatasetProvider provider = registry.dataset(ds.name())
                .orElseThrow(() -> new IllegalStateException("dataset '" + ds.name() + "' is not installed"));
        DatasetSetup setup = new DatasetSetup(new Params(ds.params()), manager, seed);
        return LoadedData.of(provider.load(setup), provider.loadHeldOut(setup).orElse(null));
    }

    private TrialResult failedBeforeStart(TrialRunner.Context ctx, Trial trial, String reason) {
        Tracker tracker = ctx.tracker();
        Map<String, String> tags = new LinkedHashMap<>(ctx.claimTags());
        tags.put("genlab.trial_hash", trial.hash());
        tags.put("genlab.failure", reason);
        String runId = tracker.startRun(ctx.experimentId(), trial.runName(), ctx.parentRunId(), tags);
        tracker.endRun(runId, RunStatus.FAILED);
        LOG.error("trial {} failed: {}", trial.runName(), reason);
        return new TrialResult(trial, runId, RunStatus.FAILED, reason, Map.of(), Map.of(), 0);
    }

    /**
     * Logs the summary and the report to the sweep's parent run; returns the result with the report's local
     * path and, when tracking to a server, where each run is there (the runs are sent first, so that the
     * summary and the report can name them).
     */
    /**
     * Logs the summary and the report to the parent run, with the runs' MLflow ids and links when they are on
     * a server.
     *
     * @return the result with those links and the local report's path
     */
    private SweepResult publishSummary(Tracker tracker, SweepResult result, TrackingSpec tracking) {
        tracker.flush();
        Map<String, RemoteLink> links = new LinkedHashMap<>();
        tracker.remoteLink(result.parentRunId()).ifPresent(l -> links.put(result.parentRunId(), l));
        for (TrialResult t : result.trials()) {
            if (t.runId() != null) {
                tracker.remoteLink(t.runId()).ifPresent(l -> links.put(t.runId(), l));
            }
        }
        SweepResult linked = new SweepResult(result.experimentName(), result.parentRunId(), result.trials(),
                result.wallSeconds(), null, links);
        logSummary(tracker, result.parentRunId(), linked);
        SweepRollup.log(tracker, result.parentRunId(), result.trials());
        Optional<Path> report = reporter.publish(tracker, tracking, options, result.parentRunId());
        return new SweepResult(result.experimentName(), result.parentRunId(), result.trials(), result.wallSeconds(),
                report.orElse(null), links);
    }

    private void logSummary(Tracker tracker, String parentId, SweepResult result) {
        try {
            Path dir = Files.createTempDirectory("genlab-sweep-");
            Path md = dir.resolve("summary.md");
            Path json = dir.resolve("summary.json");
            Files.writeString(md, summary.markdown(result), StandardCharsets.UTF_8);
            Files.writeString(json, summary.json(result), StandardCharsets.UTF_8);
            tracker.logArtifact(parentId, md, "");
            tracker.logArtifact(parentId, json, "");
            Files.delete(md);
            Files.delete(json);
            Files.delete(dir);
        } catch (IOException e) {
            LOG.warn("could not write the sweep summary: {}", e.toString());
        }
        tracker.logMetric(parentId, "sweep/trials_finished",
                result.trials().size() - result.failures() - result.pruned(), 0);
        tracker.logMetric(parentId, "sweep/trials_failed", result.failures(), 0);
        if (result.pruned() > 0) {
            tracker.logMetric(parentId, "sweep/trials_pruned", result.pruned(), 0);
        }
    }

    /** Hash of the plan (its trial hashes in order): the identity of a sweep for resume and sharding. */
    static String sweepHash(List<Trial> trials) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Trial t : trials) {
                sha.update(t.hash().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
