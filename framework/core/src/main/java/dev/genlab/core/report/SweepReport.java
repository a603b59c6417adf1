package dev.genlab.core.report;

import dev.genlab.tracking.RemoteLink;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a sweep report: {@code report.html}, one self-contained page (every image embedded as a
 * {@code data:} URI), and {@code report.md}, the same tables with the images as files under
 * {@code plots/}. Per configuration (paradigm plus swept values, seeds pooled) it shows mean ± std of the
 * headline metrics in one table and of every other metric in a folded second one, then charts (each
 * paradigm in one colour throughout, see {@link Palette}): precision vs recall, sampling speed vs FD, bars
 * with error bars for the headline metrics, metric-vs-swept-value sensitivity curves, seed-averaged training
 * curves, and every run's samples on axes shared by all panels.
 */
public final class SweepReport {

    /** The HTML page's file name. */
    public static final String HTML = "report.html";
    /** The Markdown file's name. */
    public static final String MARKDOWN = "report.md";
    /** The folder (next to the two files) holding the images the Markdown links to. */
    public static final String PLOTS = "plots";

    /** Headline metrics not worth a sensitivity curve (cost rather than quality). */
    private static final Set<String> NOT_SENSITIVITY = Set.of("samples_per_second");
    /** Width of the plain-text summary {@link #summary} prints, in characters. */
    public static final int SUMMARY_WIDTH = 100;
    private static final String SAMPLES = "Samples";
    /** Headline columns the terminal summary drops first when they do not all fit. */
    private static final Set<String> TERMINAL_LAST = Set.of("density", "coverage");
    private static final int SENSITIVITY_METRICS = 4;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final ReportCharts charts;

    /** @param charts the chart drawer */
    @Inject
    public SweepReport(ReportCharts charts) {
        this.charts = charts;
    }

    /**
     * The files a report consists of.
     *
     * @param html the self-contained page
     * @param markdown the Markdown table and image links
     * @param images the PNG files under {@code plots/}
     */
    public record Written(Path html, Path markdown, List<Path> images) {
        /** Copies the list. */
        public Written {
            images = List.copyOf(images);
        }
    }

    /** One figure: a caption and its PNG; a folded one is shown in its section's collapsible block. */
    private record Figure(String section, String caption, String file, byte[] png, boolean folded) {}

    /**
     * Writes the report into a folder (created if needed). An earlier report there is replaced, including
     * the PNG files of its {@code plots/} folder, so no stale chart is left behind.
     *
     * @param data the sweep's runs
     * @param out the folder
     * @return the written files
     */
    public Written write(ReportData data, Path out) {
        List<ConfigGroup> groups = data.groups();
        List<Figure> figures = figures(data, groups);
        try {
            Path plots = out.resolve(PLOTS);
            Files.createDirectories(plots);
            try (Stream<Path> old = Files.list(plots)) {
                for (Path png : old.filter(p -> p.getFileName().toString().endsWith(".png")).toList()) {
                    Files.delete(png);
                }
            }
            List<Path> images = new ArrayList<>();
            for (Figure f : figures) {
                Path file = plots.resolve(f.file());
                Files.write(file, f.png());
                images.add(file);
            }
            Path html = out.resolve(HTML);
            Path md = out.resolve(MARKDOWN);
            Files.writeString(html, html(data, groups, figures), StandardCharsets.UTF_8);
            Files.writeString(md, markdown(data, groups, figures), StandardCharsets.UTF_8);
            return new Written(html, md, images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + out, e);
        }
    }

    /**
     * @param data the sweep's runs
     * @return the headline table in Markdown: one row per configuration, the headline metrics as mean ± std
     *     over seeds
     */
    public String table(ReportData data) {
        return markdownTable(data, data.headline().stream().map(ReportData.Column::label).toList(),
                data.headline().stream().map(ReportData.Column::metric).toList());
    }

