package dev.genlab.core.report;

import jakarta.inject.Inject;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of a sweep report, drawn headless with XChart and returned as PNG bytes. Each chart pools a
 * configuration's finished seeds: points and bars are means, error bars one sample standard deviation.
 * Colours come from a {@link Palette}, so a paradigm looks the same in every chart; sample panels are the
 * exception to pooling: one per run.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReportCharts {

    /** Width of every chart, in pixels. */
    public static final int WIDTH = 760;
    /** Height of every chart, in pixels. */
    public static final int HEIGHT = 460;
    /** Side of a sample panel's plot, in pixels. */
    public static final int PANEL = 320;
    /** Opacity (0–255) of generated points in a sample panel. */
    static final int GENERATED_ALPHA = 150;
    /** Opacity (0–255) of real points, drawn on top: dark enough to see, light enough to see through. */
    static final int REAL_ALPHA = 110;
    /** Margin around the real data in sample panels, as a fraction of the data's extent, on each side. */
    static final double PANEL_MARGIN = 0.25;

    static {
        // AWT decides once whether a display is needed; reports are drawn on servers.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Creates the (stateless) service. */
    @Inject
    public ReportCharts() {
        // nothing to configure
    }

    /**
     * @param key a training curve's key (a loss or a diagnostic, without its prefix)
     * @param title the chart's title: what the curve shows
     * @param groups the configurations; those without the curve are left out
     * @param palette the paradigms' colours
     * @return one seed-averaged line per configuration against the training step, or null if none has it
     */
    public byte[] curves(String key, String title, List<ConfigGroup> groups, Palette palette) {
        XYChart chart = xy(title, "training step", key);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        Map<String, Integer> rank = Palette.rankInParadigm(groups);
        for (ConfigGroup g : groups) {
            double[][] xy = g.meanLoss(key);
            if (xy[0].length > 0) {
                XYSeries s = chart.addSeries(g.config(), xy[0], xy[1]);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(palette.color(g.paradigm()));
                s.setLineStyle(Palette.line(rank.get(g.config())));
                s.setLineWidth(2f);
            }
        }
        return chart.getSeriesMap().isEmpty() ? null : png(chart);
    }

    /**
     * @param metric a metric name
     * @param groups the configurations; those without a finite value are left out
     * @param palette the paradigms' colours: each bar has its paradigm's
     * @return a bar per configuration (mean) with ± std error bars, or null if no configuration has the metric
     */
    public byte[] bars(String metric, List<ConfigGroup> groups, Palette palette) {
        List<ConfigGroup> shown = groups.stream().filter(g -> g.stat(metric) != null).toList();
        if (shown.isEmpty()) {
            return null;
        }
        List<String> names = shown.stream().map(ConfigGroup::config).toList();
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(metric + " (mean ± std over seeds)").xAxisTitle("configuration").yAxisTitle(metric).build();
        style(chart);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(names.size() > 4 ? 30 : 0);
        chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        // One series per paradigm, zero at the other paradigms' configurations (XChart takes no gaps with
        // error bars): overlapped, each configuration shows one bar, in its paradigm's colour.
        chart.getStyler().setOverlapped(true);
        for (String paradigm : shown.stream().map(ConfigGroup::paradigm).distinct().toList()) {
            List<Double> means = new ArrayList<>();
            List<Double> stds = new ArrayList<>();
            for (ConfigGroup g : shown) {
                Stat st = g.paradigm().equals(paradigm) ? g.stat(metric) : null;
                means.add(st == null ? 0.0 : st.mean());
                stds.add(st == null ? 0.0 : st.std());
            }
            chart.addSeries(paradigm, names, means, stds).setFillColor(palette.color(paradigm));
        }
        return png(chart);
    }

    /**
     * One point per configuration at (mean x, mean y) with ± std error bars on y, in its paradigm's colour
     * (configurations of one paradigm differ by marker shape).
     *
     * @param title chart title
     * @param xMetric the metric on the x axis
     * @param yMetric the metric on the y axis
     * @param logX draw x on a log scale (non-positive x values are then left out)
     * @param unit fix both axes to [0, 1] (for fractions such as precision and recall, so that charts of
     *     different sweeps compare at a glance)
     * @param groups the configurations; those without both metrics are left out
     * @param palette the paradigms' colours
     * @return the chart, or null if no configuration has both metrics
     */
    public byte[] tradeOff(String title, String xMetric, String yMetric, boolean logX, boolean unit,
            List<ConfigGroup> groups, Palette palette) {
        XYChart chart = xy(title, xMetric + (logX ? " (log scale)" : ""), yMetric);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(11);
        chart.getStyler().setXAxisLogarithmic(logX);
        if (unit) {
            chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.05);
        }
        Map<String, Integer> rank = Palette.rankInParadigm(groups);
        for (ConfigGroup g : groups) {
            Stat x = g.stat(xMetric);
            Stat y = g.stat(yMetric);
            if (x != null && y != null && (!logX || x.mean() > 0)) {
                XYSeries s = chart.addSeries(g.config(), new double[] {x.mean()}, new double[] {y.mean()},
                        new double[] {y.std()});
                s.setMarker(Palette.marker(rank.get(g.config())));
                s.setMarkerColor(palette.color(g.paradigm()));
            }
        }
        return chart.getSeriesMap().isEmpty() ? null : png(chart);
    }

    /**
     * The sensitivity of one metric to one numeric swept axis of a paradigm: mean ± std over seeds against
     * the axis value, one line per combination of the paradigm's other swept values, all in the paradigm's
     * colour (differing by dash and marker).
     *
     * @param paradigm the paradigm
     * @param axis the swept axis (short key); its values must parse as numbers
     * @param metric the metric
     * @param logX draw the axis on a log scale
     * @param groups all configurations (only the paradigm's are used)
     * @param palette the paradigms' colours
     * @return the chart, or null if fewer than two axis values have the metric
     */
    public byte[] sensitivity(String paradigm, String axis, String metric, boolean logX, List<ConfigGroup> groups,
            Palette palette) {
        Map<String, List<double[]>> lines = new LinkedHashMap<>();
        for (ConfigGroup g : groups) {
            Stat s = g.stat(metric);
            String value = g.swept().get(axis);
            if (!g.paradigm().equals(paradigm) || s == null || value == null) {
                continue;
            }
            StringBuilder rest = new StringBuilder();
            g.swept().forEach((k, v) -> {
                if (!k.equals(axis)) {
                    rest.append(rest.length() == 0 ? "" : " ").append(k).append('=').append(v);
                }
            });
            String line = (rest.length() == 0 ? paradigm : paradigm + " " + rest)
                    + (g.variant() == null ? "" : " [" + g.variant() + "]");
            lines.computeIfAbsent(line, k -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(value), s.mean(), s.std()});
        }
        if (lines.values().stream().allMatch(l -> l.size() < 2)) {
            return null;
        }
        XYChart chart = xy(paradigm + ": " + metric + " vs " + axis, axis + (logX ? " (log scale)" : ""), metric);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisLogarithmic(logX);
        int k = 0;
        for (Map.Entry<String, List<double[]>> e : lines.entrySet()) {
            List<double[]> pts = e.getValue();
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            XYSeries s = chart.addSeries(e.getKey(), pts.stream().mapToDouble(p -> p[0]).toArray(),
                    pts.stream().mapToDouble(p -> p[1]).toArray(), pts.stream().mapToDouble(p -> p[2]).toArray());
            s.setMarker(Palette.marker(k));
            s.setLineStyle(Palette.line(k));
            s.setLineWidth(2f);
            s.setMarkerColor(palette.color(paradigm));
            s.setLineColor(palette.color(paradigm));
            k++;
        }
        return png(chart);
    }

    /**
     * One run's 2-D samples on given axes: generated points in the paradigm's colour, the real points drawn
     * over them in black, smaller, so both stay visible. Points outside the axes are not drawn.
     *
     * @param title the panel's title
     * @param points the run's points
     * @param box {xmin, xmax, ymin, ymax}, shared by all panels of a report
     * @param color the paradigm's colour
     * @return the panel ({@value #PANEL} pixels square plus the legend)
     */
    public byte[] samplePanel(String title, SamplePoints points, double[] box, Color color) {
        XYChart chart = new XYChartBuilder().width(PANEL).height(PANEL + 40).title(title).build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisMin(box[0]).setXAxisMax(box[1]).setYAxisMin(box[2]).setYAxisMax(box[3]);
        double[][] g = inside(points.generated(), box);
        double[][] r = inside(points.real(), box);
        if (g[0].length > 0) {
            XYSeries s = chart.addSeries("generated", g[0], g[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), GENERATED_ALPHA));
        }
        if (r[0].length > 0) {
            XYSeries s = chart.addSeries("real", r[0], r[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(0, 0, 0, REAL_ALPHA));
        }
        chart.getStyler().setMarkerSize(4);
        return png(chart);
    }

    /**
     * Axes shared by sample panels: a square window on the real data (the extent of every panel's real points
     * plus {@value #PANEL_MARGIN} of it on each side), so the panels compare how each model matches the data;
     * generated points outside it are counted in the panel's caption, not drawn. Without real points, the
     * central 98 % of the generated ones on each axis.
     *
     * @param panels the panels' points
     * @return {xmin, xmax, ymin, ymax}
     */
    static double[] sharedBox(List<SamplePoints> panels) {
        List<double[]> real = new ArrayList<>();
        panels.forEach(p -> real.addAll(p.real()));
        List<double[]> extent = real;
        if (real.isEmpty()) {
            extent = new ArrayList<>();
            for (SamplePoints p : panels) {
                if (!p.generated().isEmpty()) {
                    double[] xs = p.generated().stream().mapToDouble(q -> q[0]).sorted().toArray();
                    double[] ys = p.generated().stream().mapToDouble(q -> q[1]).sorted().toArray();
                    int lo = (int) Math.floor(0.01 * (xs.length - 1));
                    int hi = (int) Math.ceil(0.99 * (xs.length - 1));
                    extent.add(new double[] {xs[lo], ys[lo]});
                    extent.add(new double[] {xs[hi], ys[hi]});
                }
            }
        }
        double[][] xy = {extent.stream().mapToDouble(q -> q[0]).toArray(), extent.stream().mapToDouble(q -> q[1]).toArray()};
        double[] square = Plots.squareRange(xy, new double[][] {{}, {}});
        // squareRange leaves 5 % of the span on each side; widen to PANEL_MARGIN so near misses stay in view.
        double half = (square[1] - square[0]) / 2 / 1.1 * (1 + 2 * PANEL_MARGIN);
        double cx = (square[0] + square[1]) / 2;
        double cy = (square[2] + square[3]) / 2;
        return new double[] {cx - half, cx + half, cy - half, cy + half};
    }

    /** The points inside the box, as {xs, ys}. */
    static double[][] inside(List<double[]> points, double[] box) {
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        int k = 0;
        for (double[] p : points) {
            if (p[0] >= box[0] && p[0] <= box[1] && p[1] >= box[2] && p[1] <= box[3]) {
                xs[k] = p[0];
                ys[k] = p[1];
                k++;
            }
        }
        return new double[][] {java.util.Arrays.copyOf(xs, k), java.util.Arrays.copyOf(ys, k)};
    }

    private static XYChart xy(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart);
        chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        return chart;
    }

    private static void style(Chart<?, ?> chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.LIGHT_GRAY);
        if (s instanceof AxesChartStyler axes) {
            axes.setPlotGridLinesColor(new Color(235, 235, 235));
        }
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendBorderColor(Color.WHITE);
        s.setAntiAlias(true);
    }

    private static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a chart as PNG", e);
        }
    }
}
