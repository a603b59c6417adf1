package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.genlab.cli.CliEndToEndTest.Outcome;
import dev.genlab.core.metrics.MetricKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a researcher sees in MLflow after a multi-paradigm sweep, read back from a real server with MLflow's
 * Python client, for a sweep recorded offline and sent by {@code genlab sync}. Dataset inputs on every trial, the samples in MLflow's image layout, one {@code lr}
 * column across paradigms, evaluation variants as child rows with their overrides, and a sweep run with
 * the shared params and per-configuration aggregates.
 */
class MlflowReadBackTest {

    /** Distinct steps with a sample image each trial run has: one periodic evaluation and the final one. */
    static final int IMAGE_STEPS = 2;

    private static final int STEPS = 30;
    private static final String SPEC = """
            name: readback
            seed: 0
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: %d, batch_size: 64, log_every: 10, eval_every: 15}
            evaluate: {samples: 300, heldout: 200, metrics: [modes, speed]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.05}}
              - name: diffusion
                plugin: diffusion
                params: {lr: 0.002, sampler: ddim, sample_steps: 10}
                variants:
                  dpm20: {sampler: dpm_solver, sample_steps: 20, spacing: logsnr}
            sweep:
              seeds: [0, 1]
            """.formatted(STEPS);

    @TempDir
    Path tmp;