    private static String markdownTable(ReportData data, List<String> headers, List<String> metrics) {
        StringBuilder s = new StringBuilder("| config | seeds ok |");
        headers.forEach(m -> s.append(' ').append(m).append(" |"));
        s.append("\n|---|---|");
        headers.forEach(m -> s.append("---|"));
        s.append('\n');
        for (ConfigGroup g : data.groups()) {
            s.append("| ").append(g.config().replace("|", "\\|")).append(" | ").append(seedsOk(g)).append(" |");
            for (String m : metrics) {
                Stat st = g.stat(m);
                s.append(' ').append(st == null ? "-" : st.format()).append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String seedsOk(ConfigGroup g) {
        long pruned = g.runs().stream().filter(ReportRun::pruned).count();
        return g.finished().size() + "/" + g.runs().size() + (pruned > 0 ? " (" + pruned + " pruned)" : "");
    }

    /**
     * A short plain-text summary for a terminal: the headline table, mean±std compactly, with those of its
     * columns that fit in {@value #SUMMARY_WIDTH} characters (in order; the line after it says how many were
     * left out).
     *
     * @param data the sweep's runs
     * @return the lines, each at most {@value #SUMMARY_WIDTH} characters
     */
    public String summary(ReportData data) {
        List<ConfigGroup> groups = data.groups();
        int configWidth = Math.min(36, Math.max("config".length(),
                groups.stream().mapToInt(g -> g.config().length()).max().orElse(0)));
        List<List<String>> columns = new ArrayList<>();
        columns.add(new ArrayList<>(List.of("config")));
        columns.add(new ArrayList<>(List.of("seeds")));
        groups.forEach(g -> {
            columns.get(0).add(clip(g.config(), configWidth));
            columns.get(1).add(seedsOk(g));
        });
        int width = configWidth + 2 + columns.get(1).stream().mapToInt(String::length).max().orElse(0);
        // Columns are picked in priority order (density and coverage last: precision and recall tell most of
        // their story) while they fit, then shown in the table's order.
        List<ReportData.Column> headline = data.headline();
        List<ReportData.Column> byPriority = new ArrayList<>(headline);
        byPriority.sort(Comparator.comparing(c -> TERMINAL_LAST.contains(c.label())));
        Map<ReportData.Column, List<String>> picked = new LinkedHashMap<>();
        for (ReportData.Column c : byPriority) {
            List<String> col = new ArrayList<>(List.of(c.label()));
            groups.forEach(g -> {
                Stat st = g.stat(c.metric());
                col.add(st == null ? "-" : st.compact());
            });
            int w = col.stream().mapToInt(String::length).max().orElse(0);
            if (width + 2 + w <= SUMMARY_WIDTH) {
                picked.put(c, col);
                width += 2 + w;
            }
        }
        headline.stream().filter(picked::containsKey).forEach(c -> columns.add(picked.get(c)));
        int left = headline.size() - picked.size();
        StringBuilder s = new StringBuilder();
        for (int row = 0; row <= groups.size(); row++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) {
                int w = c == 0 ? configWidth : columns.get(c).stream().mapToInt(String::length).max().orElse(0);
                String cell = columns.get(c).get(row);
                // The config column is left-aligned, the numbers right-aligned.
                line.append(c == 0 ? cell + " ".repeat(w - cell.length()) : "  " + " ".repeat(w - cell.length()) + cell);
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        int others = data.otherMetrics().size();
        s.append("mean ± std over finished seeds");
        if (left > 0) {
            s.append("; ").append(left).append(" more headline column(s)");
        }
        if (others > 0) {
            s.append(left > 0 ? " and " : "; ").append(others).append(" other metric(s)");
        }
        s.append(left > 0 || others > 0 ? " in the report\n" : "\n");
        return s.toString();
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    // ------------------------------------------------------------------------------------------ figures

    private List<Figure> figures(ReportData data, List<ConfigGroup> groups) {
        List<Figure> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Palette palette = new Palette(data.paradigms());
        List<String> metrics = data.metrics();
        samples(out, names, groups, palette); // first: what the models drew says most at a glance
        String suffix = metrics.contains("precision_lenet") ? "_lenet" : "";
        add(out, names, "Trade-offs", "Precision vs recall (mean over seeds, error bar: std of precision)",
                "precision-recall", charts.tradeOff("precision vs recall", "recall" + suffix, "precision" + suffix,
                        false, true, groups, palette), false);
        String quality = first(metrics, "fd_lenet", "fd", "reverse_kl");
        if (quality != null) {
            add(out, names, "Trade-offs", "Sampling speed vs " + quality + " (lower is better; x on a log scale)",
                    "speed-" + quality, charts.tradeOff("samples per second vs " + quality, "samples_per_second",
                            quality, true, false, groups, palette), false);
        }
        for (ReportData.Column c : data.headline()) {
            add(out, names, "Metrics", c.label() + " (" + c.metric() + "): mean ± std over seeds",
                    "bars-" + c.metric(), charts.bars(c.metric(), groups, palette), false);
        }
        List<String> quality4 = data.headline().stream().map(ReportData.Column::metric)
                .filter(m -> !NOT_SENSITIVITY.contains(m)).limit(SENSITIVITY_METRICS).toList();
        data.axes().forEach((paradigm, axes) -> {
            for (String axis : axes) {
                double[] range = numericRange(paradigm, axis, groups);
                if (range == null) {
                    continue;
                }
                boolean log = range[0] > 0 && range[1] / range[0] >= 100;
                for (String m : quality4) {
                    add(out, names, "Sensitivity to swept values", paradigm + ": " + m + " vs " + axis,
                            "sensitivity-" + paradigm + "-" + axis + "-" + m,
                            charts.sensitivity(paradigm, axis, m, log, groups, palette), false);
                }
            }
        });
        for (String key : data.losses()) {
            String title = key + " during training (mean over seeds)";
            add(out, names, "Training curves", title, "curve-" + key, charts.curves(key, title, groups, palette),
                    false);
        }
        return out;
    }

    /**
     * Every finished run's samples: the lowest seed of each configuration in view, the other seeds folded.
     * Runs of 2-D data with their points are redrawn on axes shared by every panel; others show their
     * {@code samples.png}.
     */
    private void samples(List<Figure> out, Set<String> names, List<ConfigGroup> groups, Palette palette) {
        Map<ReportRun, SamplePoints> points = new LinkedHashMap<>();
        for (ConfigGroup g : groups) {
            for (ReportRun r : g.finished()) {
                if (r.points() != null) {
                    points.put(r, SamplePoints.read(r.points()));
                }
            }
        }
        double[] box = points.isEmpty() ? null : ReportCharts.sharedBox(List.copyOf(points.values()));
        for (ConfigGroup g : groups) {
            List<ReportRun> runs = g.finished().stream().sorted(Comparator.comparingLong(ReportRun::seed)).toList();
            for (int i = 0; i < runs.size(); i++) {
                ReportRun r = runs.get(i);
                String name = g.config() + " (seed " + r.seed() + ")";
                SamplePoints p = points.get(r);
                if (p != null) {
                    int outside = p.generated().size() - ReportCharts.inside(p.generated(), box)[0].length;
                    String caption = name + (outside == 0 ? "" : String.format(Locale.ROOT,
                            "; %d of %d generated points lie outside the shared axes", outside, p.generated().size()));
                    add(out, names, SAMPLES, caption, "samples-" + g.config() + "-seed" + r.seed(),
                            charts.samplePanel(name, p, box, palette.color(g.paradigm())), i > 0);
                } else if (r.samples() != null) {
                    byte[] png = read(r.samples());
                    if (isPng(png)) {
                        add(out, names, SAMPLES, name, "samples-" + g.config() + "-seed" + r.seed(), png, i > 0);
                    }
                }
            }
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void add(List<Figure> out, Set<String> names, String section, String caption, String name,
            byte[] png, boolean folded) {
        if (png == null) {
            return;
        }
        String base = slug(name);
        String file = base + ".png";
        for (int i = 2; !names.add(file); i++) {
            file = base + "-" + i + ".png";
        }
        out.add(new Figure(section, caption, file, png, folded));
    }

    /** {min, max} of an axis whose values are all numbers and take at least two values; else null. */
    private static double[] numericRange(String paradigm, String axis, List<ConfigGroup> groups) {
        Set<Double> values = new LinkedHashSet<>();
        for (ConfigGroup g : groups) {
            String v = g.swept().get(axis);
            if (g.paradigm().equals(paradigm) && v != null) {
                try {
                    values.add(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        if (values.size() < 2) {
            return null;
        }
        return new double[] {values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
            values.stream().mapToDouble(Double::doubleValue).max().orElseThrow()};
    }

    private static String first(List<String> metrics, String... candidates) {
        for (String c : candidates) {
            if (metrics.contains(c)) {
                return c;
            }
        }
        return null;
    }

    static boolean isPng(byte[] bytes) {
        if (bytes.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (bytes[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param s any text, e.g. an experiment or chart name
     * @param fallback the result when nothing usable is left
     * @return s as a file name: lower case, each run of characters outside {@code [a-z0-9._-]} one {@code -},
     *     no leading {@code -} or {@code .}, no trailing {@code -}
     */
    public static String fileName(String s, String fallback) {
        String name = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[-.]+|-+$", "");
        return name.isEmpty() ? fallback : name;
    }

    static String slug(String s) {
        String slug = fileName(s, "figure");
        return slug.length() > 80 ? slug.substring(0, 80) : slug;
    }

    // ------------------------------------------------------------------------------------------ rendering

    private static String summaryLine(ReportData data, List<ConfigGroup> groups) {
        long finished = data.trials().stream().filter(ReportRun::finished).count();
        long pruned = data.trials().stream().filter(ReportRun::pruned).count();
        // Trial time next to wall time: shards and parallel trials make it larger, and a sweep resumed from
        // an edited spec has a short wall time for trials that ran in an earlier sweep.
        double trialSeconds = data.trials().stream().mapToDouble(ReportRun::wallSeconds).sum();
        RemoteLink sweep = sweepLink(data);
        return String.format(Locale.ROOT, "%d configuration(s), %d trial run(s), %d finished%s%s%s; sweep run %s%s",
                groups.size(), data.trials().size(), finished, pruned > 0 ? ", " + pruned + " pruned" : "",
                data.wallSeconds() > 0 ? String.format(Locale.ROOT, ", wall time %.1f s", data.wallSeconds()) : "",
                trialSeconds > 0 ? String.format(Locale.ROOT, ", trial time %.1f s", trialSeconds) : "",
                data.sweepRunId(), sweep == null ? "" : " (MLflow run " + sweep.runId() + ")");
    }

    /** The sweep run's and the experiment's pages on the MLflow server, or null when there are none. */
    private static RemoteLink sweepLink(ReportData data) {
        return data.sweepRunId() == null ? null : data.links().get(data.sweepRunId());
    }

    /** The figures by section, in order of first appearance. */
    private static Map<String, List<Figure>> sections(List<Figure> figures) {
        Map<String, List<Figure>> out = new LinkedHashMap<>();
        figures.forEach(f -> out.computeIfAbsent(f.section(), k -> new ArrayList<>()).add(f));
        return out;
    }

    private static String foldedSummary(String section, int n) {
        return section.equals(SAMPLES) ? "The other seeds (" + n + " panels)" : "More (" + n + ")";
    }

    private String markdown(ReportData data, List<ConfigGroup> groups, List<Figure> figures) {
        StringBuilder s = new StringBuilder();
        s.append("# Sweep report: ").append(data.experimentName()).append("\n\n");
        s.append(summaryLine(data, groups)).append(". Cells are mean ± sample std over the finished seeds.\n\n");
        RemoteLink sweep = sweepLink(data);
        if (sweep != null) {
            s.append("In MLflow: [the sweep run](").append(sweep.runUrl()).append("), [the experiment's runs](")
                    .append(sweep.experimentUrl()).append(").\n\n");
        }
        s.append(table(data)).append('\n');
        if (!data.headline().isEmpty()) {
            s.append("Columns: ").append(String.join(", ", data.headline().stream()
                    .map(c -> c.label() + " = `" + c.metric() + "`").toList())).append(".\n\n");
        }
        List<String> others = data.otherMetrics();
        if (!others.isEmpty()) {
            // GitHub renders Markdown inside <details> when blank lines separate it from the tags.
            s.append("<details><summary>All other metrics (").append(others.size()).append(")</summary>\n\n")
                    .append(markdownTable(data, others, others)).append("\n</details>\n\n");
        }
        sections(figures).forEach((section, figs) -> {
            s.append("## ").append(section).append("\n\n");
            if (section.equals(SAMPLES)) {
                s.append(SAMPLES_NOTE).append("\n\n");
            }
            figs.stream().filter(f -> !f.folded()).forEach(f -> s.append(markdownImage(f)));
            List<Figure> folded = figs.stream().filter(Figure::folded).toList();
            if (!folded.isEmpty()) {
                s.append("<details><summary>").append(foldedSummary(section, folded.size()))
                        .append("</summary>\n\n");
                folded.forEach(f -> s.append(markdownImage(f)));
                s.append("</details>\n\n");
            }
        });
        boolean remote = !data.links().isEmpty();
        s.append("## Runs\n\n| run | status | seconds | run id |").append(remote ? " MLflow run |" : "")
                .append(" failure |\n|---|---|---|---|").append(remote ? "---|" : "").append("---|\n");
        for (ReportRun r : data.trials()) {
            s.append("| ").append(r.name().replace("|", "\\|")).append(" | ").append(r.statusLabel()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", r.wallSeconds())).append(" | ").append(r.runId());
            if (remote) {
                RemoteLink l = data.links().get(r.runId());
                s.append(" | ").append(l == null ? "-" : "[" + l.runId() + "](" + l.runUrl() + ")");
            }
            s.append(" | ").append(r.failure().replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return s.toString();
    }

    private static final String SAMPLES_NOTE = "Every panel has the same axes; generated points in the paradigm's "
            + "colour, real points in black on top. The lowest seed of each configuration is shown; the others "
            + "are folded below.";

    private static String markdownImage(Figure f) {
        return "![" + f.caption().replace("[", "\\[").replace("]", "\\]") + "](" + PLOTS + "/" + f.file() + ")\n\n";
    }

    private String html(ReportData data, List<ConfigGroup> groups, List<Figure> figures) {
        Palette palette = new Palette(data.paradigms());
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Sweep report: ")
                .append(esc(data.experimentName())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222}")
                .append("table{border-collapse:collapse;font-size:13px}")
                .append("th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}")
                .append("th:first-child,td:first-child{text-align:left}")
                .append(".scroll{overflow-x:auto}.figs{display:flex;flex-wrap:wrap;gap:12px}")
                .append("figure{margin:0}figcaption{font-size:13px;max-width:760px}")
                .append(".samples figcaption{max-width:320px}")
                .append(".swatch{display:inline-block;width:10px;height:10px;margin-right:6px}")
                .append("details{margin:0.8em 0}summary{cursor:pointer;color:#135}")
                .append(".note{font-size:13px;color:#555}\n</style>\n</head>\n<body>\n");
        s.append("<h1>Sweep report: ").append(esc(data.experimentName())).append("</h1>\n<p>")
                .append(esc(summaryLine(data, groups))).append(". Cells are mean ± sample std over the finished seeds.</p>\n");
        RemoteLink sweep = sweepLink(data);
        if (sweep != null) {
            s.append("<p>In MLflow: ").append(link(sweep.runUrl(), "the sweep run")).append(", ")
                    .append(link(sweep.experimentUrl(), "the experiment's runs")).append(".</p>\n");
        }
        List<ReportData.Column> headline = data.headline();
        htmlTable(s, "headline", groups, palette, headline.stream().map(ReportData.Column::label).toList(),
                headline.stream().map(ReportData.Column::metric).toList());
        List<String> others = data.otherMetrics();
        if (!others.isEmpty()) {
            s.append("<details><summary>All other metrics (").append(others.size()).append(")</summary>\n");
            htmlTable(s, "other-metrics", groups, palette, others, others);
            s.append("</details>\n");
        }
        sections(figures).forEach((section, figs) -> {
            String cls = section.equals(SAMPLES) ? "figs samples" : "figs";
            s.append("<h2>").append(esc(section)).append("</h2>\n");
            if (section.equals(SAMPLES)) {
                s.append("<p class=\"note\">").append(esc(SAMPLES_NOTE)).append("</p>\n");
            }
            s.append("<div class=\"").append(cls).append("\">\n");
            figs.stream().filter(f -> !f.folded()).forEach(f -> s.append(htmlFigure(f)));
            s.append("</div>\n");
            List<Figure> folded = figs.stream().filter(Figure::folded).toList();
            if (!folded.isEmpty()) {
                s.append("<details><summary>").append(esc(foldedSummary(section, folded.size())))
                        .append("</summary>\n<div class=\"").append(cls).append("\">\n");
                folded.forEach(f -> s.append(htmlFigure(f)));
                s.append("</div>\n</details>\n");
            }
        });
        boolean remote = !data.links().isEmpty();
        s.append("<h2>Runs</h2>\n<div class=\"scroll\"><table id=\"runs\">\n<thead><tr><th>run</th><th>status</th>")
                .append("<th>seconds</th><th>run id</th>").append(remote ? "<th>MLflow run</th>" : "")
                .append("<th>failure</th></tr></thead>\n<tbody>\n");
        for (ReportRun r : data.trials()) {
            s.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(r.statusLabel()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", r.wallSeconds())).append("</td><td>").append(esc(r.runId()))
                    .append("</td>");
            if (remote) {
                RemoteLink l = data.links().get(r.runId());
                s.append("<td>").append(l == null ? "-" : link(l.runUrl(), l.runId())).append("</td>");
            }
            s.append("<td>").append(esc(r.failure())).append("</td></tr>\n");
        }
        s.append("</tbody>\n</table></div>\n");
        s.append("</body>\n</html>\n");
        return s.toString();
    }

    /** A metrics table: one row per configuration, its paradigm's colour as a swatch before its name. */
    private static void htmlTable(StringBuilder s, String id, List<ConfigGroup> groups, Palette palette,
            List<String> headers, List<String> metrics) {
        s.append("<div class=\"scroll\"><table id=\"").append(id).append("\">\n<thead><tr><th>config</th>")
                .append("<th>seeds ok</th>");
        for (int i = 0; i < headers.size(); i++) {
            s.append("<th title=\"").append(esc(metrics.get(i))).append("\">").append(esc(headers.get(i)))
                    .append("</th>");
        }
        s.append("</tr></thead>\n<tbody>\n");
        for (ConfigGroup g : groups) {
            s.append("<tr data-paradigm=\"").append(esc(g.paradigm())).append("\"><td><span class=\"swatch\" ")
                    .append("style=\"background:").append(palette.css(g.paradigm())).append("\"></span>")
                    .append(esc(g.config())).append("</td><td>").append(seedsOk(g)).append("</td>");
            for (String m : metrics) {
                Stat st = g.stat(m);
                s.append("<td>").append(st == null ? "-" : esc(st.format())).append("</td>");
            }
            s.append("</tr>\n");
        }
        s.append("</tbody>\n</table></div>\n");
    }

    private static String htmlFigure(Figure f) {
        return "<figure><img alt=\"" + esc(f.caption()) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(f.png()) + "\"><figcaption>" + esc(f.caption())
                + "</figcaption></figure>\n";
    }

    /** A link that opens outside the frame MLflow shows the report in. */
    private static String link(String url, String text) {
        return "<a href=\"" + esc(url) + "\" target=\"_blank\" rel=\"noopener\">" + esc(text) + "</a>";
    }

    private static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
