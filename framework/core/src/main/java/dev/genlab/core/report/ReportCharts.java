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
 *
 * <p>Stateless and thread-safe.
 */
public final class ReportCharts {

    /** Width of every chart, in pixels. */
    public static final int WIDTH = 760;
    /** Height of every chart, in pixels. */
    public static final int HEIGHT = 460;

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
     * @param loss a training loss name
     * @param groups the configurations; those without the loss are left out
     * @return one seed-averaged line per configuration against the training step, or null if none has it
     */
    public byte[] lossCurves(String loss, List<ConfigGroup> groups) {
        XYChart chart = xy("training loss: " + loss, "step", loss);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (ConfigGroup g : groups) {
            double[][] xy = g.meanLoss(loss);
            if (xy[0].length > 0) {
                XYSeries s = chart.addSeries(g.config(), xy[0], xy[1]);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineWidth(1.5f);
            }
        }
        return chart.getSeriesMap().isEmpty() ? null : png(chart);
    }

    /**
     * @param metric a metric name
     * @param groups the configurations; those without a finite value are left out
     * @return a bar per configuration (mean) with ± std error bars, or null if no configuration has the metric
     */
    public byte[] bars(String metric, List<ConfigGroup> groups) {
        List<String> names = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        List<Double> stds = new ArrayList<>();
        for (ConfigGroup g : groups) {
            Stat s = g.stat(metric);
            if (s != null) {
                names.add(g.config());
                means.add(s.mean());
                stds.add(s.std());
            }
        }
        if (names.isEmpty()) {
            return null;
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(metric + " (mean ± std over seeds)")
                .xAxisTitle("configuration").yAxisTitle(metric).build();
        style(chart);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(names.size() > 4 ? 30 : 0);
        chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        chart.addSeries(metric, names, means, stds);
        return png(chart);
    }

    /**
     * One point per configuration at (mean x, mean y) with ± std error bars on y.
     *
     * @param title chart title
     * @param xMetric the metric on the x axis
     * @param yMetric the metric on the y axis
     * @param logX draw x on a log scale (non-positive x values are then left out)
     * @param unit fix both axes to [0, 1] (for fractions such as precision and recall, so that charts of
     *     different sweeps compare at a glance)
     * @param groups the configurations; those without both metrics are left out
     * @return the chart, or null if no configuration has both metrics
     */
    public byte[] tradeOff(String title, String xMetric, String yMetric, boolean logX, boolean unit,
            List<ConfigGroup> groups) {
        XYChart chart = xy(title, xMetric + (logX ? " (log scale)" : ""), yMetric);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setXAxisLogarithmic(logX);
        if (unit) {
            chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.05);
        }
        for (ConfigGroup g : groups) {
            Stat x = g.stat(xMetric);
            Stat y = g.stat(yMetric);
            if (x != null && y != null && (!logX || x.mean() > 0)) {
                chart.addSeries(g.config(), new double[] {x.mean()}, new double[] {y.mean()}, new double[] {y.std()});
            }
        }
        return chart.getSeriesMap().isEmpty() ? null : png(chart);
    }

    /**
     * The sensitivity of one metric to one numeric swept axis of a paradigm: mean ± std over seeds against
     * the axis value, one line per combination of the paradigm's other swept values.
     *
     * @param paradigm the paradigm
     * @param axis the swept axis (short key); its values must parse as numbers
     * @param metric the metric
     * @param logX draw the axis on a log scale
     * @param groups all configurations (only the paradigm's are used)
     * @return the chart, or null if fewer than two axis values have the metric
     */
    public byte[] sensitivity(String paradigm, String axis, String metric, boolean logX, List<ConfigGroup> groups) {
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
        lines.forEach((name, pts) -> {
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            XYSeries s = chart.addSeries(name, pts.stream().mapToDouble(p -> p[0]).toArray(),
                    pts.stream().mapToDouble(p -> p[1]).toArray(), pts.stream().mapToDouble(p -> p[2]).toArray());
            s.setMarker(SeriesMarkers.CIRCLE);
        });
        return png(chart);
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
