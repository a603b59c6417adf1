package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.report.Plots;
import dev.genlab.core.report.ReportCharts;
import dev.genlab.core.report.ReportLoader;
import dev.genlab.core.report.ReportPages;
import dev.genlab.core.report.SweepReport;
import dev.genlab.core.report.SweepReporter;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.spec.SpecWriter;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.RunSummary;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code genlab run} prints and records about where a sweep's runs are: the local report's path, and,
 * when a tracker sends the runs to a server, the server's run ids and UI links next to the local ids (in
 * the final line, {@code summary.json} and the report). The server is stood in for by a tracker that
 * records locally and names a made-up MLflow run for every run.
 */
class SweepLinksTest {

    private static final String SPEC = """
            name: links-test
            seed: 2
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 20, batch_size: 64, log_every: 5}
            evaluate: {samples: 300, metrics: [modes, speed]}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2}}
            sweep: {seeds: [0, 1]}
            """;

    private static PluginRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadPlugins() {
        registry = new PluginLoader().load(List.of());
    }

    /** The local store, plus a made-up MLflow run ({@code ml-<local id>}) for every run. */
    static final class LinkingTracker implements Tracker {
        static final String SERVER = "http://mlflow.test:5000";
        final LocalRunStore local;

        LinkingTracker(LocalRunStore local) {
            this.local = local;
        }

        static RemoteLink link(String localId) {
            return new RemoteLink("ml-" + localId, SERVER + "/#/experiments/9/runs/ml-" + localId
                    + "?workflowType=machine_learning", SERVER + "/#/experiments/9/runs?workflowType=machine_learning");
        }

        @Override
        public Optional<RemoteLink> remoteLink(String runId) {
            return Optional.of(link(runId));
        }

        @Override
        public String experiment(String name) {
            return local.experiment(name);
        }

        @Override
        public String startRun(String experimentId, String runName, String parentRunId, Map<String, String> tags) {
            return local.startRun(experimentId, runName, parentRunId, tags);
        }

        @Override
        public String continueRun(String runId, String experimentId, String runName, String parentRunId,
                Map<String, String> tags) {
            return local.continueRun(runId, experimentId, runName, parentRunId, tags);
        }

        @Override
        public List<RunSummary> runsTagged(String experimentId, String tagKey, String tagValue) {
            return local.runsTagged(experimentId, tagKey, tagValue);
        }

        @Override
        public Optional<Path> runDirectory(String runId) {
            return local.runDirectory(runId);
        }

        @Override
        public void logParams(String runId, Map<String, String> params) {
            local.logParams(runId, params);
        }

        @Override
        public void setTags(String runId, Map<String, String> tags) {
            local.setTags(runId, tags);
        }

        @Override
        public void logMetrics(String runId, List<MetricPoint> points) {
            local.logMetrics(runId, points);
        }

        @Override
        public void logArtifact(String runId, Path file, String artifactDir) {
            local.logArtifact(runId, file, artifactDir);
        }

        @Override
        public void endRun(String runId, RunStatus status) {
            local.endRun(runId, status);
        }

        @Override
        public void flush() {
            local.flush();
        }

        @Override
        public void close() {
            local.close();
        }
    }

    private SweepResult run(Path store, boolean remote) throws Exception {
        Path specFile = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
        ExperimentSpec spec = new SpecLoader(registry, name -> null).load(specFile, List.of());
        RunOptions options = new RunOptions(true, List.of(), store);
        TrackerFactory trackers = (tracking, opts) -> remote ? new LinkingTracker(new LocalRunStore(opts.runStore()))
                : new LocalRunStore(opts.runStore());
        SweepRunner runner = new SweepRunner(registry, trackers, options, new Plots(), new Provenance(),
                Progress.SILENT, new SweepSummary(), new SweepPlanner(), new SpecWriter(), new Cancellation(),
                new SweepReporter(new ReportLoader(), new SweepReport(new ReportCharts())));
        return runner.run(spec, new SweepPlanner().plan(spec));
    }

