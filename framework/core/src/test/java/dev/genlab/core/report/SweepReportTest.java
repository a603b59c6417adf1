package dev.genlab.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Runs a real tiny sweep (the meanfit test paradigm on ring8: two learning rates × two seeds, a second
 * paradigm, and a configuration whose trials fail) and checks the report the sweep writes and the one read
 * back.
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
              - {name: other, plugin: meanfit, params: {lr: 0.2, std: 1.5}}
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
        // trade-offs + bars + sensitivity (fit: lr) + losses + samples (fit, its variant, other; broken has none)
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
        assertEquals(List.of("fit lr=0.05", "fit lr=0.05 [wide]", "fit lr=0.3", "fit lr=0.3 [wide]", "other",
                "broken"), configs);
        assertEquals(8, data.trials().size());
        assertEquals(List.of("lr"), data.axes().get("fit"));

        String table = report().table(data);
        // Recompute one cell from the journals: modes_covered of lr=0.3 over its two seeds.
        List<Double> values = new ArrayList<>();
        for (RunRecord r : runs.readRuns("report-test")) {
            if ("0.3".equals(r.params().get("lr")) && r.status() == RunStatus.FINISHED
                    && !r.tags().containsKey("genlab.variant")) {
                values.add(r.latestValue(MetricKeys.eval("high_quality_pct")).orElseThrow());
            }
        }
        assertEquals(2, values.size());
        Stat expected = Stat.of(values);
        String row = table.lines().filter(l -> l.startsWith("| fit lr=0.3 |")).findFirst().orElseThrow();
        assertTrue(row.startsWith("| fit lr=0.3 | 2/2 |"), row);
        assertTrue(row.contains(" " + expected.format() + " |"), row + " lacks " + expected.format());
        // The variant's row: the metrics of the trials' 'wide' child runs (not the trial's own: the row is
        // recomputed from those journals; which is larger at 400 samples is down to one or two samples).
        List<Double> wide = new ArrayList<>();
        for (RunRecord r : runs.readRuns("report-test")) {
            if ("0.3".equals(r.params().get("lr")) && "wide".equals(r.tags().get("genlab.variant"))) {
                assertEquals("2.0", r.params().get("std"), "the variant's override is its param");
                wide.add(r.latestValue(MetricKeys.eval("high_quality_pct")).orElseThrow());
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
    void theHeadlineTableComesFirstAndTheOtherMetricsAreFolded() throws Exception {
        ReportData data = new ReportLoader().load(new LocalRunStore(store), "report-test");
        // The spec evaluates modes, speed and stability: three headline columns, the rest folded.
        assertEquals(List.of(new ReportData.Column("modes", "modes_covered"),
                new ReportData.Column("HQ %", "high_quality_pct"),
                new ReportData.Column("samples/s", "samples_per_second")), data.headline());
        assertTrue(data.otherMetrics().containsAll(List.of("reverse_kl", "train_step_ms", "params_total")),
                data.otherMetrics().toString());
        assertEquals("| config | seeds ok | modes | HQ % | samples/s |", report().table(data).lines().findFirst()
                .orElseThrow());
        SweepReport.Written files = report().write(data, out);
        String html = Files.readString(files.html());
        int headline = html.indexOf("<table id=\"headline\">");
        int details = html.indexOf("<details><summary>All other metrics (" + data.otherMetrics().size() + ")");
        int others = html.indexOf("<table id=\"other-metrics\">");
        assertTrue(headline >= 0 && headline < details && details < others, "headline, then the folded rest");
        String headlineTable = html.substring(headline, html.indexOf("</table>", headline));
        assertFalse(headlineTable.contains("reverse_kl"), headlineTable);
        String md = Files.readString(files.markdown());
        assertTrue(md.contains("<details><summary>All other metrics"), md);
        assertTrue(md.indexOf("| config | seeds ok | modes |") < md.indexOf("| reverse_kl |"), md);
    }

    @Test
    void theTerminalSummaryShowsTheHeadlineWithinOneHundredColumns() {
        ReportData data = new ReportLoader().load(new LocalRunStore(store), "report-test");
        List<String> lines = report().summary(data).lines().toList();
        assertTrue(lines.get(0).matches("config +seeds +modes +HQ % +samples/s"), lines.get(0));
        Stat modes = data.groups().get(2).stat("modes_covered");
        assertTrue(lines.get(3).matches("fit lr=0\\.3 +2/2 +" + java.util.regex.Pattern.quote(modes.compact()) + " .*"),
                lines.get(3) + " lacks " + modes.compact());
        lines.forEach(l -> assertTrue(l.length() <= SweepReport.SUMMARY_WIDTH, l));

        // Every headline metric, with long means and stds: columns that do not fit are left out and counted.
        Map<String, Double> all = new java.util.LinkedHashMap<>();
        ReportData.HEADLINE.forEach(h -> all.put(h.keys().get(h.keys().size() - 1), 0.00444));
        List<ReportRun> runs = new ArrayList<>();
        for (int seed = 0; seed < 2; seed++) {
            Map<String, Double> m = new java.util.LinkedHashMap<>();
            int s = seed;
            all.forEach((k, v) -> m.put(k, v * (1 + s) * 1234.5678));
            runs.add(new ReportRun("r" + seed, "a-long-paradigm-name seed=" + seed, "a-long-paradigm-name", seed,
                    RunStatus.FINISHED, Map.of("lr", "0.000123"), m, Map.of(), null, null, 1, "", null));
        }
        ReportData wide = new ReportData("wide", null, 0, Map.of("a-long-paradigm-name", List.of("lr")), runs);
        String text = report().summary(wide);
        text.lines().forEach(l -> assertTrue(l.length() <= SweepReport.SUMMARY_WIDTH, l));
        assertTrue(text.contains("more headline column(s)"), text);
        assertTrue(text.lines().findFirst().orElseThrow().startsWith("config"), text);
    }

    @Test
    void eachParadigmHasOneColourInTheTableAndInEveryChart() throws Exception {
        ReportData data = new ReportLoader().load(new LocalRunStore(store), "report-test");
        assertEquals(List.of("fit", "other", "broken"), data.paradigms());
        Palette palette = new Palette(data.paradigms());
        SweepReport.Written files = report().write(data, out);
        String html = Files.readString(files.html());
        java.util.regex.Matcher row = java.util.regex.Pattern
                .compile("<tr data-paradigm=\"([^\"]+)\"><td><span class=\"swatch\" style=\"background:(#[0-9a-f]{6})\">")
                .matcher(html);
        int rows = 0;
        while (row.find()) {
            assertEquals(palette.css(row.group(1)), row.group(2), row.group());
            rows++;
        }
        assertEquals(2 * data.groups().size(), rows, "every row of both metric tables has its swatch");
        java.awt.Color fit = palette.color("fit");
        java.awt.Color other = palette.color("other");
        assertFalse(fit.equals(other));
        // The bars, the trade-off and the training curves hold the exact colour of each paradigm drawn there.
        List<Path> charts = files.images().stream().filter(p -> p.getFileName().toString()
                .matches("(bars|speed|curve)-.*\\.png")).toList();
        assertTrue(charts.size() >= 4, charts.toString());
        for (Path chart : charts) {
            BufferedImage img = ImageIO.read(chart.toFile());
            assertTrue(count(img, fit, 0) >= 10, chart + ": too few pixels of fit's colour");
            assertTrue(count(img, other, 0) >= 10, chart + ": too few pixels of other's colour");
        }
        // Sample panels: generated points in the paradigm's colour (translucent over white), not another's.
        for (Path panel : files.images().stream().filter(p -> p.getFileName().toString().startsWith("samples-")).toList()) {
            BufferedImage img = ImageIO.read(panel.toFile());
            boolean isFit = panel.getFileName().toString().startsWith("samples-fit");
            java.awt.Color own = overWhite(isFit ? fit : other, ReportCharts.GENERATED_ALPHA);
            java.awt.Color foreign = overWhite(isFit ? other : fit, ReportCharts.GENERATED_ALPHA);
            assertTrue(count(img, own, 2) >= 10, panel + ": no generated point in its paradigm's colour");
            assertEquals(0, count(img, foreign, 2), panel + ": another paradigm's colour");
        }
    }

    @Test
    void samplePanelsShareTheirAxesAndShowTheRealPointsOnTop() throws Exception {
        SweepReport.Written files = report().write(new ReportLoader().load(new LocalRunStore(store), "report-test"),
                out);
        List<Path> panels = files.images().stream().filter(p -> p.getFileName().toString().startsWith("samples-"))
                .toList();
        // fit: 2 configs + 2 variant rows, other: 1 config; 2 seeds each.
        assertEquals(10, panels.size(), panels.toString());
        BufferedImage first = ImageIO.read(panels.get(0).toFile());
        for (Path p : panels) {
            BufferedImage img = ImageIO.read(p.toFile());
            // Same axes: the tick labels left of and below the plot are the same pixels in every panel.
            assertTrue(sameAxisLabels(first, img), p + " has other axes than " + panels.get(0));
            // Real points are black, drawn over the generated ones: dark pixels inside the plot.
            assertTrue(count(img, java.awt.Color.BLACK, 60) >= 20, p + ": real points not visible");
        }
        // The check tells axes apart: a panel drawn on another window fails it.
        SamplePoints points = SamplePoints.read(new ReportLoader().load(new LocalRunStore(store), "report-test")
                .runs().get(0).points());
        byte[] moved = new ReportCharts().samplePanel("moved", points, new double[] {-3, 3, -3, 3},
                java.awt.Color.BLUE);
        assertFalse(sameAxisLabels(first, ImageIO.read(new java.io.ByteArrayInputStream(moved))));
    }

    @Test
    void everySeedOfEveryConfigurationHasAPanelTheLowestInView() throws Exception {
        ReportData data = new ReportLoader().load(new LocalRunStore(store), "report-test");
        SweepReport.Written files = report().write(data, out);
        String html = Files.readString(files.html());
        String md = Files.readString(files.markdown());
        int fold = html.indexOf("<details><summary>The other seeds");
        int mdFold = md.indexOf("<details><summary>The other seeds");
        assertTrue(fold > 0 && mdFold > 0, "the other seeds are folded");
        int panels = 0;
        for (ConfigGroup g : data.groups()) {
            for (ReportRun r : g.finished()) {
                String alt = "<img alt=\"" + g.config().replace("\"", "&quot;") + " (seed " + r.seed() + ")";
                int at = html.indexOf(alt);
                assertTrue(at > 0, "no panel " + alt);
                assertEquals(r.seed() == 0, at < fold, alt + ": seed 0 in view, the others folded");
                String mdAlt = g.config().replace("[", "\\[").replace("]", "\\]") + " (seed " + r.seed() + ")";
                assertTrue(md.contains("![" + mdAlt), mdAlt);
                panels++;
            }
        }
        assertEquals(10, panels);
    }

    @Test
    void trainingCurvesAreTitledByWhatTheyShow() throws Exception {
        ReportData data = new ReportLoader().load(new LocalRunStore(store), "report-test");
        SweepReport.Written files = report().write(data, out);
        String md = Files.readString(files.markdown());
        assertFalse(data.losses().isEmpty());
        for (String key : data.losses()) {
            assertTrue(md.contains("![" + key + " during training (mean over seeds)]"), key);
        }
        assertFalse(md.contains("training loss"), md);
    }

    @Test
    void sharedAxesFrameTheRealDataAndCountTheGeneratedPointsOutside() {
        SamplePoints a = new SamplePoints(List.of(new double[] {-1, 0}, new double[] {1, 0}, new double[] {0, 1}),
                List.of(new double[] {0, 0}, new double[] {50, 50}));
        SamplePoints b = new SamplePoints(List.of(new double[] {0, -1}), List.of(new double[] {0.5, 0.5}));
        double[] box = ReportCharts.sharedBox(List.of(a, b));
        // Real extent [-1, 1]² plus a quarter of it on each side; the far-off generated point stays outside.
        assertArrayEquals(new double[] {-1.5, 1.5, -1.5, 1.5}, box, 1e-12);
        assertEquals(1, ReportCharts.inside(a.generated(), box)[0].length);
    }

    /** Pixels within {@code tolerance} of a colour on every channel. */
    private static int count(BufferedImage img, java.awt.Color c, int tolerance) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs(((p >> 16) & 255) - c.getRed()) <= tolerance
                        && Math.abs(((p >> 8) & 255) - c.getGreen()) <= tolerance
                        && Math.abs((p & 255) - c.getBlue()) <= tolerance) {
                    n++;
                }
            }
        }
        return n;
    }

    /** One layer of a translucent colour over white. */
    private static java.awt.Color overWhite(java.awt.Color c, int alpha) {
        double a = alpha / 255.0;
        return new java.awt.Color((int) Math.round(c.getRed() * a + 255 * (1 - a)),
                (int) Math.round(c.getGreen() * a + 255 * (1 - a)), (int) Math.round(c.getBlue() * a + 255 * (1 - a)));
    }

    /**
     * Whether two panels have the same y tick labels (left strip) and x tick labels (strip below the plot):
     * the regions outside the title, the plot area and the legend.
     */
    private static boolean sameAxisLabels(BufferedImage a, BufferedImage b) {
        int w = a.getWidth();
        int h = a.getHeight();
        if (b.getWidth() != w || b.getHeight() != h) {
            return false;
        }
        for (int y = (int) (0.1 * h); y < (int) (0.8 * h); y++) {
            for (int x = 0; x < (int) (0.12 * w); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        for (int y = (int) (0.86 * h); y < (int) (0.9 * h); y++) {
            for (int x = 0; x < w; x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
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
