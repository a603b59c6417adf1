package dev.genlab.core.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.genlab.api.DataShape;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.Params;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginOrigin;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.report.Plots;
import dev.genlab.core.report.SamplePoints;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.Tracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs one trial end to end: creates the paradigm, trains it, evaluates it, and records params, step
 * losses, metrics, tags and artifacts. A failure of any kind ends the trial's run FAILED with the reason
 * as a tag; it never propagates to the sweep.
 */
final class TrialRunner {

    private static final Logger LOG = LogManager.getLogger(TrialRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The tag holding the spec's name of the paradigm (the param {@code paradigm} is the plugin). */
    static final String PARADIGM_NAME_TAG = "genlab.paradigm_name";
    /** The tag of an evaluation variant's run: the variant's name. */
    static final String VARIANT_TAG = "genlab.variant";
    /** The tag of a pruned trial's run: why the sweep's early-stopping rule stopped it. */
    public static final String PRUNED_TAG = "genlab.pruned";
    /** The tag of a trial stopped before {@code train.steps}: the step it stopped at. */
    static final String STOPPED_TAG = "genlab.stopped_at_step";
    /** The image series of generated samples (MLflow's image grid chart). */
    static final String SAMPLES_IMAGE_KEY = "samples";
    private static final String SAMPLES_FILE = "samples.png";
    /** Param names the framework logs; a plugin parameter of one of these names gets its plugin's prefix. */
    private static final java.util.Set<String> FRAMEWORK_PARAMS = java.util.Set.of("paradigm", "seed", "steps",
            "batch_size", "dataset", "variant");

    private final PluginRegistry registry;
    private final Plots plots;
    private final Provenance provenance;
    private final Progress progress;
    private final Evaluator evaluator;
    private final EngineLock engine;
    private final Cancellation cancellation;
    private volatile boolean systemMetrics;
    private final TrialMonitor monitor;

    TrialRunner(PluginRegistry registry, Plots plots, Provenance provenance, Progress progress) {
        this(registry, plots, provenance, progress, new EngineLock(), new Cancellation());
    }

    TrialRunner(PluginRegistry registry, Plots plots, Provenance provenance, Progress progress, EngineLock engine,
            Cancellation cancellation) {
        this(registry, plots, provenance, progress, engine, cancellation, TrialMonitor.NONE);
    }

    /**
     * @param engine shared by the trials of this process that run at once
     * @param cancellation ends the trial KILLED between steps
     * @param monitor reads each periodic evaluation and may end training there
     */
    TrialRunner(PluginRegistry registry, Plots plots, Provenance provenance, Progress progress, EngineLock engine,
            Cancellation cancellation, TrialMonitor monitor) {
        this.registry = registry;
        this.plots = plots;
        this.provenance = provenance;
        this.progress = progress;
        this.evaluator = new Evaluator(registry);
        this.engine = engine;
        this.cancellation = cancellation;
        this.monitor = monitor;
    }

    /**
     * Starts a new sweep (resets what the evaluator reports once per sweep).
     *
     * @param systemMetrics whether trials log {@link SystemMetrics} at each log step
     */
    void newSweep(boolean systemMetrics) {
        evaluator.newSweep();
        this.systemMetrics = systemMetrics;
    }

    /**
     * Where a trial is recorded and how it sits in its sweep.
     *
     * @param resumeRunId an unfinished run of this trial to continue (from its checkpoint, if it has one),
     *     or null to start a new run
     * @param claimLost true once another process took over this trial's claim: the trial stops without
     *     writing anything more (see {@link ClaimLost})
     * @param claimTags tags describing the trial's claim, set on its run once it is started or continued
     * @param monitor the sweep's monitor of periodic evaluations (its early-stopping rule), or null for the
     *     runner's own
     */
    record Context(Tracker tracker, String experimentId, String parentRunId, int position, int total,
            String resumeRunId, BooleanSupplier claimLost, Map<String, String> claimTags, TrialMonitor monitor) {

        Context {
            claimLost = claimLost == null ? () -> false : claimLost;
            claimTags = claimTags == null ? Map.of() : Map.copyOf(claimTags);
        }

        Context(Tracker tracker, String experimentId, String parentRunId, int position, int total,
                String resumeRunId, BooleanSupplier claimLost, Map<String, String> claimTags) {
            this(tracker, experimentId, parentRunId, position, total, resumeRunId, claimLost, claimTags, null);
        }

        Context(Tracker tracker, String experimentId, String parentRunId, int position, int total,
                String resumeRunId) {
            this(tracker, experimentId, parentRunId, position, total, resumeRunId, null, null);
        }

        Context(Tracker tracker, String experimentId, String parentRunId, int position, int total) {
            this(tracker, experimentId, parentRunId, position, total, null);
        }
    }

    /**
     * @param trialSpec the one-trial spec (YAML) that re-runs exactly this trial, logged as {@code spec.yaml}
     */
    TrialResult run(Context ctx, Trial trial, String trialSpec, LoadedData data) {
        long start = System.nanoTime();
        progress.trialStarted(ctx.position(), ctx.total(), trial);
        Tracker tracker = ctx.tracker();
        String runId = ctx.resumeRunId() == null
                ? tracker.startRun(ctx.experimentId(), trial.runName(), ctx.parentRunId(), tags(trial, data))
                : resumeRun(ctx, trial, data);
        if (!ctx.claimTags().isEmpty()) {
            tracker.setTags(runId, ctx.claimTags());
        }
        TrialMonitor monitor = ctx.monitor() != null ? ctx.monitor() : this.monitor;
        monitor.started(trial, runId);
        tracker.logParams(runId, params(trial));
        tracker.logInputs(runId, RunInputs.of(trial, data));
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> finalLosses = new LinkedHashMap<>();
        RunStatus status = RunStatus.FINISHED;
        String failure = "";
        boolean pruned = false;
        Path work = null;
        try {
            work = Files.createTempDirectory("genlab-trial-");
            Files.writeString(work.resolve("spec.yaml"), trialSpec, StandardCharsets.UTF_8);
            tracker.logArtifact(runId, work.resolve("spec.yaml"), "");
            train(ctx, monitor, trial, data, runId, work, metrics, finalLosses);
        } catch (ClaimLost e) {
            // The run is another process's now: record nothing more, do not end it.
            LOG.warn("trial {}: {}", trial.runName(), e.getMessage());
            TrialResult lost = new TrialResult(trial, runId, RunStatus.KILLED, e.getMessage(), metrics, finalLosses,
                    (System.nanoTime() - start) / 1e9);
            progress.trialEnded(lost);
            return lost;
        } catch (TrialCancelled e) {
            status = RunStatus.KILLED;
            failure = e.getMessage();
        } catch (TrialPruned e) {
            // Not a failure: the sweep's rule judged it unpromising (see dev.genlab.core.prune).
            status = RunStatus.KILLED;
            failure = e.getMessage();
            pruned = true;
        } catch (TrialFailure e) {
            status = RunStatus.FAILED;
            failure = e.getMessage();
            LOG.debug("trial {} failed", trial.runName(), e);
        } catch (RuntimeException | LinkageError | IOException e) {
            // A plugin bug (or one built against another API) must not take the sweep down.
            status = RunStatus.FAILED;
            failure = TrainingLoop.describe(e);
            LOG.error("trial {} failed: {}", trial.runName(), failure, e);
        } finally {
            deleteQuietly(work);
        }
        if (status != RunStatus.FINISHED) {
            tracker.setTags(runId, Map.of(pruned ? PRUNED_TAG : "genlab.failure", failure));
        }
        tracker.endRun(runId, status);
        TrialResult result = new TrialResult(trial, runId, status, failure, metrics, finalLosses,
                (System.nanoTime() - start) / 1e9, pruned);
        progress.trialEnded(result);
        return result;
    }

    private void train(Context ctx, TrialMonitor monitor, Trial trial, LoadedData data, String runId, Path work,
            Map<String, Double> metrics, Map<String, Double> finalLosses) throws IOException {
        Tracker tracker = ctx.tracker();
        ParadigmProvider provider = registry.paradigm(trial.plugin())
                .orElseThrow(() -> new TrialFailure("paradigm plugin '" + trial.plugin() + "' is not installed"));
        PluginOrigin origin = registry.origin(provider);
        tracker.setTags(runId, Map.of(
                "genlab.plugin.version", origin.version(),
                "genlab.plugin.sha256", origin.sha256(),
                "genlab.plugin.source", origin.jar() == null ? "classpath" : origin.jar().toString()));

        try (NDManager manager = NDManager.newBaseManager()) {
            DataShape shape = data.dataset().shape();
            StateRandom hostRandom = new StateRandom(trial.seed());
            ParadigmSetup setup = new ParadigmSetup(new Params(trial.params()), shape, manager, Device.cpu(),
                    trial.seed(), hostRandom);
            Paradigm paradigm;
            try {
                // Weight init and every random op of the trial follow from the trial seed alone (bit for bit
                // on one machine): the engine generator is seeded for this section, see EngineLock.
                paradigm = engine.run(trial.seed(), -1, () -> provider.create(setup));
            } catch (IllegalArgumentException e) {
                throw new TrialFailure("cannot create '" + trial.plugin() + "': " + e.getMessage(), e);
            }
            try (paradigm) {
                Map<String, Long> counts = paradigm.parameterCounts();
                Checkpoints checkpoints = tracker.runDirectory(runId).map(Checkpoints::new).orElse(null);
                LoopState from = restore(checkpoints, trial, paradigm, hostRandom, tracker, runId);
                TrainingLoop loop = new TrainingLoop(progress, engine, cancellation, ctx.claimLost());
                TrainingOutcome outcome = loop.run(paradigm, data.host(), manager, trial.train(), trial.seed(), from,
                        new TrainingLoop.Listener() {
                            @Override
                            public void log(int step, Map<String, Double> losses) {
                                tracker.logMetrics(runId, stepPoints(losses, step));
                                if (systemMetrics) {
                                    tracker.logMetrics(runId, SystemMetrics.sample(step));
                                }
                            }

                            @Override
                            public boolean evaluate(int step) {
                                // Its own engine stream, from (seed, step) alone: training steps reseed
                                // theirs, so an evaluation neither shifts training nor depends on a resume.
                                Evaluation mid = engine.run(trial.seed(), periodicSection(step),
                                        () -> evaluator.evaluatePeriodic(paradigm, data, trial, counts, manager));
                                tracker.logMetrics(runId, evalPoints(mid, step));
                                logPeriodicSamples(tracker, runId, trial, shape, mid, step, work);
                                try {
                                    return monitor.evaluated(trial, step, mid.values()) == TrialMonitor.Decision.STOP;
                                } catch (TrialPruned e) {
                                    // No final evaluation: the last periodic values stand for the trial.
                                    metrics.putAll(mid.values());
                                    tracker.setTags(runId, Map.of(STOPPED_TAG, Integer.toString(step)));
                                    throw e;
                                }
                            }

                            @Override
                            public void checkpoint(LoopState state) {
                                if (checkpoints == null || ctx.claimLost().getAsBoolean()) {
                                    return; // a lost trial's checkpoint belongs to the new holder
                                }
                                try {
                                    checkpoints.write(trial.hash(), state, hostRandom, paradigm);
                                } catch (IOException e) {
                                    // A lost checkpoint costs only recomputation on resume: keep training.
                                    LOG.warn("trial {}: cannot write checkpoint at step {}: {}", trial.runName(),
                                            state.step(), e.toString());
                                }
                            }
                        });
                requireClaim(ctx, outcome.steps());
                if (outcome.steps() < trial.train().steps()) {
                    tracker.setTags(runId, Map.of(STOPPED_TAG, Integer.toString(outcome.steps())));
                }
                finalLosses.putAll(withHeadline(outcome.finalLosses()));
                Evaluation eval = engine.run(trial.seed(), -2, () -> evaluator.evaluateFinal(paradigm, data, trial,
                        outcome, counts, manager));
                metrics.putAll(eval.values());
                tracker.logMetrics(runId, evalPoints(eval, outcome.steps()));
                eval.variants().forEach((name, v) -> v.metrics().forEach((k, x) -> metrics.put(name + "/" + k, x)));
                requireClaim(ctx, outcome.steps());
                List<String> files = writeArtifacts(trial, shape, eval, outcome, work);
                for (String name : files) {
                    tracker.logArtifact(runId, work.resolve(name), "");
                }
                if (files.contains(SAMPLES_FILE)) {
                    tracker.logImage(runId, SAMPLES_IMAGE_KEY, outcome.steps(), work.resolve(SAMPLES_FILE));
                }
                for (Map.Entry<String, Evaluation.Variant> v : eval.variants().entrySet()) {
                    variantRun(ctx, trial, data, runId, v.getKey(), v.getValue(), outcome.steps(), work, files);
                }
            }
        }
    }

    /**
     * An evaluation variant as its own run, a child of the trial's: the trial's params with the variant's
     * overrides (plus {@code variant}), its metrics under the trial's keys, its samples as the same image
     * series, so variants are rows of the runs table that compare column by column with their trial.
     */
    private void variantRun(Context ctx, Trial trial, LoadedData data, String trialRunId, String name,
            Evaluation.Variant v, int step, Path work, List<String> files) {
        Tracker tracker = ctx.tracker();
        Map<String, Object> overrides = trial.variants().get(name);
        Map<String, String> tags = new LinkedHashMap<>(tags(trial, data));
        // Not the trial itself: resume and the sweep ledger find trials by these tags.
        tags.remove("genlab.trial_hash");
        tags.remove("genlab.trial_index");
        tags.put(VARIANT_TAG, name);
        tags.put("genlab.variant_of", trial.hash());
        tags.put("mlflow.note.content", "Evaluation variant '" + name + "' of " + trial.runName()
                + ": the same trained model sampled with " + overrides);
        String childId = tracker.startRun(ctx.experimentId(), trial.runName() + " [" + name + "]", trialRunId, tags);
        Map<String, String> params = params(trial);
        overrides.forEach((k, x) -> params.put(paramKey(trial, k), String.valueOf(x)));
        params.put("variant", name);
        tracker.logParams(childId, params);
        tracker.logInputs(childId, RunInputs.of(trial, data));
        long now = System.currentTimeMillis();
        tracker.logMetrics(childId, v.metrics().entrySet().stream()
                .map(e -> new MetricPoint(MetricKeys.eval(e.getKey()), e.getValue(), step, now)).toList());
        String file = variantSamplesFile(name);
        if (files.contains(file)) {
            tracker.logImage(childId, SAMPLES_IMAGE_KEY, step, work.resolve(file));
        }
        tracker.endRun(childId, RunStatus.FINISHED);
    }

    private static String variantSamplesFile(String variant) {
        return "samples_" + variant + ".png";
    }

    private static void requireClaim(Context ctx, int step) {
        if (ctx.claimLost().getAsBoolean()) {
            throw new ClaimLost(TrainingLoop.claimLostMessage(step));
        }
    }

    /** Continues an unfinished run of this trial (same run id, so MLflow gets no duplicate). */
    private String resumeRun(Context ctx, Trial trial, LoadedData data) {
        Tracker tracker = ctx.tracker();
        String runId = tracker.continueRun(ctx.resumeRunId(), ctx.experimentId(), trial.runName(), ctx.parentRunId(),
                tags(trial, data));
        tracker.setTags(runId, Map.of("genlab.resumed", "true"));
        return runId;
    }

    /**
     * Loads the run's checkpoint into the fresh paradigm and host generator.
     *
     * @return the loop state to continue from, or null to train from the start
     */
    private LoopState restore(Checkpoints checkpoints, Trial trial, Paradigm paradigm, StateRandom hostRandom,
            Tracker tracker, String runId) throws IOException {
        if (checkpoints == null) {
            return null;
        }
        java.util.Optional<Checkpoints.Saved> saved;
        try {
            saved = checkpoints.read(trial.hash());
        } catch (IOException e) {
            LOG.warn("trial {}: ignoring unreadable checkpoint ({}); training from the start", trial.runName(),
                    e.getMessage());
            return null;
        }
        if (saved.isEmpty()) {
            return null;
        }
        try {
            paradigm.load(new java.io.ByteArrayInputStream(saved.get().model()));
        } catch (IOException e) {
            throw new TrialFailure("cannot load the checkpoint " + checkpoints.file() + ": " + e.getMessage(), e);
        }
        hostRandom.restore(saved.get().hostRandom());
        int step = saved.get().loop().step();
        tracker.setTags(runId, Map.of("genlab.resumed_from_step", Integer.toString(step)));
        LOG.info("trial {}: resuming from the checkpoint at step {}", trial.runName(), step);
        return saved.get().loop();
    }

    /**
     * The engine section of the periodic evaluation after {@code step}: negative, so never a training
     * step's, and below -2 (creation -1, final evaluation -2).
     */
    static long periodicSection(int step) {
        return -2L - step;
    }

    /**
     * Logs the sample plot of a periodic evaluation as an image at its step ({@link Tracker#logImage}), so
     * MLflow's image grid can follow the samples over training with its step slider.
     */
    private void logPeriodicSamples(Tracker tracker, String runId, Trial trial, DataShape shape, Evaluation eval,
            int step, Path work) {
        try {
            Path dir = Files.createDirectories(work.resolve("samples"));
            Path png = dir.resolve(String.format(java.util.Locale.ROOT, "step_%07d.png", step));
            if (samplePlot(shape, eval.generated(), eval.reference(), png, trial.runName() + ": step " + step)) {
                tracker.logImage(runId, SAMPLES_IMAGE_KEY, step, png); // the image grid's step slider
            }
        } catch (IOException | UncheckedIOException e) {
            // A missing picture must not cost the trial.
            LOG.warn("trial {}: no sample plot at step {}: {}", trial.runName(), step, e.toString());
        }
    }

    /** @return the names of the files written into {@code work}, in logging order */
    private List<String> writeArtifacts(Trial trial, DataShape shape, Evaluation eval, TrainingOutcome outcome,
            Path work) throws IOException {
        List<String> files = new ArrayList<>();
        if (samplePlot(shape, eval.generated(), eval.reference(), work.resolve(SAMPLES_FILE),
                trial.runName() + ": generated vs real")) {
            files.add(SAMPLES_FILE);
        }
        samplePoints(shape, eval.generated(), eval.reference(), null, work).ifPresent(files::add);
        for (Map.Entry<String, Evaluation.Variant> v : eval.variants().entrySet()) {
            String file = variantSamplesFile(v.getKey());
            if (samplePlot(shape, v.getValue().generated(), eval.reference(), work.resolve(file),
                    trial.runName() + " [" + v.getKey() + "]: generated vs real")) {
                files.add(file);
            }
            samplePoints(shape, v.getValue().generated(), eval.reference(), v.getKey(), work).ifPresent(files::add);
        }
        for (Map.Entry<String, Evaluation.Figure> f : eval.figures().entrySet()) {
            String file = f.getKey() + ".png";
            if (figure(shape, f.getValue(), eval.reference(), work.resolve(file), trial.runName() + ": " + f.getKey())) {
                files.add(file);
            }
        }
        plots.lossCurves(outcome.history(), work.resolve("losses.png"), trial.runName() + ": training losses");
        files.add("losses.png");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("trial_hash", trial.hash());
        json.put("run_name", trial.runName());
        json.put("metrics", eval.values());
        if (!eval.variants().isEmpty()) {
            Map<String, Object> variants = new LinkedHashMap<>();
            eval.variants().forEach((name, v) -> variants.put(name, Map.of(
                    "overrides", trial.variants().get(name), "metrics", v.metrics())));
            json.put("variants", variants);
        }
        json.put("final_losses", outcome.finalLosses());
        json.put("steps", outcome.steps());
        json.put("step_seconds", outcome.stepSeconds());
        JSON.writeValue(work.resolve("metrics.json").toFile(), json);
        files.add("metrics.json");
        return files;
    }

    /** Generated vs real: a scatter for 2-D points, a grid of up to 64 for images; false for other shapes. */
    private boolean samplePlot(DataShape shape, float[] generated, float[] reference, Path png, String title) {
        if (shape.isPoints() && shape.size() == 2) {
            plots.scatter(toPoints(reference, 2), toPoints(generated, 2), png, title);
            return true;
        }
        if (shape.isImage()) {
            int n = Math.min(64, generated.length / shape.size());
            plots.imageGrid(unitScale(generated, reference), n, shape.dims().get(0), shape.dims().get(1),
                    shape.dims().get(2), png, 8);
            return true;
        }
        return false;
    }

    /** 2-D samples as points too, so the sweep report can redraw all runs on shared axes; else empty. */
    private static java.util.Optional<String> samplePoints(DataShape shape, float[] generated, float[] reference,
            String variant, Path work) {
        if (!(shape.isPoints() && shape.size() == 2)) {
            return java.util.Optional.empty();
        }
        String file = SamplePoints.fileName(variant);
        SamplePoints.write(toPoints(reference, 2), toPoints(generated, 2), work.resolve(file));
        return java.util.Optional.of(file);
    }

    /** A paradigm figure: a rows × cols image grid, or one path per row over the real points. */
    private boolean figure(DataShape shape, Evaluation.Figure f, float[] reference, Path png, String title) {
        int rows = Math.toIntExact(f.shape()[0]);
        int cols = Math.toIntExact(f.shape()[1]);
        long per = 1;
        for (int i = 2; i < f.shape().length; i++) {
            per *= f.shape()[i];
        }
        if (per != shape.size()) {
            LOG.warn("figure of shape {} does not hold examples of the data's shape {}; skipped",
                    java.util.Arrays.toString(f.shape()), shape.dims());
            return false;
        }
        if (shape.isImage()) {
            plots.imageGrid(unitScale(f.values(), reference), rows * cols, shape.dims().get(0), shape.dims().get(1),
                    shape.dims().get(2), png, cols);
            return true;
        }
        if (shape.isPoints() && shape.size() == 2) {
            float[][][] paths = new float[rows][cols][2];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int at = (r * cols + c) * 2;
                    paths[r][c][0] = f.values()[at];
                    paths[r][c][1] = f.values()[at + 1];
                }
            }
            plots.paths(toPoints(reference, 2), paths, png, title);
            return true;
        }
        return false;
    }

    private Map<String, String> tags(Trial trial, LoadedData data) {
        Map<String, String> tags = new LinkedHashMap<>(provenance.tags());
        tags.put("genlab.paradigm", trial.paradigm());
        tags.put(PARADIGM_NAME_TAG, trial.paradigm());
        tags.put("genlab.plugin", trial.plugin());
        tags.put("genlab.dataset", trial.dataset().name());
        tags.put("genlab.dataset.hash", data.contentHash());
        tags.put("genlab.seed", Long.toString(trial.seed()));
        tags.put("genlab.trial_hash", trial.hash());
        tags.put("genlab.trial_index", Integer.toString(trial.index()));
        tags.put("mlflow.source.name", "genlab");
        tags.put("mlflow.note.content", trial.plugin() + " on " + trial.dataset().name() + ", "
                + trial.train().steps() + " steps, batch " + trial.train().batchSize() + ", seed " + trial.seed()
                + (trial.swept().isEmpty() ? "" : ", swept " + trial.swept()));
        return tags;
    }

    /**
     * Params as MLflow shows them, named the same in every paradigm so that one column compares them (see
     * docs/mlflow.md, "Param names"): {@code paradigm} (the plugin), {@code seed}, the budget as
     * {@code steps} and {@code batch_size}, the data as {@code dataset} and {@code dataset.<param>},
     * {@code evaluate.samples}, and each plugin parameter under its own name ({@code lr}, {@code latent_dim},
     * ...). A plugin parameter whose name is one of those is logged as {@code <plugin>.<name>}. The spec's
     * name of the paradigm is the tag {@value #PARADIGM_NAME_TAG}.
     */
    static Map<String, String> params(Trial trial) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("paradigm", trial.plugin());
        p.put("seed", Long.toString(trial.seed()));
        p.put("steps", Integer.toString(trial.train().steps()));
        p.put("batch_size", Integer.toString(trial.train().batchSize()));
        p.put("dataset", trial.dataset().name());
        trial.dataset().params().forEach((k, v) -> p.put("dataset." + k, String.valueOf(v)));
        p.put("evaluate.samples", Integer.toString(trial.evaluate().samples()));
        trial.params().forEach((k, v) -> p.put(paramKey(trial, k), String.valueOf(v)));
        return p;
    }

    /** The logged name of a plugin parameter: its own, unless a framework param has it. */
    static String paramKey(Trial trial, String pluginParam) {
        boolean taken = FRAMEWORK_PARAMS.contains(pluginParam) || pluginParam.startsWith("dataset.")
                || pluginParam.startsWith("evaluate.");
        return taken ? trial.plugin() + "." + pluginParam : pluginParam;
    }

    /** A step's values under {@link MetricKeys#step}, with {@code train/loss} for the headline loss. */
    static List<MetricPoint> stepPoints(Map<String, Double> values, long step) {
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>(values.size() + 1);
        withHeadline(values).forEach((k, v) -> points.add(new MetricPoint(MetricKeys.step(k), v, step, now)));
        return points;
    }

    /**
     * @return the step values plus {@code loss}, a copy of the headline loss, when the paradigm reports
     *     none of that name: every paradigm then has {@code train/loss}
     */
    private static Map<String, Double> withHeadline(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>(values);
        MetricKeys.headlineLoss(values.keySet()).filter(h -> !h.equals("loss"))
                .ifPresent(h -> out.put("loss", values.get(h)));
        return out;
    }

    /** An evaluation's metrics, diagnostics and variants' metrics under their {@link MetricKeys}. */
    private static List<MetricPoint> evalPoints(Evaluation eval, long step) {
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>();
        eval.metrics().forEach((k, v) -> points.add(new MetricPoint(MetricKeys.eval(k), v, step, now)));
        eval.diagnostics().forEach((k, v) -> points.add(new MetricPoint(MetricKeys.diagnostic(k), v, step, now)));
        return points; // variants are runs of their own (variantRun)
    }

    /** Image grids take [0, 1]; data scaled to [-1, 1] (negative reference pixels) is mapped back. */
    private static float[] unitScale(float[] images, float[] reference) {
        float min = Float.POSITIVE_INFINITY;
        for (float v : reference) {
            min = Math.min(min, v);
        }
        if (min >= 0) {
            return images;
        }
        float[] out = new float[images.length];
        for (int i = 0; i < images.length; i++) {
            out[i] = (images[i] + 1f) / 2f;
        }
        return out;
    }

    private static float[][] toPoints(float[] flat, int dim) {
        float[][] pts = new float[flat.length / dim][dim];
        for (int i = 0; i < pts.length; i++) {
            System.arraycopy(flat, i * dim, pts[i], 0, dim);
        }
        return pts;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
