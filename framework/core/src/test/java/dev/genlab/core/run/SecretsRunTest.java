package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.core.testing.MeanFitProvider;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sweep (DJL, ring8, checkpoints, the local store, the sweep report) whose spec takes a token from
 * {@code ${env:GENLAB_TEST_API_TOKEN}}: the plugin gets the token, and no byte of the run store holds it.
 */
class SecretsRunTest {

    private static final String TOKEN = "tok-3f9a1c77e2b4-do-not-store";
    private static final String REF = "${env:GENLAB_TEST_API_TOKEN}";
    private static final Map<String, String> ENV =
            Map.of("GENLAB_TEST_API_TOKEN", TOKEN, "GENLAB_TEST_REGION", "eu-west-1");

    private static final String SPEC = """
            name: secret-run
            seed: 3
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 20, batch_size: 64, log_every: 5, checkpoint_every: 10}
            evaluate: {samples: 300, metrics: [modes, speed]}
            paradigms:
              - name: fit
                plugin: keyfit
                params:
                  api_token: "${env:GENLAB_TEST_API_TOKEN}"
                  endpoint: "https://${env:GENLAB_TEST_REGION}.example.org/v1?key=${env:GENLAB_TEST_API_TOKEN}"
            sweep:
              parameters:
                fit.fail: [false, true]
            """;

    @TempDir
    Path tmp;

    /** meanfit with a token: it records the token it gets, and {@code fail} quotes it in an exception. */
    static final class KeyFitProvider implements ParadigmProvider {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        private final MeanFitProvider meanFit = new MeanFitProvider();

        @Override
        public String name() {
            return "keyfit";
        }

        @Override
        public String description() {
            return "test paradigm: meanfit behind an API token";
        }

        @Override
        public int apiVersion() {
            return GenlabApi.VERSION;
        }

        @Override
        public ParamSchema parameters() {
            return ParamSchema.builder()
                    .addDouble("lr", 0.2, 1e-6, 1.0, "step size")
                    .addDouble("std", 0.5, 1e-3, 10.0, "sampling standard deviation")
                    .addDouble("noise", 0.01, 0.0, 1.0, "noise added to each update")
                    .addInt("nan_at", 0, 0, 1_000_000, "report NaN at this step (0 = never)")
                    .addString("api_token", "", "a secret")
                    .addString("endpoint", "", "a URL that holds the secret")
                    .addBoolean("fail", false, "fail with a message that quotes the endpoint")
                    .build();
        }

        @Override
        public Paradigm create(ParadigmSetup setup) {
            tokens.add(setup.params().getString("api_token"));
            if (setup.params().getBoolean("fail")) {
                throw new IllegalStateException("cannot reach " + setup.params().getString("endpoint"));
            }
            return meanFit.create(setup);
        }
    }

    @Test
    void theTokenIsUsedForTheRunAndFoundNowhereInTheStore() throws Exception {
        PluginRegistry builtins = new PluginLoader().load(List.of());
        KeyFitProvider keyFit = new KeyFitProvider();
        Map<String, ParadigmProvider> paradigms = new LinkedHashMap<>();
        builtins.paradigms().forEach(p -> paradigms.put(p.name(), p));
        paradigms.put(keyFit.name(), keyFit);
        Map<String, dev.genlab.api.DatasetProvider> datasets = new LinkedHashMap<>();
        builtins.datasets().forEach(d -> datasets.put(d.name(), d));
        Map<String, dev.genlab.api.MetricProvider> metrics = new LinkedHashMap<>();
        builtins.metrics().forEach(m -> metrics.put(m.name(), m));
        PluginRegistry registry = new PluginRegistry(paradigms, datasets, metrics, Map.of());

        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, SPEC);
        ExperimentSpec spec = new SpecLoader(registry, ENV::get).load(specFile);
        List<Trial> trials = new SweepPlanner().plan(spec);
        Path store = tmp.resolve("runs");
        SweepResult result = LocalRunners.create(registry, new RunOptions(true, List.of(), store), Progress.SILENT,
                new Cancellation()).run(spec, trials);

        // The run used the real value.
        assertEquals(List.of(TOKEN, TOKEN), keyFit.tokens);
        assertEquals(RunStatus.FINISHED, result.trials().get(0).status(), result.trials().get(0).failure());
        assertEquals(RunStatus.FAILED, result.trials().get(1).status());

        // No file of the store holds it: journals, artifacts (spec.yaml, metrics.json, summaries, the sweep
        // report, images), checkpoints.
        byte[] secret = TOKEN.getBytes(StandardCharsets.UTF_8);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(store)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        List<String> names = files.stream().map(f -> String.valueOf(f.getFileName())).toList();
        for (String expected : List.of("journal.jsonl", "spec.yaml", "metrics.json", "summary.md", "state.bin")) {
            assertTrue(names.contains(expected), expected + " in " + names);
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("report")), names.toString());
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            assertFalse(contains(bytes, secret), "the token is in " + store.relativize(f));
            assertFalse(store.relativize(f).toString().contains(TOKEN), f.toString());
        }

        // Params and tags show the reference; the other variable's value is there as usual.
        List<RunRecord> runs = new LocalRunStore(store).readRuns("secret-run");
        RunRecord ok = run(runs, result.trials().get(0).runId());
        assertEquals(REF, ok.params().get("api_token"));
        assertEquals("https://eu-west-1.example.org/v1?key=" + REF, ok.params().get("endpoint"));
        RunRecord failed = run(runs, result.trials().get(1).runId());
        assertTrue(failed.tags().get("genlab.failure").contains("cannot reach https://eu-west-1.example.org/v1?key="
                + REF), failed.tags().toString());
        for (RunRecord r : runs) {
            assertFalse(r.params().toString().contains(TOKEN) || r.tags().toString().contains(TOKEN)
                    || String.valueOf(r.name()).contains(TOKEN), r.toString());
        }

        // The stored spec.yaml re-runs the trial: with the variable set it plans to the same trial hash.
        Path stored = ok.directory().resolve("artifacts").resolve("spec.yaml");
        assertTrue(Files.readString(stored).contains(REF), Files.readString(stored));
        ExperimentSpec again = new SpecLoader(registry, ENV::get).load(stored);
        assertEquals(ok.tags().get("genlab.trial_hash"), new SweepPlanner().plan(again).get(0).hash());
        assertEquals(TOKEN, again.paradigms().get(0).params().get("api_token"));
    }

    private static RunRecord run(List<RunRecord> runs, String id) {
        return runs.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static boolean contains(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = 0; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
