package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.api.ParadigmProvider;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginJarBuilder;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The genlab command as a user types it, on real plugins, datasets, metrics and the local store. */
class CliEndToEndTest {

    static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** Output of one invocation. */
    record Outcome(int code, String out, String err) {}

    static Outcome genlab(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(code, out.toString(), err.toString());
    }

    /** Latest values of every metric of a run except wall-clock timings: what two equal runs share. */
    static Map<String, Double> finalNumbers(RunRecord r) {
        return r.latestMetrics().entrySet().stream()
                .filter(e -> !e.getKey().contains("second") && !e.getKey().endsWith("_ms"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    /** A third-party paradigm, compiled here against genlab-api only: an isotropic Gaussian fitted to the data. */
    private static final String CENTROID = """
            package org.example.centroid;

            import ai.djl.ndarray.NDArray;
            import ai.djl.ndarray.NDManager;
            import ai.djl.ndarray.types.Shape;
            import dev.genlab.api.*;
            import java.io.*;
            import java.util.Map;

            public final class CentroidProvider implements ParadigmProvider {
                public String name() { return "centroid"; }
                public String description() { return "third-party test paradigm"; }
                public int apiVersion() { return GenlabApi.VERSION; }
                public ParamSchema parameters() {
                    return ParamSchema.builder().addDouble("lr", 0.1, 0.0, 1.0, "step size").build();
                }
                public Paradigm create(ParadigmSetup setup) {
                    NDManager m = setup.manager().newSubManager();
                    int d = setup.shape().size();
                    double lr = setup.params().getDouble("lr");
                    return new Paradigm() {
                        NDArray mean = m.ones(new Shape(d)).mul(3); // start away from the data mean (the origin)
                        public StepResult trainStep(Batch b) {
                            NDArray diff = b.data().reshape(b.size(), d).sub(mean);
                            double loss = diff.square().sum(new int[] {1}).mean().getFloat();
                            NDArray next = mean.add(diff.mean(new int[] {0}).mul(lr));
                            next.attach(m);
                            mean.close();
                            mean = next;
                            return StepResult.of("loss", loss);
                        }
                        public Samples sample(SampleRequest r) {
                            return new Samples(m.randomNormal(new Shape(r.n(), d)).mul(0.1).add(mean), null, 1);
                        }
                        public Map<String, Long> parameterCounts() { return Map.of("mean", (long) d); }
                        public void save(OutputStream out) {}
                        public void load(InputStream in) {}
                        public void close() { m.close(); }
                    };
                }
            }
            """;

    @Test
    void aPluginJarBuiltFromSourcesIsLoadedFromAPluginsFolderAndTrainedFromYaml() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        PluginJarBuilder.create(plugins, "centroid-1.0.jar")
                .source("org.example.centroid.CentroidProvider", CENTROID)
                .service(ParadigmProvider.class, "org.example.centroid.CentroidProvider")
                .manifest("Implementation-Version", "1.0")
                .build();
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, """
                name: third-party
                dataset: {name: grid25, params: {n: 5000}}
                train: {steps: 60, batch_size: 128, log_every: 1}
                evaluate: {samples: 1000, metrics: [modes, speed]}
                paradigms:
                  - {name: c, plugin: centroid, params: {lr: 0.05}}
                """);
        Path store = tmp.resolve("runs");

        Outcome listed = genlab("plugins", "--plugins-dir", plugins.toString());
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().contains("centroid") && listed.out().contains("centroid-1.0.jar"), listed.out());

        Outcome run = genlab("run", spec.toString(), "--plugins-dir", plugins.toString(), "--store",
                store.toString(), "--quiet");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("modes_covered"), run.out());

