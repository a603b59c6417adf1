package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.ImageLayout;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real sweeps (DJL arrays, real datasets and metrics, the local store) through the runner. */
class SweepRunnerTest {

    private static PluginRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadPlugins() {
        registry = new PluginLoader().load(List.of());
    }

    private Path spec(String yaml) throws IOException {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private SweepResult run(Path specFile, Path store, String... overrides) throws Exception {
        ExperimentSpec spec = new SpecLoader(registry, name -> null).load(specFile, List.of(overrides));
        List<Trial> trials = new SweepPlanner().plan(spec);
        RunOptions options = new RunOptions(true, List.of(), store);
        return LocalRunners.create(registry, options, Progress.SILENT, new Cancellation()).run(spec, trials);
    }

    private static final String BASE = """
            name: runner-test
            seed: 3
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 40, batch_size: 64, log_every: 5}
            evaluate: {samples: 500, metrics: [modes, speed, stability]}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2}}
            """;

    @Test
    void nanLossFailsThatTrialAndTheSweepGoesOn() throws Exception {
        Path store = tmp.resolve("runs");
        SweepResult result = run(spec(BASE + """
                sweep:
                  parameters:
                    fit.nan_at: [7, 0]
                """), store);

        assertEquals(2, result.trials().size());
        TrialResult failed = result.trials().get(0);
        TrialResult ok = result.trials().get(1);
        assertEquals(RunStatus.FAILED, failed.status());
        assertTrue(failed.failure().contains("diverged at step 7"), failed.failure());
        assertTrue(failed.failure().contains("loss"), failed.failure());
        assertEquals(RunStatus.FINISHED, ok.status());
        assertTrue(ok.metrics().containsKey("modes_covered"), ok.metrics().toString());
        assertEquals(1, result.failures());

        List<RunRecord> runs = new LocalRunStore(store).readRuns("runner-test");
        RunRecord failedRun = runs.stream().filter(r -> r.id().equals(failed.runId())).findFirst().orElseThrow();
        assertEquals(RunStatus.FAILED, failedRun.status());
        assertTrue(failedRun.tags().get("genlab.failure").contains("step 7"));
        // Nothing already logged is lost: steps 5 and the diverging step 7 are in the journal.
        List<Long> steps = failedRun.metrics().get("train/loss").stream().map(MetricPoint::step).toList();
        assertEquals(List.of(5L, 7L), steps);
        assertTrue(Double.isNaN(failedRun.metrics().get("train/loss").get(1).value()));
    }

    @Test
    void childRunsHangUnderOneParentWithTagsParamsAndArtifacts() throws Exception {
        Path store = tmp.resolve("runs");
        SweepResult result = run(spec(BASE + "sweep: {seeds: [0, 1]}\ntracking: {system_metrics: true}\n"), store);

        List<RunRecord> runs = new LocalRunStore(store).readRuns("runner-test");
        assertEquals(3, runs.size());
        RunRecord parent = runs.stream().filter(r -> r.id().equals(result.parentRunId())).findFirst().orElseThrow();
        assertEquals(RunStatus.FINISHED, parent.status());
        List<RunRecord> children = runs.stream().filter(r -> result.parentRunId().equals(r.parentRunId())).toList();
        assertEquals(2, children.size());
        for (RunRecord child : children) {
            assertEquals(RunStatus.FINISHED, child.status());
            assertEquals("meanfit", child.tags().get("genlab.plugin"));
            assertEquals(64, child.tags().get("genlab.dataset.hash").length());
            // One name per meaning in every paradigm; the spec's name of the paradigm is a tag.
            assertEquals("0.2", child.params().get("lr"));
            assertEquals("meanfit", child.params().get("paradigm"));
            assertEquals("fit", child.tags().get("genlab.paradigm_name"));
            assertEquals("40", child.params().get("steps"));
            assertEquals("64", child.params().get("batch_size"));
            assertEquals("ring8", child.params().get("dataset"));
            assertEquals("2000", child.params().get("dataset.n"));
            // The data it trained on, as an MLflow dataset input: the content hash is its digest.
            assertEquals(List.of(DatasetInput.TRAINING, DatasetInput.EVALUATION),
                    child.inputs().stream().map(DatasetInput::context).toList());
            assertEquals("ring8-held-out", child.inputs().get(1).name());
            assertTrue(child.inputs().get(1).profile().contains("\"features_shape\":[1000,2]"),
                    "evaluation reads the first evaluate.heldout examples: " + child.inputs().get(1));
            DatasetInput input = child.inputs().get(0);
            assertEquals("ring8", input.name());
            assertEquals(DatasetInput.TRAINING, input.context());
            assertEquals(child.tags().get("genlab.dataset.hash").substring(0, 16), input.digest());
            assertTrue(input.schema().contains("\"shape\": [-1, 2]") || input.schema().contains("[-1,2]"),
                    input.schema());
            assertTrue(input.profile().contains("\"features_shape\":[2000,2]"), input.profile());
            // The samples plot at the last step, in MLflow's image layout.
            assertEquals("True", child.tags().get(ImageLayout.TAG));
            List<String> images = child.artifacts().stream().map(a -> a.path())
                    .filter(p -> p.startsWith(ImageLayout.DIR + "/")).sorted().toList();
            assertEquals(2, images.size(), images.toString());
            assertTrue(images.get(0).matches("images/samples\\+step\\+40\\+timestamp\\+\\d+\\+[0-9a-f-]{36}"
                    + "\\+compressed\\.png"), images.get(0));
            assertEquals(images.get(0).replace("+compressed", ""), images.get(1));
            java.awt.image.BufferedImage thumb = ImageIO.read(child.directory().resolve("artifacts")
                    .resolve(images.get(0)).toFile());
            assertEquals(ImageLayout.THUMBNAIL, Math.max(thumb.getWidth(), thumb.getHeight()));
            assertEquals(8, child.metrics().get("train/loss").size()); // 40 steps, every 5th
            // System metrics at the same steps: this JVM's resident memory and heap, CPU within 0-100 %.
            for (String key : List.of(SystemMetrics.RSS, SystemMetrics.HEAP)) {
                List<MetricPoint> points = child.metrics().get(key);
                assertEquals(child.metrics().get("train/loss").stream().map(MetricPoint::step).toList(),
                        points.stream().map(MetricPoint::step).toList(), key);
                assertTrue(points.stream().allMatch(p -> p.value() > 1), key + " " + points);
            }
            assertTrue(child.metrics().get(SystemMetrics.PROCESS_CPU).stream()
                    .allMatch(p -> p.value() >= 0 && p.value() <= 100));
            Path artifacts = child.directory().resolve("artifacts");
            for (String name : List.of("spec.yaml", "samples.png", "losses.png", "metrics.json")) {
                assertTrue(Files.size(artifacts.resolve(name)) > 0, name);
            }
            assertTrue(ImageIO.read(artifacts.resolve("samples.png").toFile()).getWidth() > 100);
            // The resolved spec re-runs exactly this trial: it plans to the same trial hash.
            ExperimentSpec again = new SpecLoader(registry, n -> null).load(artifacts.resolve("spec.yaml"), List.of());
            List<Trial> replan = new SweepPlanner().plan(again);
            assertEquals(1, replan.size());
            assertEquals(child.tags().get("genlab.trial_hash"), replan.get(0).hash());
        }
        // The parent: the params both trials share (not the seed), and mean/std of each final metric.
        assertEquals("0.2", parent.params().get("lr"));
        assertEquals("40", parent.params().get("steps"));
        assertFalse(parent.params().containsKey("seed"), parent.params().toString());
        double[] modes = children.stream().mapToDouble(c -> c.latestValue(MetricKeys.eval("modes_covered")).orElseThrow())
                .toArray();
        double mean = (modes[0] + modes[1]) / 2;
        assertEquals(mean, parent.latestValue("summary/modes_covered/fit_mean").orElseThrow(), 1e-12);
        assertEquals(Math.abs(modes[0] - modes[1]) / Math.sqrt(2),
                parent.latestValue("summary/modes_covered/fit_std").orElseThrow(), 1e-12);
        assertEquals("runner-test", parent.tags().get("genlab.spec_name"));
        assertTrue(parent.tags().containsKey("genlab.version") && parent.tags().containsKey("mlflow.user"));
        Path parentArtifacts = parent.directory().resolve("artifacts");
        assertTrue(Files.readString(parentArtifacts.resolve("summary.md")).contains("| fit |"));
        assertTrue(Files.readString(parentArtifacts.resolve("summary.json")).contains("\"modes_covered\""));
    }

    @Test
    void heldOutLikelihoodDiagnosticsFiguresAndVariantsAreRecorded() throws Exception {
        Path store = tmp.resolve("runs");
        SweepResult result = run(spec(BASE.replace("metrics: [modes, speed, stability]}",
                "metrics: [modes, prdc, speed, stability, likelihood], heldout: 300}")
                .replace("params: {lr: 0.2}}", "params: {lr: 0.2, std: 0.5},\n"
                        + "                 variants: {wide: {std: 2.0}, tight: {std: 0.02}}}")), store);

        TrialResult trial = result.trials().get(0);
        assertEquals(RunStatus.FINISHED, trial.status(), trial.failure());
        Map<String, Double> m = trial.metrics();
        // Independent check: the exact Gaussian NLL of the first 300 fresh ring8 draws (the dataset's
        // held-out split), around the fitted mean the paradigm reports as a diagnostic.
        double[] mean = {m.get("mean_0"), m.get("mean_1")};
        double std = 0.5;
        float[] held = heldOutRing8(300);
        double squared = 0;
        for (int i = 0; i < 300; i++) {
            for (int d = 0; d < 2; d++) {
                double e = held[2 * i + d] - mean[d];
                squared += e * e;
            }
        }
        double expected = 0.5 * Math.log(2 * Math.PI * std * std) + squared / 600 / (2 * std * std);
        assertEquals(expected, m.get("nll_nats_per_dim"), 1e-4);
        assertEquals(expected / Math.log(2), m.get("nll_bits_per_dim"), 1e-4);
        assertEquals(2 * expected, m.get("nll_nats"), 2e-4);
        // Variants sample the same weights differently: the fitted mean sits near the ring's centre, so a
        // tight std stays there (no real point has a sample among its neighbours) and a wide one reaches it.
        assertTrue(m.containsKey("wide/recall") && m.containsKey("tight/recall"), m.toString());
        assertTrue(m.get("wide/recall") > m.get("tight/recall") + 0.1, m.toString());
        assertFalse(m.containsKey("wide/loss_std"), "training-side metrics are not repeated per variant");
        assertFalse(m.containsKey("wide/nll_nats_per_dim"));

        List<RunRecord> all = new LocalRunStore(store).readRuns("runner-test");
        RunRecord run = all.stream().filter(r -> r.id().equals(trial.runId())).findFirst().orElseThrow();
        assertFalse(run.metrics().containsKey(MetricKeys.eval("wide", "modes_covered")), "a variant is a run of its own");
        assertTrue(run.metrics().containsKey(MetricKeys.diagnostic("mean_0")));
        // Each variant: a FINISHED child of the trial, its overrides as params, its metrics under the usual keys.
        Map<String, RunRecord> variants = all.stream().filter(r -> run.id().equals(r.parentRunId()))
                .collect(Collectors.toMap(r -> r.tags().get("genlab.variant"), r -> r));
        assertEquals(java.util.Set.of("wide", "tight"), variants.keySet());
        RunRecord wide = variants.get("wide");
        assertEquals(RunStatus.FINISHED, wide.status());
        assertEquals("2.0", wide.params().get("std"));
        assertEquals("0.02", variants.get("tight").params().get("std"));
        assertEquals("0.5", run.params().get("std"));
        assertEquals("wide", wide.params().get("variant"));
        assertEquals("0.2", wide.params().get("lr"));
        assertEquals(m.get("wide/recall"), wide.latestValue(MetricKeys.eval("recall")).orElseThrow());
        assertEquals(m.get("wide/modes_covered"), wide.latestValue(MetricKeys.eval("modes_covered")).orElseThrow());
        assertFalse(wide.tags().containsKey("genlab.trial_hash"), "resume must not take a variant for its trial");
        assertEquals("True", wide.tags().get(ImageLayout.TAG));
        // With held-out data, the evaluation set is an input too.
        assertEquals(List.of(DatasetInput.TRAINING, DatasetInput.EVALUATION),
                run.inputs().stream().map(DatasetInput::context).toList());
        assertEquals(run.inputs(), wide.inputs());
        Path artifacts = run.directory().resolve("artifacts");
        for (String name : List.of("samples_wide.png", "samples_tight.png", "walk.png")) {
            assertTrue(ImageIO.read(artifacts.resolve(name).toFile()).getWidth() > 100, name);
        }
        String table = new SweepSummary().table(result);
        assertTrue(table.contains("fit [wide]") && table.contains("fit [tight]"), table);
        String markdown = new SweepSummary().markdown(result);
        assertFalse(markdown.contains("wide/"), "variant metrics are rows, not columns: " + markdown);
        String json = Files.readString(artifacts.resolve("metrics.json"));
        assertTrue(json.contains("\"variants\"") && json.contains("\"std\" : 2.0"), json);
    }

    private static float[] heldOutRing8(int n) {
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            dev.genlab.api.DatasetProvider ring8 = registry.dataset("ring8").orElseThrow();
            Map<String, Object> params = new java.util.LinkedHashMap<>();
            ring8.parameters().params().forEach(p -> params.put(p.name(), p.defaultValue()));
            params.put("n", 2000L);
            dev.genlab.api.Dataset held = ring8.loadHeldOut(new dev.genlab.api.DatasetSetup(
                    new dev.genlab.api.Params(params), manager, 3)).orElseThrow();
            return java.util.Arrays.copyOf(held.data().toFloatArray(), 2 * n);
        }
    }