    @Test
    void aSyncedSweepReadsBackAsAResearcherNeedsIt() throws Exception {
        String python = MlflowCliTest.venvPython();
        Path spec = Files.writeString(tmp.resolve("readback.yaml"), SPEC);
        String script = new String(MlflowReadBackTest.class.getResourceAsStream("mlflow_readback.py").readAllBytes(),
                StandardCharsets.UTF_8);

        // Recorded offline, then sent by genlab sync: the path that replays every record from the journal.
        // (The live writer sends the same records; MlflowCliTest reads a live sweep back.)
        Path offline = tmp.resolve("offline");
        Outcome recorded = CliEndToEndTest.genlab("run", spec.toString(), "--store", offline.toString(), "--quiet");
        assertEquals(0, recorded.code(), recorded.err());

        StringWriter uiOut = new StringWriter();
        StringWriter uiErr = new StringWriter();
        UiCommand ui = new UiCommand();
        Thread uiThread = new Thread(() -> new CommandLine(ui).setOut(new PrintWriter(uiOut, true))
                .setErr(new PrintWriter(uiErr, true)).setExecutionExceptionHandler(new ErrorHandler())
                .execute("--port", "0", "--store", tmp.resolve("ui").toString(), "--python", python),
                "genlab-ui-readback");
        uiThread.start();
        String url = MlflowCliTest.awaitUrl(uiOut, uiThread);
        assertNotNull(url, "genlab ui printed no URL:\n" + uiOut + uiErr);
        try {
            Outcome sync = CliEndToEndTest.genlab("sync", "--to", url, "--store", offline.toString());
            assertEquals(0, sync.code(), sync.err());
            JsonNode back = MlflowCliTest.readBack(python, script, url, "readback");
            JsonNode runs = back.path("runs");
            // The experiment's description says what it compares.
            assertEquals("genlab experiment 'readback': gaussian, diffusion on ring8, " + STEPS
                    + " steps at batch 64; spec readback.yaml",
                    back.path("experiment_tags").path("mlflow.note.content").asText(), back.path("experiment_tags")
                            .toString());
            Files.writeString(Path.of("target", "mlflow-readback.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(runs));
            assertSweep("readback", runs);
        } finally {
            ui.stop();
            uiThread.join(60_000);
        }
    }

    private static void assertSweep(String experiment, JsonNode runs) {
        List<JsonNode> all = new ArrayList<>();
        runs.forEach(all::add);
        JsonNode parent = all.stream().filter(r -> r.path("parent").isNull()).findFirst().orElseThrow();
        List<JsonNode> trials = all.stream().filter(r -> parent.path("id").asText().equals(r.path("parent").asText()))
                .toList();
        assertEquals(4, trials.size(), experiment + ": 2 paradigms x 2 seeds");
        for (JsonNode t : trials) {
            String what = experiment + " " + t.path("name").asText();
            assertEquals("FINISHED", t.path("status").asText(), what);
            // One lr column: every paradigm logs its learning rate as `lr`, nothing under the spec's names.
            assertTrue(t.path("params").has("lr"), what + ": " + t.path("params"));
            assertEquals(t.path("tags").path("genlab.paradigm_name").asText(), t.path("tags").path("genlab.paradigm")
                    .asText(), what);
            for (Iterator<String> keys = t.path("params").fieldNames(); keys.hasNext();) {
                String key = keys.next();
                assertFalse(key.startsWith("gaussian.") || key.startsWith("diffusion."),
                        what + " has a paradigm-prefixed param " + key);
            }
            assertEquals(Integer.toString(STEPS), t.path("params").path("steps").asText(), what);
            // Dataset inputs: the training set and the held-out set evaluated against.
            JsonNode inputs = t.path("inputs");
            assertEquals(2, inputs.size(), what + ": " + inputs);
            assertEquals("ring8", inputs.get(0).path("name").asText(), what);
            assertEquals("training", inputs.get(0).path("context").asText(), what);
            assertEquals(t.path("tags").path("genlab.dataset.hash").asText().substring(0, 16),
                    inputs.get(0).path("digest").asText(), what);
            assertTrue(inputs.get(0).path("schema").asText().contains("mlflow_tensorspec"), what);
            assertEquals("evaluation", inputs.get(1).path("context").asText(), what);
            // The samples, at each evaluation step, as MLflow's image grid reads them.
            JsonNode samples = t.path("images").path("samples");
            assertFalse(t.path("images").has("unparsed"), what + ": " + t.path("images"));
            assertEquals(IMAGE_STEPS, samples.size(), what + ": " + t.path("images"));
            // An evaluation metric is a curve: the periodic evaluation at step 15 and the final one.
            assertEquals(2, t.path("steps").path(MetricKeys.eval("modes_covered")).asInt(), what + ": " + t.path("steps"));
            assertTrue(samples.has(Integer.toString(STEPS)), what + ": the final samples at step " + STEPS);
            samples.forEach(step -> {
                assertTrue(step.path("full").asLong() > 0, what + ": " + step);
                assertEquals(256, step.path("thumbnail").asInt(), what + ": " + step);
            });
        }
        assertEquals(2, trials.stream().map(t -> t.path("params").path("paradigm").asText()).distinct().count());

        // Variants: one child row per diffusion trial, its overrides as params, its metrics under the trial's keys.
        List<JsonNode> variants = all.stream().filter(r -> r.path("tags").has("genlab.variant")).toList();
        assertEquals(2, variants.size(), experiment);
        for (JsonNode v : variants) {
            JsonNode trial = trials.stream().filter(t -> t.path("id").asText().equals(v.path("parent").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("a variant hangs under its trial: " + v));
            assertEquals("dpm20", v.path("params").path("variant").asText());
            assertEquals("dpm_solver", v.path("params").path("sampler").asText());
            assertEquals("20", v.path("params").path("sample_steps").asText());
            assertEquals("logsnr", v.path("params").path("spacing").asText());
            assertEquals("ddim", trial.path("params").path("sampler").asText());
            assertEquals(trial.path("params").path("lr").asText(), v.path("params").path("lr").asText());
            assertTrue(v.path("metrics").has(MetricKeys.eval("modes_covered")), v.path("metrics").toString());
            assertFalse(trial.path("metrics").has(MetricKeys.eval("dpm20", "modes_covered")), "no variant keys on the trial");
            assertEquals(2, v.path("inputs").size());
        }

        // The sweep run: params all trials share, mean and std of each final metric per configuration.
        JsonNode pp = parent.path("params");
        assertEquals(Integer.toString(STEPS), pp.path("steps").asText(), pp.toString());
        assertEquals("ring8", pp.path("dataset").asText(), pp.toString());
        assertFalse(pp.has("lr") || pp.has("seed") || pp.has("paradigm"), "differs between trials: " + pp);
        assertEquals(experiment, parent.path("tags").path("genlab.spec_name").asText());
        assertTrue(parent.path("tags").has("genlab.version") && parent.path("tags").has("mlflow.user"));
        for (String config : List.of("gaussian", "diffusion", "diffusion dpm20")) {
            List<JsonNode> rows = config.endsWith("dpm20") ? variants
                    : trials.stream().filter(t -> config.equals(t.path("tags").path("genlab.paradigm").asText()))
                            .toList();
            double[] values = rows.stream().mapToDouble(r -> r.path("metrics").path(MetricKeys.eval("modes_covered")).asDouble())
                    .toArray();
            double mean = (values[0] + values[1]) / 2;
            double std = Math.abs(values[0] - values[1]) / Math.sqrt(2);
            JsonNode m = parent.path("metrics");
            assertEquals(mean, m.path("summary/modes_covered/" + config + "_mean").asDouble(Double.NaN), 1e-9,
                    experiment + " " + config + ": " + m);
            assertEquals(std, m.path("summary/modes_covered/" + config + "_std").asDouble(Double.NaN), 1e-9,
                    experiment + " " + config);
        }
    }
}