        RunRecord child = new LocalRunStore(store).readRuns("third-party").stream()
                .filter(r -> r.parentRunId() != null).findFirst().orElseThrow();
        assertEquals(RunStatus.FINISHED, child.status());
        assertEquals("1.0", child.tags().get("genlab.plugin.version"));
        assertEquals(64, child.tags().get("genlab.plugin.sha256").length());
        // The mean starts at (3, 3) and moves to the data mean (the origin): the loss falls from ≈ 34 to ≈ 16.
        List<Double> loss = child.history("train/loss").stream().map(p -> p.value()).toList();
        assertEquals(60, loss.size());
        assertTrue(loss.get(0) > 28 && loss.get(59) < 20, loss.toString());
        assertTrue(child.latestValue(MetricKeys.eval("modes_covered")).isPresent());
    }

    @Test
    void quickstartRunsTheBaselineOnRing8WithTwoSeeds() throws Exception {
        Path store = tmp.resolve("runs");
        Outcome run = genlab("run", REPO.resolve("experiments/quickstart.yaml").toString(), "--store",
                store.toString(), "--quiet", "train.steps=60");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("gaussian") && run.out().contains("2/2"), run.out());
        List<RunRecord> runs = new LocalRunStore(store).readRuns("quickstart");
        assertEquals(3, runs.size()); // the sweep's parent and one child per seed
        assertEquals(2, runs.stream().filter(r -> r.parentRunId() != null && r.status() == RunStatus.FINISHED).count());
    }

    /** Each malformed spec in src/test/resources/specs/invalid, its one error's location and a fragment of it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown-key.yaml         | 4:3   | did you mean 'steps'?",
        "unknown-plugin.yaml      | 5:13  | unknown paradigm plugin 'gausian'",
        "out-of-range.yaml        | 7:11  | allowed: [1.0E-5, 10.0]",
        "duplicate-paradigm.yaml  | 5:12  | duplicate paradigm name 'g'",
        "type-mismatch.yaml       | 4:10  | expected an integer, got 'many'",
        "bad-choice.yaml          | 6:25  | allowed: adam, sgd",
        "bad-syntax.yaml          | 3:1   | invalid YAML",
        "missing-env.yaml         | 4:15  | GENLAB_TEST_SURELY_UNSET is not set",
        "bad-sweep-key.yaml       | 7:5   | unknown parameter of plugin 'gaussian'",
        "random-no-trials.yaml    | 6:11  | add trials: N",
        "unknown-dataset.yaml     | 2:17  | did you mean 'ring8'?",
        "unknown-metric.yaml      | 4:20  | did you mean 'speed'?",
        "log-uniform-zero.yaml    | 9:26  | lower bound must be > 0",
        "missing-name.yaml        | 1:1   | name: missing required key",
        "dataset-param-range.yaml | 5:10  | dataset.params.std: -1 is out of range",
        "variant-trains.yaml      | 7:29  | changes training, not sampling",
        "cross-param.yaml         | 6:13  | sample_steps (200) exceeds timesteps (100)",
        "billion-laughs.yaml      | 7:24  | more than 20 aliases (*name) of lists or mappings",
    })
    void everyMalformedSpecGivesOneLocatedErrorAndNoStackTrace(String file, String location, String fragment) {
        Path spec = REPO.resolve("framework/cli/src/test/resources/specs/invalid").resolve(file);
        Outcome v = genlab("validate", spec.toString());
        assertEquals(2, v.code(), v.err());
        assertTrue(v.err().startsWith("1 error(s) in spec:"), v.err());
        assertTrue(v.err().contains(spec + ":" + location + ": "), "location " + location + ": " + v.err());
        assertTrue(v.err().contains(fragment), v.err());
        assertFalse(v.err().contains("Exception") || v.err().contains("\tat "), v.err());
        assertEquals("", v.out());
    }

    @Test
    void everyMalformedSpecFileIsCovered() throws Exception {
        try (var files = Files.list(REPO.resolve("framework/cli/src/test/resources/specs/invalid"))) {
            assertEquals(18, files.count(), "add the new file to the table above");
        }
    }

    @Test
    void everySpecInExperimentsValidates() throws Exception {
        List<Path> specs;
        try (var files = Files.list(REPO.resolve("experiments"))) {
            specs = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(specs.isEmpty());
        // The study loads the vaegan paradigm from a plugins folder, as a third party's.
        Path plugins = VaeGanPluginTest.buildJar(tmp.resolve("plugins"));
        // flow-ring8 loads the flow paradigm from its folder plugin (its jar and the genlab-nn jar it bundles),
        // which the reactor's plugins/flow module packages before this module.
        Path flow = REPO.resolve("plugins/flow/target/plugin");
        assertTrue(Files.isDirectory(flow), "package plugins/flow first (mvn package -pl plugins/flow -am): " + flow);
        for (Path spec : specs) {
            Outcome v = genlab("validate", spec.toString(), "--plugins-dir", plugins.toString(),
                    "--plugins-dir", flow.toString());
            assertEquals(0, v.code(), spec + ": " + v.err());
        }
    }

    @Test
    void validatePrintsThePlanWithoutTraining() throws Exception {
        Path store = tmp.resolve("runs");
        Outcome v = genlab("validate", REPO.resolve("experiments/quickstart.yaml").toString(), "--store",
                store.toString(), "sweep.seeds=[0,1,2]");
        assertEquals(0, v.code(), v.err());
        assertTrue(v.out().contains("3 trial(s)"), v.out());
        assertFalse(Files.exists(store));
    }

    @Test
    void pluginsShowsASchema() {
        Outcome all = genlab("plugins");
        assertEquals(0, all.code(), all.err());
        for (String name : List.of("gaussian", "ring8", "grid25", "swissroll", "moons", "modes", "speed")) {
            assertTrue(all.out().contains(name), name + " missing: " + all.out());
        }
        Outcome one = genlab("plugins", "gaussian");
        assertTrue(one.out().contains("lr") && one.out().contains("default"), one.out());
        Outcome unknown = genlab("plugins", "gausian");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("installed:"), unknown.err());
    }
}
