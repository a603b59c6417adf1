package dev.genlab.core.run;

import ai.djl.ndarray.NDManager;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.Params;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.report.Plots;
import dev.genlab.core.report.SweepReporter;
import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecWriter;
import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.Tracker;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs a planned sweep: one parent run for the sweep, one child run per trial, datasets loaded once and
 * shared, a summary logged to the parent. A failing trial is recorded and the sweep goes on.
 */
public final class SweepRunner {

    private static final Logger LOG = LogManager.getLogger(SweepRunner.class);

    private final PluginRegistry registry;
    private final TrackerFactory trackers;
    private final RunOptions options;
    private final TrialRunner trialRunner;
    private final SweepSummary summary;
    private final SweepPlanner planner;
    private final SpecWriter specWriter;
    private final Cancellation cancellation;
    private final SweepReporter reporter;

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
        this.trialRunner = new TrialRunner(registry, plots, provenance, progress, new EngineLock(), cancellation);
        this.summary = summary;
        this.planner = planner;
        this.specWriter = specWriter;
        this.cancellation = cancellation;
        this.reporter = reporter;
    }

    /**
     * Runs every trial of the plan.
     *
     * @param spec the validated spec
     * @param trials the plan from the sweep planner
     * @return per-trial results, in plan order
     */
    public SweepResult run(ExperimentSpec spec, List<Trial> trials) {
        long start = System.nanoTime();
        trialRunner.newSweep();
        String experimentName = spec.tracking().experiment() != null ? spec.tracking().experiment() : spec.name();
        // Every record of the sweep passes the redacting view: the spec's secret values never reach a store.
        try (Tracker tracker = RedactingTracker.wrap(trackers.open(spec.tracking(), options), spec.secrets());
                NDManager dataManager = NDManager.newBaseManager()) {
            String experimentId = tracker.experiment(experimentName);
            Map<String, String> parentTags = new LinkedHashMap<>();
            parentTags.put("genlab.sweep_hash", sweepHash(trials));
            parentTags.put("genlab.trials", Integer.toString(trials.size()));
            parentTags.put("mlflow.source.name", "genlab");
            if (spec.source() != null) {
                parentTags.put("genlab.spec", spec.source().toString());
            }
            parentTags.put("mlflow.note.content", "Sweep of " + trials.size() + " trial(s) from "
                    + (spec.source() == null ? "a spec" : spec.source().getFileName()));
            SweepLedger ledger = options.ledger() ? new SweepLedger(tracker, experimentId) : null;
            String parentId = ledger == null
                    ? tracker.startRun(experimentId, spec.name() + " sweep", null, parentTags)
                    : ledger.parent(sweepHash(trials), spec.name() + " sweep", parentTags);
            List<Trial> mine = options.shard() == null ? trials : options.shard().select(trials);
            if (options.shard() != null) {
                LOG.info("shard {}: {} of the sweep's {} trial(s)", options.shard(), mine.size(), trials.size());
            }
            Map<DatasetSpec, LoadedData> datasets = new ConcurrentHashMap<>();
            List<TrialResult> results = ParallelTrials.run(options.parallel(), mine, cancellation, (i, trial) -> {
                TrialRunner.Context ctx = new TrialRunner.Context(tracker, experimentId, parentId, i + 1,
                        mine.size(), null);
                if (ledger != null) {
                    SweepLedger.Decision decision = ledger.decide(trial);
                    if (decision instanceof SweepLedger.Skip skip) {
                        LOG.info("[trial {}/{}] {} already FINISHED (run {}): skipped", i + 1, mine.size(),
                                trial.runName(), skip.run().runId());
                        return SweepLedger.fromRecord(trial, skip.run());
                    }
                    if (decision instanceof SweepLedger.Resume resume) {
                        ctx = new TrialRunner.Context(tracker, experimentId, parentId, i + 1, mine.size(),
                                resume.runId());
                    }
                }
                LoadedData data;
                try {
                    data = datasets.computeIfAbsent(trial.dataset(), ds -> load(ds, spec.seed(), dataManager));
                } catch (RuntimeException e) {
                    return failedBeforeStart(ctx, trial, "dataset '" + trial.dataset().name()
                            + "' failed to load: " + TrainingLoop.describe(e));
                }
                String trialSpec = specWriter.toYaml(planner.trialSpec(spec, trial));
                return trialRunner.run(ctx, trial, trialSpec, data);
            });
            if (ledger != null && !cancellation.requested()) {
                Optional<SweepResult> whole = finishShared(tracker, ledger, trials, parentId, results, experimentName,
                        start, spec.tracking());
                if (whole.isEmpty()) {
                    return new SweepResult(experimentName, parentId, results, (System.nanoTime() - start) / 1e9);
                }
                return whole.get();
            }
            SweepResult result = summarise(tracker, new SweepResult(experimentName, parentId, results,
                    (System.nanoTime() - start) / 1e9), spec.tracking());
            tracker.endRun(parentId, cancellation.requested() ? RunStatus.KILLED
                    : result.failures() == 0 ? RunStatus.FINISHED : RunStatus.FAILED);
            return result;
        }
    }

    /**
     * Ends a sweep that several processes (shards, or a resumed run) share: the process that finds every
     * trial of the plan ended logs the sweep-level summary over all of them and ends the parent. Each
     * process first flushes its own records, so the last one to look sees everything the others did.
     *
     * @return the whole sweep's result, or empty if trials of other processes are still going
     */
    private Optional<SweepResult> finishShared(Tracker tracker, SweepLedger ledger, List<Trial> plan, String parentId,
            List<TrialResult> mine, String experimentName, long start, TrackingSpec tracking) {
        tracker.flush();
        Map<String, TrialResult> known = new HashMap<>();
        mine.forEach(r -> known.put(r.trial().hash(), r));
        Optional<List<TrialResult>> all = ledger.complete(plan, known);
        if (all.isEmpty()) {
            LOG.info("this process's {} trial(s) are done; other trials of the sweep are still running elsewhere, "
                    + "so the last process to finish will summarise the sweep", mine.size());
            return Optional.empty();
        }
        SweepResult result = summarise(tracker, new SweepResult(experimentName, parentId, all.get(),
                (System.nanoTime() - start) / 1e9), tracking);
        tracker.endRun(parentId, result.failures() == 0 ? RunStatus.FINISHED : RunStatus.FAILED);
        return Optional.of(result);
    }

    private LoadedData load(DatasetSpec ds, long seed, NDManager manager) {
        DatasetProvider provider = registry.dataset(ds.name())
                .orElseThrow(() -> new IllegalStateException("dataset '" + ds.name() + "' is not installed"));
        DatasetSetup setup = new DatasetSetup(new Params(ds.params()), manager, seed);
        return LoadedData.of(provider.load(setup), provider.loadHeldOut(setup).orElse(null));
    }

    private TrialResult failedBeforeStart(TrialRunner.Context ctx, Trial trial, String reason) {
        Tracker tracker = ctx.tracker();
        String runId = tracker.startRun(ctx.experimentId(), trial.runName(), ctx.parentRunId(),
                Map.of("genlab.trial_hash", trial.hash(), "genlab.failure", reason));
        tracker.endRun(runId, RunStatus.FAILED);
        LOG.error("trial {} failed: {}", trial.runName(), reason);
        return new TrialResult(trial, runId, RunStatus.FAILED, reason, Map.of(), Map.of(), 0);
    }

    /**
     * Logs the summary and the report to the sweep's parent run; returns the result with the report's local
     * path and, when tracking to a server, where each run is there (the runs are sent first, so that the
     * summary and the report can name them).
     */
    private SweepResult summarise(Tracker tracker, SweepResult result, TrackingSpec tracking) {
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
        tracker.logMetric(parentId, "sweep/trials_finished", result.trials().size() - result.failures(), 0);
        tracker.logMetric(parentId, "sweep/trials_failed", result.failures(), 0);
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
