package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.tracking.mlflow.PythonMlflow;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code genlab ui}, {@code genlab run} with an MLflow tracking URI, and {@code genlab sync}, against a real
 * MLflow server, read back with MLflow's Python client. Mandatory under {@code CI=true}; skipped loudly
 * elsewhere when Python cannot install MLflow.
 */
class MlflowCliTest {

    static final Path REPO = CliEndToEndTest.REPO;

    @TempDir
    Path tmp;

    /** Reads an experiment back with MLflow's own Python client. */
    private static final String READ_BACK = """
            import json, sys
            import mlflow
            from mlflow.tracking import MlflowClient
            uri, name = sys.argv[1], sys.argv[2]
            mlflow.set_tracking_uri(uri)
            c = MlflowClient(uri)
            exp = c.get_experiment_by_name(name)
            runs = mlflow.search_runs([exp.experiment_id], output_format="list", order_by=["attributes.start_time ASC"])
            def files(run_id, path=None):
                out = []
                for f in c.list_artifacts(run_id, path):
                    out += files(run_id, f.path) if f.is_dir else [f.path]
                return out
            out = []
            for r in runs:
                out.append({"name": r.info.run_name, "id": r.info.run_id, "status": r.info.status,
                            "experiment_id": r.info.experiment_id,
                            "parent": r.data.tags.get("mlflow.parentRunId"), "params": r.data.params,
                            "tags": r.data.tags,
                            "history": {k: [[m.step, m.value] for m in c.get_metric_history(r.info.run_id, k)]
                                        for k in sorted(r.data.metrics)},
                            "artifacts": sorted(files(r.info.run_id)),
                            "inputs": [[i.dataset.name, {t.key: t.value for t in i.tags}.get("mlflow.data.context")]
                                       for i in c.get_run(r.info.run_id).inputs.dataset_inputs]})
            print(json.dumps(out))
            """;