    @Test
    void theFinalLinesNameTheLocalReportAndTheServersRunIdsAndLinks() throws Exception {
        Path store = tmp.resolve("runs");
        SweepResult result = run(store, true);
        String parent = result.parentRunId();
        RemoteLink sweep = LinkingTracker.link(parent);

        Path report = store.resolve("links-test").resolve("runs").resolve(parent).resolve("artifacts")
                .resolve("report").resolve("report.html");
        assertEquals(report, result.report());
        assertTrue(Files.isRegularFile(report));

        List<String> lines = new SweepSummary().table(result).lines().toList();
        int n = lines.size();
        assertEquals("report: " + report, lines.get(n - 3));
        assertEquals("MLflow experiment: " + sweep.experimentUrl(), lines.get(n - 2));
        assertTrue(lines.get(n - 1).startsWith("2 trial(s), 0 failed, "), lines.get(n - 1));
        assertTrue(lines.get(n - 1).endsWith("experiment 'links-test', sweep run " + parent + " (MLflow run ml-"
                + parent + ": " + sweep.runUrl() + ")"), "the local id and MLflow's: " + lines.get(n - 1));

        // summary.json (logged to the sweep run) names each trial's MLflow run next to its local one.
        Path artifacts = store.resolve("links-test").resolve("runs").resolve(parent).resolve("artifacts");
        JsonNode json = new ObjectMapper().readTree(artifacts.resolve("summary.json").toFile());
        assertEquals("ml-" + parent, json.path("parent_mlflow_run_id").asText());
        assertEquals(sweep.experimentUrl(), json.path("mlflow_experiment_url").asText());
        assertEquals(2, json.path("trials").size());
        for (JsonNode t : json.path("trials")) {
            assertEquals("ml-" + t.path("run_id").asText(), t.path("mlflow_run_id").asText(), t.toString());
            assertEquals(LinkingTracker.link(t.path("run_id").asText()).runUrl(), t.path("mlflow_url").asText());
        }

        // The report: the sweep's MLflow run in its summary line, and each trial's MLflow run linked.
        String md = Files.readString(artifacts.resolve("report").resolve("report.md"));
        assertTrue(md.contains("; sweep run " + parent + " (MLflow run ml-" + parent + ")"), md);
        assertTrue(md.contains("In MLflow: [the sweep run](" + sweep.runUrl() + "), [the experiment's runs]("
                + sweep.experimentUrl() + ")"), md);
        assertTrue(md.contains("| run | status | seconds | run id | MLflow run | failure |"), md);
        String html = Files.readString(report);
        for (TrialResult t : result.trials()) {
            RemoteLink l = LinkingTracker.link(t.runId());
            assertTrue(md.contains(" | " + t.runId() + " | [" + l.runId() + "](" + l.runUrl() + ") | "), md);
            assertTrue(html.contains("<td>" + t.runId() + "</td><td><a href=\"" + l.runUrl()
                    + "\" target=\"_blank\" rel=\"noopener\">" + l.runId() + "</a></td>"), "html links " + l.runId());
        }
        ReportPages.assertValidPage(report);
    }

    @Test
    void aReportUnderTheWorkingDirectoryIsPrintedRelativeToIt() {
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(Path.of("genlab-runs", "q", "report.html"),
                SweepSummary.shown(cwd.resolve("genlab-runs/q/report.html")));
        assertEquals(Path.of("genlab-runs", "q", "report.html"), SweepSummary.shown(Path.of("genlab-runs/q/report.html")));
        assertEquals(tmp.resolve("r.html").toAbsolutePath(), SweepSummary.shown(tmp.resolve("r.html")));
    }

    @Test
    void aLocalOnlySweepPrintsItsReportAndNoServer() throws Exception {
        Path store = tmp.resolve("local");
        SweepResult result = run(store, false);
        assertTrue(result.links().isEmpty());
        List<String> lines = new SweepSummary().table(result).lines().toList();
        int n = lines.size();
        assertEquals("report: " + result.report(), lines.get(n - 2));
        assertTrue(Files.isRegularFile(result.report()));
        assertTrue(lines.get(n - 1).endsWith("sweep run " + result.parentRunId()), lines.get(n - 1));
        String all = String.join("\n", lines);
        assertFalse(all.contains("MLflow"), all);
        Path artifacts = store.resolve("links-test").resolve("runs").resolve(result.parentRunId()).resolve("artifacts");
        assertFalse(Files.readString(artifacts.resolve("report").resolve("report.md")).contains("MLflow"));
        assertFalse(Files.readString(artifacts.resolve("summary.json")).contains("mlflow"));
    }
}