    @Test
    void aFixedSeedReproducesBitForBitAndAnotherSeedDoesNot() throws Exception {
        Path specFile = spec(BASE);
        SweepResult a = run(specFile, tmp.resolve("a"));
        SweepResult b = run(specFile, tmp.resolve("b"));
        SweepResult c = run(specFile, tmp.resolve("c"), "sweep.seeds=[4]");

        Map<String, List<Double>> lossA = losses(tmp.resolve("a"), a);
        Map<String, List<Double>> lossB = losses(tmp.resolve("b"), b);
        assertEquals(lossA, lossB);
        assertEquals(deterministic(a.trials().get(0).metrics()), deterministic(b.trials().get(0).metrics()));
        assertFalse(lossA.isEmpty());
        assertNotEquals(lossA, losses(tmp.resolve("c"), c));
    }

    private static Map<String, List<Double>> losses(Path store, SweepResult result) {
        RunRecord run = new LocalRunStore(store).readRuns("runner-test").stream()
                .filter(r -> r.id().equals(result.trials().get(0).runId())).findFirst().orElseThrow();
        return run.metrics().entrySet().stream().filter(e -> e.getKey().startsWith("train/"))
                .collect(Collectors.toMap(Map.Entry::getKey,
                        e -> e.getValue().stream().map(MetricPoint::value).toList()));
    }

    // Timing metrics legitimately differ between runs; everything else must be identical.
    private static Map<String, Double> deterministic(Map<String, Double> metrics) {
        return metrics.entrySet().stream()
                .filter(e -> !e.getKey().contains("per_second") && !e.getKey().contains("_ms"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
