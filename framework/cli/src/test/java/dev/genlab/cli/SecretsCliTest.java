package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.api.ParadigmProvider;
import dev.genlab.core.plugin.PluginJarBuilder;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genlab} in its own process, with a token in its environment that the spec reads through
 * {@code ${env:GENLAB_TEST_API_TOKEN}}: a third-party plugin gets the token, and neither anything the process
 * prints (results, progress, errors, DEBUG logs with stack traces) nor any file of the run store holds it.
 */
class SecretsCliTest {

    private static final String TOKEN = "tok-cli-5b1e2f9d0a7c";
    private static final String REF = "${env:GENLAB_TEST_API_TOKEN}";
    private static final Map<String, String> ENV = Map.of("GENLAB_TEST_API_TOKEN", TOKEN, "GENLAB_TEST_REGION",
            "eu-west-1");

    /** Needs the token from the spec to train; {@code fail} makes it refuse the token in an exception's message. */
    private static final String KEYED = """
            package org.example.keyed;

            import ai.djl.ndarray.NDArray;
            import ai.djl.ndarray.NDManager;
            import ai.djl.ndarray.types.Shape;
            import dev.genlab.api.*;
            import java.io.*;
            import java.util.Map;

            public final class KeyedProvider implements ParadigmProvider {
                public String name() { return "keyed"; }
                public String description() { return "third-party test paradigm behind an API token"; }
                public int apiVersion() { return GenlabApi.VERSION; }
                public ParamSchema parameters() {
                    return ParamSchema.builder()
                            .addDouble("lr", 0.1, 0.0, 1.0, "step size")
                            .addString("api_token", "", "the service's token")
                            .addString("endpoint", "", "the service")
                            .addBoolean("fail", false, "refuse the token")
                            .build();
                }
                public Paradigm create(ParadigmSetup setup) {
                    String token = setup.params().getString("api_token");
                    if (!token.equals(System.getenv("GENLAB_TEST_API_TOKEN"))) {
                        throw new IllegalStateException("the token did not arrive");
                    }
                    if (setup.params().getBoolean("fail")) {
                        throw new IllegalStateException(setup.params().getString("endpoint") + " refused " + token);
                    }
                    NDManager m = setup.manager().newSubManager();
                    int d = setup.shape().size();
                    double lr = setup.params().getDouble("lr");
                    return new Paradigm() {
                        NDArray mean = m.zeros(new Shape(d));
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

    @TempDir
    Path tmp;

    @Test
    void theTokenReachesThePluginButNotTheConsoleLogsOrStore() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        PluginJarBuilder.create(plugins, "keyed-1.0.jar")
                .source("org.example.keyed.KeyedProvider", KEYED)
                .service(ParadigmProvider.class, "org.example.keyed.KeyedProvider")
                .manifest("Implementation-Version", "1.0")
                .build();
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), """
                name: keyed
                dataset: {name: ring8, params: {n: 2000}}
                train: {steps: 20, batch_size: 64, log_every: 5}
                evaluate: {samples: 300, metrics: [modes, speed]}
                paradigms:
                  - name: k
                    plugin: keyed
                    params:
                      api_token: ${env:GENLAB_TEST_API_TOKEN}
                      endpoint: "https://${env:GENLAB_TEST_REGION}.example.org/?token=${env:GENLAB_TEST_API_TOKEN}"
                sweep:
                  parameters:
                    k.fail: [false, true]
                """);
        Path store = tmp.resolve("store");

        String run = genlab("run", spec.toString(), "--plugins-dir", plugins.toString(), "--store", store.toString(),
                "-v");
        assertTrue(run.startsWith("exit 1\n"), "one trial failed: " + run);
        assertFalse(run.contains(TOKEN), run);
        // What would have shown the token shows the reference: progress, the failure's log line and stack trace.
        assertTrue(run.contains("https://eu-west-1.example.org/?token=" + REF + " refused " + REF), run);
        assertTrue(run.contains("org.example.keyed.KeyedProvider.create("), "the stack trace is printed: " + run);
        assertTrue(run.contains("DEBUG SpecLoader") && run.contains("[GENLAB_TEST_API_TOKEN] are hidden"),
                "DEBUG logs were on: " + run);

        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(store)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        assertTrue(files.size() > 10, files.toString());
        byte[] secret = TOKEN.getBytes(StandardCharsets.UTF_8);
        for (Path f : files) {
            assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
                    .contains(new String(secret, StandardCharsets.ISO_8859_1)), "the token is in " + f);
        }
        List<RunRecord> runs = new LocalRunStore(store).readRuns("keyed");
        RunRecord ok = runs.stream().filter(r -> "0".equals(r.tags().get("genlab.trial_index"))).findFirst()
                .orElseThrow();
        assertEquals(RunStatus.FINISHED, ok.status(), "the plugin got the real token");
        assertEquals(REF, ok.params().get("api_token"));
        assertEquals("https://eu-west-1.example.org/?token=" + REF, ok.params().get("endpoint"));
    }

    @Test
    void aSpecErrorQuotingTheTokenShowsTheReference() throws Exception {
        Path spec = Files.writeString(tmp.resolve("bad.yaml"), """
                name: bad
                dataset: {name: ring8}
                train: {steps: "${env:GENLAB_TEST_API_TOKEN}"}
                paradigms: [gaussian]
                """);
        String out = genlab("validate", spec.toString());
        assertTrue(out.startsWith("exit 2\n"), out);
        assertTrue(out.contains("expected an integer, got '" + REF + "'"), out);
        assertFalse(out.contains(TOKEN), out);
    }

    /** @return {@code exit N}, a newline, then everything the child printed (stdout and stderr) */
    private String genlab(String... args) throws Exception {
        Path log = Files.createTempFile(tmp, "child", ".log");
        Process child = ChildJvm.start(log, ENV, args);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "genlab did not end:\n" + Files.readString(log));
        return "exit " + child.exitValue() + "\n" + Files.readString(log);
    }
}
