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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a sweep report: {@code report.html}, one self-contained page (every image embedded as a
 * {@code data:} URI), and {@code report.md}, the same tables with the images as files under
 * {@code plots/}. Per configuration (paradigm plus swept values, seeds pooled) it shows mean ± std of
 * every metric, then charts: precision vs recall, sampling speed vs FD, bars with error bars for the
 * headline metrics, metric-vs-swept-value sensitivity curves, seed-averaged loss curves, and each
 * configuration's samples side by side.
 */
public final class SweepReport {

    /** The HTML page's file name. */
    public static final String HTML = "report.html";
    /** The Markdown file's name. */
    public static final String MARKDOWN = "report.md";
    /** The folder (next to the two files) holding the images the Markdown links to. */
    public static final String PLOTS = "plots";

    /** Metrics not worth a sensitivity curve (bookkeeping rather than quality). */
    private static final Set<String> NOT_SENSITIVITY = Set.of("params_total", "train_step_ms");
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

    /** One figure: a caption and its PNG. */
    private record Figure(String section, String caption, String file, byte[] png) {}

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
        List<String> metrics = data.metrics();
        List<Figure> figures = figures(data, groups, metrics);
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
            Files.writeString(html, html(data, groups, metrics, figures), StandardCharsets.UTF_8);
            Files.writeString(md, markdown(data, groups, figures), StandardCharsets.UTF_8);
            return new Written(html, md, images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + out, e);
        }
    }

    /**
     * @param data the sweep's runs
     * @return the Markdown table alone: one row per configuration, every metric as mean ± std over seeds
     */
    public String table(ReportData data) {
        List<String> metrics = data.metrics();
        StringBuilder s = new StringBuilder("| config | seeds ok |");
        metrics.forEach(m -> s.append(' ').append(m).append(" |"));
        s.append("\n|---|---|");
        metrics.forEach(m -> s.append("---|"));
        s.append('\n');
        for (ConfigGroup g : data.groups()) {
            s.append("| ").append(g.config().replace("|", "\\|")).append(" | ").append(g.finished().size())
                    .append('/').append(g.runs().size()).append(" |");
            for (String m : metrics) {
                Stat st = g.stat(m);
                s.append(' ').append(st == null ? "-" : st.format()).append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------ figures

    private List<Figure> figures(ReportData data, List<ConfigGroup> groups, List<String> metrics) {
        List<Figure> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String suffix = metrics.contains("precision_lenet") ? "_lenet" : "";
        add(out, names, "Trade-offs", "Precision vs recall (mean over seeds, error bar: std of precision)",
                "precision-recall", charts.tradeOff("precision vs recall", "recall" + suffix, "precision" + suffix,
                        false, true, groups));
        String quality = first(metrics, "fd_lenet", "fd", "reverse_kl");
        if (quality != null) {
            add(out, names, "Trade-offs", "Sampling speed vs " + quality + " (lower is better; x on a log scale)",
                    "speed-" + quality, charts.tradeOff("samples per second vs " + quality, "samples_per_second",
                            quality, true, false, groups));
        }
        for (String m : ReportData.HEADLINE) {
            if (metrics.contains(m)) {
                add(out, names, "Metrics", m + ": mean ± std over seeds", "bars-" + m, charts.bars(m, groups));
            }
        }
        List<String> quality4 = metrics.stream().filter(m -> ReportData.HEADLINE.contains(m))
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
                            charts.sensitivity(paradigm, axis, m, log, groups));
                }
            }
        });
        for (String loss : data.losses()) {
            add(out, names, "Training losses", loss + " (mean over seeds)", "loss-" + loss,
                    charts.lossCurves(loss, groups));
        }
        for (ConfigGroup g : groups) {
            g.finished().stream().filter(r -> r.samples() != null).findFirst().ifPresent(r -> {
                try {
                    byte[] png = Files.readAllBytes(r.samples());
                    if (isPng(png)) {
                        add(out, names, "Samples", g.config() + " (seed " + r.seed() + ")", "samples-" + g.config(), png);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + r.samples(), e);
                }
            });
        }
        return out;
    }

    private static void add(List<Figure> out, Set<String> names, String section, String caption, String name,
            byte[] png) {
        if (png == null) {
            return;
        }
        String base = slug(name);
        String file = base + ".png";
        for (int i = 2; !names.add(file); i++) {
            file = base + "-" + i + ".png";
        }
        out.add(new Figure(section, caption, file, png));
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
        // Trial time next to wall time: shards and parallel trials make it larger, and a sweep resumed from
        // an edited spec has a short wall time for trials that ran in an earlier sweep.
        double trialSeconds = data.trials().stream().mapToDouble(ReportRun::wallSeconds).sum();
        RemoteLink sweep = sweepLink(data);
        return String.format(Locale.ROOT, "%d configuration(s), %d trial run(s), %d finished%s%s; sweep run %s%s",
                groups.size(), data.trials().size(), finished,
                data.wallSeconds() > 0 ? String.format(Locale.ROOT, ", wall time %.1f s", data.wallSeconds()) : "",
                trialSeconds > 0 ? String.format(Locale.ROOT, ", trial time %.1f s", trialSeconds) : "",
                data.sweepRunId(), sweep == null ? "" : " (MLflow run " + sweep.runId() + ")");
    }

    /** The sweep run's and the experiment's pages on the MLflow server, or null when there are none. */
    private static RemoteLink sweepLink(ReportData data) {
        return data.sweepRunId() == null ? null : data.links().get(data.sweepRunId());
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
        boolean remote = !data.links().isEmpty();
        s.append("## Runs\n\n| run | status | seconds | run id |").append(remote ? " MLflow run |" : "")
                .append(" failure |\n|---|---|---|---|").append(remote ? "---|" : "").append("---|\n");
        for (ReportRun r : data.trials()) {
            s.append("| ").append(r.name().replace("|", "\\|")).append(" | ").append(r.status()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", r.wallSeconds())).append(" | ").append(r.runId());
            if (remote) {
                RemoteLink l = data.links().get(r.runId());
                s.append(" | ").append(l == null ? "-" : "[" + l.runId() + "](" + l.runUrl() + ")");
            }
            s.append(" | ").append(r.failure().replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        s.append('\n');
        String section = null;
        for (Figure f : figures) {
            if (!f.section().equals(section)) {
                section = f.section();
                s.append("## ").append(section).append("\n\n");
            }
            s.append("![").append(f.caption().replace("]", ")")).append("](").append(PLOTS).append('/')
                    .append(f.file()).append(")\n\n");
        }
        return s.toString();
    }

    private String html(ReportData data, List<ConfigGroup> groups, List<String> metrics, List<Figure> figures) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Sweep report: ")
                .append(esc(data.experimentName())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222}")
                .append("table{border-collapse:collapse;font-size:13px}")
                .append("th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}")
                .append("th:first-child,td:first-child{text-align:left}")
                .append(".scroll{overflow-x:auto}.figs{display:flex;flex-wrap:wrap;gap:12px}")
                .append("figure{margin:0}figcaption{font-size:13px;max-width:760px}")
                .append(".samples img{width:300px}\n</style>\n</head>\n<body>\n");
        s.append("<h1>Sweep report: ").append(esc(data.experimentName())).append("</h1>\n<p>")
                .append(esc(summaryLine(data, groups))).append(". Cells are mean ± sample std over the finished seeds.</p>\n");
        RemoteLink sweep = sweepLink(data);
        if (sweep != null) {
            s.append("<p>In MLflow: ").append(link(sweep.runUrl(), "the sweep run")).append(", ")
                    .append(link(sweep.experimentUrl(), "the experiment's runs")).append(".</p>\n");
        }
        s.append("<div class=\"scroll\"><table>\n<thead><tr><th>config</th><th>seeds ok</th>");
        metrics.forEach(m -> s.append("<th>").append(esc(m)).append("</th>"));
        s.append("</tr></thead>\n<tbody>\n");
        for (ConfigGroup g : groups) {
            s.append("<tr><td>").append(esc(g.config())).append("</td><td>").append(g.finished().size()).append('/')
                    .append(g.runs().size()).append("</td>");
            for (String m : metrics) {
                Stat st = g.stat(m);
                s.append("<td>").append(st == null ? "-" : esc(st.format())).append("</td>");
            }
            s.append("</tr>\n");
        }
        s.append("</tbody>\n</table></div>\n");
        boolean remote = !data.links().isEmpty();
        s.append("<h2>Runs</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>run</th><th>status</th><th>seconds</th>")
                .append("<th>run id</th>").append(remote ? "<th>MLflow run</th>" : "")
                .append("<th>failure</th></tr></thead>\n<tbody>\n");
        for (ReportRun r : data.trials()) {
            s.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(r.status()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", r.wallSeconds())).append("</td><td>").append(esc(r.runId()))
                    .append("</td>");
            if (remote) {
                RemoteLink l = data.links().get(r.runId());
                s.append("<td>").append(l == null ? "-" : link(l.runUrl(), l.runId())).append("</td>");
            }
            s.append("<td>").append(esc(r.failure())).append("</td></tr>\n");
        }
        s.append("</tbody>\n</table></div>\n");
        String section = null;
        for (Figure f : figures) {
            if (!f.section().equals(section)) {
                if (section != null) {
                    s.append("</div>\n");
                }
                section = f.section();
                s.append("<h2>").append(esc(section)).append("</h2>\n<div class=\"figs")
                        .append(section.equals("Samples") ? " samples" : "").append("\">\n");
            }
            s.append("<figure><img alt=\"").append(esc(f.caption())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(f.png())).append("\"><figcaption>")
                    .append(esc(f.caption())).append("</figcaption></figure>\n");
        }
        if (section != null) {
            s.append("</div>\n");
        }
        s.append("</body>\n</html>\n");
        return s.toString();
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