    @Test
    void uiRunAndSyncPutEverySweepInMlflow() throws Exception {
        String python = venvPython();
        Path localOnly = tmp.resolve("local-only");
        Path spec = REPO.resolve("experiments/quickstart.yaml");

        // 1. A sweep recorded without any server.
        CliEndToEndTest.Outcome offline = CliEndToEndTest.genlab("run", spec.toString(), "train.steps=60",
                "name=cli-offline", "--store", localOnly.toString(), "--quiet");
        assertEquals(0, offline.code(), offline.err());

        // 2. genlab ui: starts a server, syncs the store into it, prints the URL.
        StringWriter uiOut = new StringWriter();
        StringWriter uiErr = new StringWriter();
        UiCommand ui = new UiCommand();
        int[] uiCode = {-1};
        Thread uiThread = new Thread(() -> uiCode[0] = new CommandLine(ui).setOut(new PrintWriter(uiOut, true))
                .setErr(new PrintWriter(uiErr, true)).setExecutionExceptionHandler(new ErrorHandler())
                .execute("--port", "0", "--store", localOnly.toString(), "--python", python), "genlab-ui-test");
        uiThread.start();
        String url = awaitUrl(uiOut, uiThread);
        assertNotNull(url, "genlab ui printed no URL:\n" + uiOut + uiErr);
        try {
            assertTrue(uiOut.toString().contains("3 run(s): 3 created"), uiOut.toString());

            // 3. A 2-trial sweep tracked live to the server (tracking.uri from the command line).
            Path store = tmp.resolve("journal");
            CliEndToEndTest.Outcome live = CliEndToEndTest.genlab("run", spec.toString(), "train.steps=60",
                    "name=cli-mlflow", "tracking.uri=" + url, "--store", store.toString(), "--quiet");
            assertEquals(0, live.code(), live.err());

            // 4. Syncing the offline store again sends nothing: it is all there.
            CliEndToEndTest.Outcome sync = CliEndToEndTest.genlab("sync", "--to", url, "--store", localOnly.toString());
            assertEquals(0, sync.code(), sync.err());
            assertTrue(sync.out().contains("3 run(s): 0 created, 0 params, 0 tags, 0 metric values, 0 artifacts sent"),
                    sync.out());

            JsonNode live2 = readBack(python, url, "cli-mlflow");
            Files.writeString(Path.of("target", "mlflow-cli-readback.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(live2));
            assertSweep(live2);
            assertPrintsMlflowIds(live, live2, url, store);
            assertSweep(readBack(python, url, "cli-offline"));
        } finally {
            ui.stop();
            uiThread.join(60_000);
        }
        assertEquals(0, uiCode[0], uiErr.toString());
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        assertFalse(listening(port), "genlab ui stopped its server");
    }

    @Test
    void uiWithoutPythonMlflowSaysHowToInstallIt() {
        CliEndToEndTest.Outcome o = CliEndToEndTest.genlab("ui", "--python", tmp.resolve("no-python").toString(),
                "--store", tmp.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("python3 -m pip install 'mlflow==" + PythonMlflow.TESTED_VERSION + "'"), o.err());
    }

    @Test
    void runWithABadTrackingUriFailsBeforeTraining() {
        Path store = tmp.resolve("runs");
        CliEndToEndTest.Outcome o = CliEndToEndTest.genlab("run", REPO.resolve("experiments/quickstart.yaml").toString(),
                "tracking.uri=file:///tmp/mlruns", "--store", store.toString(), "--quiet");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("is not an MLflow server"), o.err());
        assertFalse(Files.exists(store), "nothing was trained or recorded");
    }

    @Test
    void syncWithoutAServerSaysWhichVariableToSet() {
        CliEndToEndTest.Outcome o = CliEndToEndTest.genlab("sync", "--store", tmp.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("MLFLOW_TRACKING_URI") || o.err().contains("--to"), o.err());
    }

    /**
     * The end of {@code genlab run}'s output names the local report, the experiment's runs table in MLflow's
     * model-training view, and the sweep run by its local id and by MLflow's, with its page.
     */
    private static void assertPrintsMlflowIds(CliEndToEndTest.Outcome live, JsonNode runs, String url, Path store) {
        String parentId = runs.get(0).path("id").asText();
        String localId = runs.get(0).path("tags").path("genlab.local_run_id").asText();
        String experiment = runs.get(0).path("experiment_id").asText();
        List<String> lines = live.out().lines().toList();
        int n = lines.size();
        Path report = store.resolve("cli-mlflow/runs").resolve(localId).resolve("artifacts/report/report.html");
        assertEquals("report: " + report, lines.get(n - 3), live.out());
        assertTrue(Files.isRegularFile(report), report.toString());
        assertEquals("MLflow experiment: " + url + "/#/experiments/" + experiment + "/runs?workflowType=machine_learning",
                lines.get(n - 2), live.out());
        assertTrue(lines.get(n - 1).endsWith("sweep run " + localId + " (MLflow run " + parentId + ": " + url
                + "/#/experiments/" + experiment + "/runs/" + parentId + "?workflowType=machine_learning)"),
                live.out());
        for (int i = 1; i <= 2; i++) {
            assertFalse(runs.get(i).path("id").asText().equals(runs.get(i).path("tags").path("genlab.local_run_id")
                    .asText()), "MLflow's ids differ from the local ones");
        }
    }

    /** Parent run with two children, params, per-step histories, provenance tags and artifacts. */
    private static void assertSweep(JsonNode runs) {
        assertEquals(3, runs.size(), runs.toString());
        JsonNode parent = runs.get(0);
        assertTrue(parent.path("parent").isNull(), "the sweep run is top-level");
        // The summary, and the sweep report with its charts (how many depends on the metrics logged).
        List<String> files = strings(parent.path("artifacts"));
        assertTrue(files.containsAll(List.of("report/report.html", "report/report.md", "summary.json", "summary.md")),
                files.toString());
        assertTrue(files.stream().filter(f -> f.startsWith("report/plots/")).count() >= 5, files.toString());
        assertEquals(4, files.stream().filter(f -> !f.startsWith("report/plots/")).count(), files.toString());
        assertEquals("2", parent.path("tags").path("genlab.trials").asText());
        for (int i = 1; i <= 2; i++) {
            JsonNode child = runs.get(i);
            assertEquals(parent.path("id").asText(), child.path("parent").asText(), "mlflow.parentRunId");
            assertEquals("gaussian seed=" + (i - 1), child.path("name").asText());
            assertEquals("FINISHED", child.path("status").asText());
            assertEquals("60", child.path("params").path("steps").asText());
            assertEquals("0.05", child.path("params").path("lr").asText());
            assertEquals(Integer.toString(i - 1), child.path("tags").path("genlab.seed").asText());
            assertFalse(child.path("tags").path("genlab.trial_hash").asText().isEmpty());
            assertFalse(child.path("tags").path("mlflow.note.content").asText().isEmpty());
            assertEquals("genlab", child.path("tags").path("mlflow.source.name").asText());
            JsonNode nll = child.path("history").path("train/nll");
            assertTrue(nll.size() >= 6, "per-step losses: " + nll);
            List<Long> steps = new ArrayList<>();
            nll.forEach(p -> steps.add(p.get(0).asLong()));
            assertEquals(steps.stream().distinct().count(), steps.size(), "each step once");
            assertTrue(child.path("history").has(MetricKeys.eval("modes_covered")), child.path("history").toString());
            assertEquals("[[\"ring8\",\"training\"],[\"ring8-held-out\",\"evaluation\"]]",
                    child.path("inputs").toString(), "dataset inputs");
            List<String> artifacts = strings(child.path("artifacts"));
            assertEquals(List.of("losses.png", "metrics.json", "samples.csv", "samples.png", "spec.yaml"),
                    artifacts.stream().filter(f -> !f.startsWith("images/")).toList());
            assertEquals(2, artifacts.stream().filter(f -> f.startsWith("images/samples+step+60+")).count(),
                    "the samples plot and its thumbnail in MLflow's image layout: " + artifacts);
        }
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** @return the MLflow UI address `genlab ui` printed, or null if it stopped or took over 5 minutes */
    static String awaitUrl(StringWriter out, Thread ui) throws InterruptedException {
        Pattern p = Pattern.compile("MLflow UI: (http://127\\.0\\.0\\.1:\\d+)");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && ui.isAlive()) {
            Matcher m = p.matcher(out.toString());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(200);
        }
        return null;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonNode readBack(String python, String uri, String experiment) throws Exception {
        return readBack(python, READ_BACK, uri, experiment);
    }

    /**
     * Runs a Python read-back script against the MLflow server.
     *
     * @return the JSON it printed
     */
    static JsonNode readBack(String python, String script, String uri, String experiment) throws Exception {
        Path file = Files.writeString(Files.createTempFile("readback", ".py"), script);
        Process p = new ProcessBuilder(python, file.toString(), uri, experiment).start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "read-back failed: " + err);
        return new ObjectMapper().readTree(out);
    }

    /** The project's pinned MLflow, installed by scripts/mlflow-venv (or GENLAB_MLFLOW_PYTHON). */
    static String venvPython() throws Exception {
        String named = System.getenv(PythonMlflow.ENV_PYTHON);
        if (named != null && !named.isBlank()) {
            return named;
        }
        Path log = Files.createTempFile("mlflow-venv", ".log");
        Process p = new ProcessBuilder(REPO.resolve("scripts/mlflow-venv").toString()).redirectError(log.toFile())
                .start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            String why = "scripts/mlflow-venv failed: " + Files.readString(log).strip();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("MLflow tests are mandatory under CI=true: " + why);
            }
            System.err.println("\n*** SKIPPING MLflow CLI tests: " + why + "\n");
            Assumptions.abort(why);
        }
        String[] lines = out.split("\\R");
        return lines[lines.length - 1].strip();
    }
}
