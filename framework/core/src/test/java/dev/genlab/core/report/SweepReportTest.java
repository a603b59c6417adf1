package dev.genlab.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.run.Cancellation;
import dev.genlab.core.run.LocalRunners;
import dev.genlab.core.run.Progress;
import dev.genlab.core.run.RunOptions;
import dev.genlab.core.run.SweepResult;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.ArtifactRecord;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real tiny sweep (the meanfit test paradigm on ring8: two learning rates × two seeds, plus a
 * configuration whose trials fail) and checks the report the sweep writes and the one read back.
 */
class SweepReportTest {

    private static final String SPEC = """
            name: report-test
            seed: 1
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 30, batch_size: 64, log_every: 5}
            evaluate: {samples: 400, metrics: [modes, speed, stability]}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2, std: 0.5}, variants: {wide: {std: 2.0}}}
              - {name: broken, plugin: meanfit, params: {nan_at: 3}}
            sweep:
              seeds: [0, 1]
              parameters:
                fit.lr: [0.05, 0.3]
            """;

    private static PluginRegistry registry;
    private static Path store;
    private static SweepResult result;

    @TempDir
    static Path tmp;

    @TempDir
    Path out;

    @BeforeAll
    static void runSweep() throws Exception {
        registry = new PluginLoader().load(List.of());
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, SPEC);
        store = tmp.resolve("runs");
        ExperimentSpec spec = new SpecLoader(registry, name -> null).load(specFile, List.of());
        RunOptions options = new RunOptions(true, List.of(), store);
        result = LocalRunners.create(registry, options, Progress.SILENT, new Cancellation())
                .run(spec, new SweepPlanner().plan(spec));
    }

    private static SweepReport report() {
        return new SweepReport(new ReportCharts());
    }

    @Test
    void theSweepLogsItsReportToItsParentRun() throws Exception {
        RunRecord parent = new LocalRunStore(store).readRun(result.parentRunId()).orElseThrow();
        Set<String> paths = parent.artifacts().stream().map(ArtifactRecord::path).collect(Collectors.toSet());
        assertTrue(paths.contains("report/report.html"), paths.toString());
        assertTrue(paths.contains("report/report.md"), paths.toString());
        assertTrue(paths.stream().anyMatch(p -> p.startsWith("report/plots/") && p.endsWith(".png")), paths.toString());
        ArtifactRecord html = parent.artifacts().stream().filter(a -> a.path().equals("report/report.html"))
                .findFirst().orElseThrow();
        ReportPages.assertValidPage(parent.artifactFile(html));
        // Written before the sweep run ended: the wall time comes from its trials.
        ArtifactRecord md = parent.artifacts().stream().filter(a -> a.path().equals("report/report.md"))
                .findFirst().orElseThrow();
        assertTrue(Files.readString(parent.artifactFile(md)).contains(", wall time "), "no wall time");
    }

    @Test
    void theHtmlIsWellFormedAndEveryImageDecodesAsPng() throws Exception {
        Path stale = Files.createDirectories(out.resolve("plots")).resolve("chart-of-an-earlier-report.png");
        Files.write(stale, new byte[] {1});
        SweepReport.Written files = report().write(new ReportLoader().load(new LocalRunStore(store), "report-test"), out);
        assertTrue(Files.notExists(stale), "a stale chart was left in plots/");
        List<BufferedImage> images = ReportPages.assertValidPage(files.html());
        // trade-offs (2) + bars + sensitivity (fit: lr) + losses + samples (2 fit configs; broken has none)
        assertTrue(images.size() >= 8, "only " + images.size() + " images");
        assertEquals(files.images().size(), images.size());
        for (Path png : files.images()) {
            assertNotNull(ImageIO.read(png.toFile()), png.toString());
        }
        String md = Files.readString(files.markdown());
        for (Path png : files.images()) {
            assertTrue(md.contains("](plots/" + png.getFileName() + ")"), png.toString());
        }
        assertTrue(files.images().stream().anyMatch(p -> p.getFileName().toString().startsWith("sensitivity-fit-lr-")),
                files.images().toString());
        // Each run is listed with its status, and a failed one with the reason recorded by the runner.
        List<String> failedRows = md.lines().filter(l -> l.startsWith("| broken seed=")).toList();
        assertEquals(2, failedRows.size(), md);
        failedRows.forEach(row -> assertTrue(row.contains("| FAILED |") && row.contains("NaN"), row));
    }

    @Test
    void theBrowserCheckFailsOnABrokenImageAndOnBadMarkup() throws Exception {
        SweepReport.Written files = report().write(new ReportLoader().load(new LocalRunStore(store), "report-test"), out);
        String page = Files.readString(files.html());
        int images = files.images().size();
        ReportPages.assertOpensInBrowser(files.html(), images);

        // One image's bytes replaced by bytes that are no PNG: the browser cannot decode it.
        String prefix = "data:image/png;base64,";
        int start = page.indexOf(prefix) + prefix.length();
        String corrupt = page.substring(0, start) + "AAAAAAAAAAAAAAAA" + page.substring(page.indexOf('"', start));
        Path broken = Files.writeString(out.resolve("broken-image.html"), corrupt);
        assertThrows(AssertionError.class, () -> ReportPages.assertOpensInBrowser(broken, images));

        // An unclosed table (what a broken template typically produces): the parser must report the repair.
        Path badMarkup = Files.writeString(out.resolve("bad-markup.html"), page.replaceFirst("</table>", ""));
        assertThrows(AssertionError.class, () -> ReportPages.assertOpensInBrowser(badMarkup, images));
    }

    @Test
    void theTableHoldsMeanAndStdOverSeedsPerConfiguration() {
        LocalRunStore runs = new LocalRunStore(store);
        ReportData data = new ReportLoader().load(runs, "report-test");
        List<String> configs = data.groups().stream().map(ConfigGroup::config).toList();
        assertEquals(List.of("fit lr=0.05", "fit lr=0.05 [wide]", "fit lr=0.3", "fit lr=0.3 [wide]", "broken"),
                configs);
        assertEquals(6, data.trials().size());
        assertEquals(List.of("lr"), data.axes().get("fit"));

        String table = report().table(data);
        // Recompute one cell from the journals: modes_covered of lr=0.3 over its two seeds.
        List<Double> values = new ArrayList<>();
        for (RunRecord r : runs.readRuns("report-test")) {
            if ("0.3".equals(r.params().get("fit.lr")) && r.status() == RunStatus.FINISHED) {
                values.add(r.latestValue(MetricKeys.eval("high_quality_pct")).orElseThrow());
            }
        }
        assertEquals(2, values.size());
        Stat expected = Stat.of(values);
        String row = table.lines().filter(l -> l.startsWith("| fit lr=0.3 |")).findFirst().orElseThrow();
        assertTrue(row.startsWith("| fit lr=0.3 | 2/2 |"), row);
        assertTrue(row.contains(" " + expected.format() + " |"), row + " lacks " + expected.format());
        // The variant's row: the same runs' eval/wide/ metrics (not the trial's own: the row is recomputed
        // from the eval/wide/ journals; which is larger at 400 samples is down to one or two samples).
        List<Double> wide = new ArrayList<>();
        for (RunRecord r : runs.readRuns("report-test")) {
            if ("0.3".equals(r.params().get("fit.lr")) && r.status() == RunStatus.FINISHED) {
                wide.add(r.latestValue(MetricKeys.eval("wide", "high_quality_pct")).orElseThrow());
            }
        }
        String wideRow = table.lines().filter(l -> l.startsWith("| fit lr=0.3 [wide] |")).findFirst().orElseThrow();
        assertTrue(wideRow.contains(" " + Stat.of(wide).format() + " |"), wideRow + " lacks " + Stat.of(wide).format());
        String broken = table.lines().filter(l -> l.startsWith("| broken |")).findFirst().orElseThrow();
        assertTrue(broken.startsWith("| broken | 0/2 | - |"), broken);
    }

    @Test
    void aTrialRunIdSelectsItsSweepAndUnknownNamesListTheExperiments() {
        LocalRunStore runs = new LocalRunStore(store);
        String trialId = result.trials().get(0).runId();
        ReportData byTrial = new ReportLoader().load(runs, trialId);
        assertEquals(result.parentRunId(), byTrial.sweepRunId());
        assertEquals(result.trials().size(), byTrial.trials().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReportLoader().load(runs, "no-such-experiment"));
        assertTrue(e.getMessage().contains("report-test"), e.getMessage());
    }

    @Test
    void aSweepThatHasJustStartedDoesNotHideTheLastFinishedOne() {
        Path copy = tmp.resolve("started");
        try (LocalRunStore runs = new LocalRunStore(copy)) {
            String exp = runs.experiment("report-test");
            String old = runs.startRun(exp, "old sweep", null, Map.of());
            String trial = runs.startRun(exp, "fit seed=0", old, Map.of("genlab.paradigm", "fit"));
            runs.logMetric(trial, "eval/modes_covered", 3, 10);
            runs.endRun(trial, RunStatus.FINISHED);
            runs.endRun(old, RunStatus.FINISHED);
            String started = runs.startRun(exp, "new sweep", null, Map.of());
            runs.startRun(exp, "fit seed=0", started, Map.of("genlab.paradigm", "fit"));
            assertEquals(old, new ReportLoader().load(runs, "report-test").sweepRunId());
            assertEquals(started, new ReportLoader().load(runs, started).sweepRunId());
        }
    }

    @Test
    void statsUseTheSampleStandardDeviationAndSkipNonFiniteValues() {
        Stat s = Stat.of(java.util.Arrays.asList(1.0, 3.0, Double.NaN, null));
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(Math.sqrt(2.0), s.std(), 1e-12);
        assertEquals(2, s.n());
        assertEquals(null, Stat.of(List.of(Double.NaN)));
        assertEquals("2 ± 1.41", s.format());
    }
}
