package dev.genlab.core.report;

import jakarta.inject.Inject;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Headless PNG plots for reports and run artifacts: 2-D sample scatter plots, loss curves and image grids.
 *
 * <p>Charts are drawn with XChart into an in-memory image and written with {@code javax.imageio}; no
 * display is needed. Loading this class sets {@code java.awt.headless=true} unless the property was set
 * explicitly, because AWT decides once, on first use, whether a display is required.
 *
 * <p>Stateless and thread-safe.
 */
public final class Plots {

    /** Width of {@link #scatter} images, in pixels. */
    public static final int SCATTER_WIDTH = 600;
    /** Height of {@link #scatter} images (a little more than the width: the legend sits below the plot). */
    public static final int SCATTER_HEIGHT = 640;
    /** Width of {@link #lossCurves} images, in pixels. */
    public static final int CURVES_WIDTH = 800;
    /** Height of {@link #lossCurves} images, in pixels. */
    public static final int CURVES_HEIGHT = 480;
    /** At most this many points per set are drawn by {@link #scatter}; larger sets are subsampled. */
    public static final int MAX_SCATTER_POINTS = 3000;
    /** Longer loss series are averaged over consecutive buckets down to about this many points. */
    public static final int MAX_CURVE_POINTS = 4000;
    /** Width of the border around and between tiles of {@link #imageGrid}, in pixels. */
    public static final int GRID_PADDING = 2;
    /** Grey level (0–255) of the border of {@link #imageGrid}, distinct from black and white pixels. */
    public static final int GRID_PADDING_LEVEL = 128;
    /** Colour of generated points in {@link #scatter} (drawn with alpha {@link #GENERATED_ALPHA}). */
    public static final Color GENERATED_COLOR = new Color(214, 39, 40);
    /** Colour of real points in {@link #scatter} (drawn with alpha {@link #REAL_ALPHA}). */
    public static final Color REAL_COLOR = new Color(110, 110, 110);
    /** Opacity (0–255) of generated points. */
    public static final int GENERATED_ALPHA = 170;
    /** Opacity (0–255) of real points: faint, so the generated points on top stay visible. */
    public static final int REAL_ALPHA = 70;

    private static final Logger LOG = LogManager.getLogger(Plots.class);
    private static final String TICK_HELPER = "\u0000tick-helper";

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Creates the (stateless) service. */
    @Inject
    public Plots() {
        // nothing to configure
    }

    /**
     * Draws real and generated 2-D points on the same, equal x and y ranges (covering both sets, with a
     * 5 % margin): real in faint grey with small markers, generated on top in {@link #GENERATED_COLOR}.
     * Only the first two columns of each point are used; points with a NaN or infinite coordinate are
     * dropped (and counted in a warning); sets larger than {@link #MAX_SCATTER_POINTS} are subsampled
     * deterministically at an even stride.
     *
     * @param real reference points, {@code [n][>=2]}; may be empty
     * @param generated model samples, {@code [m][>=2]}; may be empty
     * @param png the PNG file to write ({@value #SCATTER_WIDTH} × {@value #SCATTER_HEIGHT}); parent
     *     directories are created
     * @param title chart title
     */
    public void scatter(float[][] real, float[][] generated, Path png, String title) {
        Objects.requireNonNull(real, "real");
        Objects.requireNonNull(generated, "generated");
        double[][] r = subsample(finite(real, "real"), MAX_SCATTER_POINTS);
        double[][] g = subsample(finite(generated, "generated"), MAX_SCATTER_POINTS);

        XYChart chart = new XYChartBuilder().width(SCATTER_WIDTH).height(SCATTER_HEIGHT).title(nonNull(title))
                .xAxisTitle("x").yAxisTitle("y").build();
        styleCommon(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        double[] box = squareRange(r, g);
        chart.getStyler().setXAxisMin(box[0]).setXAxisMax(box[1]).setYAxisMin(box[2]).setYAxisMax(box[3]);
        // Real first so the generated points are painted over them.
        if (r[0].length > 0) {
            XYSeries s = chart.addSeries("real", r[0], r[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(withAlpha(REAL_COLOR, REAL_ALPHA));
        }
        if (g[0].length > 0) {
            XYSeries s = chart.addSeries("generated", g[0], g[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(withAlpha(GENERATED_COLOR, GENERATED_ALPHA));
        }
        write(BitmapEncoder.getBufferedImage(chart), png);
    }

    /**
     * Draws paths through the plane (e.g. decoded latent interpolations) over the real points: one line with
     * markers per path, in path order.
     *
     * @param real data points, {@code [n][>=2]}
     * @param paths {@code [paths][points][>=2]}
     * @param png the PNG file to write ({@value #SCATTER_WIDTH} × {@value #SCATTER_HEIGHT})
     * @param title chart title
     */
    public void paths(float[][] real, float[][][] paths, Path png, String title) {
        Objects.requireNonNull(paths, "paths");
        double[][] r = subsample(finite(real, "real"), MAX_SCATTER_POINTS);
        XYChart chart = new XYChartBuilder().width(SCATTER_WIDTH).height(SCATTER_HEIGHT).title(nonNull(title))
                .xAxisTitle("x").yAxisTitle("y").build();
        styleCommon(chart);
        chart.getStyler().setMarkerSize(5);
        double[][][] lines = new double[paths.length][][];
        for (int i = 0; i < paths.length; i++) {
            lines[i] = finite(paths[i], "path " + i);
        }
        double[] box = squareRange(r, concat(lines));
        chart.getStyler().setXAxisMin(box[0]).setXAxisMax(box[1]).setYAxisMin(box[2]).setYAxisMax(box[3]);
        if (r[0].length > 0) {
            XYSeries s = chart.addSeries("real", r[0], r[1]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(withAlpha(REAL_COLOR, REAL_ALPHA));
        }
        for (int i = 0; i < lines.length; i++) {
            if (lines[i][0].length > 0) {
                XYSeries s = chart.addSeries("path " + (i + 1), lines[i][0], lines[i][1]);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        write(BitmapEncoder.getBufferedImage(chart), png);
    }

    private static double[][] concat(double[][][] parts) {
        int n = 0;
        for (double[][] p : parts) {
            n += p[0].length;
        }
        double[][] out = new double[2][n];
        int k = 0;
        for (double[][] p : parts) {
            System.arraycopy(p[0], 0, out[0], k, p[0].length);
            System.arraycopy(p[1], 0, out[1], k, p[1].length);
            k += p[0].length;
        }
        return out;
    }

    /**
     * Draws one line per loss against its position in the list (the step index), unsmoothed.
     *
     * @param history loss name to its values in step order
     * @param png the PNG file to write ({@value #CURVES_WIDTH} × {@value #CURVES_HEIGHT})
     * @param title chart title
     * @see #lossCurves(Map, Path, String, double)
     */
    public void lossCurves(Map<String, List<Double>> history, Path png, String title) {
        lossCurves(history, png, title, 0.0);
    }

    /**
     * Draws one line per loss against its position in the list (the step index). NaN and infinite values
     * (and nulls) are dropped, leaving a gap-free line over the finite ones; a loss with no finite value
     * is left out with a warning. Series longer than {@link #MAX_CURVE_POINTS} are averaged over
     * consecutive buckets so that the image stays cheap to draw.
     *
     * @param history loss name to its values in step order (iteration order = legend order)
     * @param png the PNG file to write ({@value #CURVES_WIDTH} × {@value #CURVES_HEIGHT})
     * @param title chart title
     * @param smoothing exponential moving-average weight of the past in [0, 1): 0 draws the raw values,
     *     0.6 is light smoothing; the average is bias-corrected so the curve starts at the first value
     */
    public void lossCurves(Map<String, List<Double>> history, Path png, String title, double smoothing) {
        Objects.requireNonNull(history, "history");
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("smoothing must be in [0, 1): " + smoothing);
        }
        XYChart chart = new XYChartBuilder().width(CURVES_WIDTH).height(CURVES_HEIGHT).title(nonNull(title))
                .xAxisTitle("step").yAxisTitle("loss").build();
        styleCommon(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        double anyY = Double.NaN;
        for (Map.Entry<String, List<Double>> e : history.entrySet()) {
            double[][] xy = curve(e.getValue(), smoothing);
            if (xy[0].length == 0) {
                LOG.warn("Loss '{}' has no finite value; left out of {}", e.getKey(), png);
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineWidth(1.5f);
            anyY = xy[1][0];
        }
        if (!Double.isNaN(anyY) && !chart.getSeriesMap().containsKey(TICK_HELPER)) {
            // XChart puts x ticks on data points when all x values are equally spaced (steps 0, 1, 2, ...),
            // giving labels like 177, 354. One invisible point at x = 0.5, inside both axis ranges, breaks
            // the equal spacing so XChart falls back to round tick values.
            XYSeries helper = chart.addSeries(TICK_HELPER, new double[] {0.5}, new double[] {anyY});
            helper.setMarker(SeriesMarkers.NONE);
            helper.setLineColor(new Color(0, 0, 0, 0));
            helper.setShowInLegend(false);
        }
        write(BitmapEncoder.getBufferedImage(chart), png);
    }

    /**
     * Tiles images into one PNG, row by row, {@code columns} per row, with a {@value #GRID_PADDING}-pixel
     * grey border around and between tiles. Tile {@code i} has its top-left pixel at
     * {@code x = P + (i % cols) * (w + P)}, {@code y = P + (i / cols) * (h + P)} with
     * {@code P = GRID_PADDING} and {@code cols = min(columns, n)}; the image is
     * {@code cols * (w + P) + P} wide and {@code rows * (h + P) + P} high, {@code rows = ceil(n / cols)}.
     *
     * <p>Pixel values are expected in <b>[0, 1]</b> (0 = black, 1 = full intensity) and are clamped to that
     * range; NaN becomes 0. A value {@code v} is stored as the byte {@code round(v * 255)}. Callers whose
     * models produce [-1, 1] map with {@code (v + 1) / 2} first.
     *
     * @param pixels the images, channel-first and contiguous: value {@code (i, c, y, x)} is at
     *     {@code ((i * channels + c) * h + y) * w + x}; only the first {@code n} images are used
     * @param n number of images, at least 1
     * @param channels 1 (greyscale PNG) or 3 (RGB PNG)
     * @param h image height
     * @param w image width
     * @param png the PNG file to write
     * @param columns images per row, at least 1
     */
    public void imageGrid(float[] pixels, int n, int channels, int h, int w, Path png, int columns) {
        Objects.requireNonNull(pixels, "pixels");
        if (n < 1 || h < 1 || w < 1 || columns < 1) {
            throw new IllegalArgumentException("n, h, w and columns must be positive: n=" + n + " h=" + h
                    + " w=" + w + " columns=" + columns);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        long needed = (long) n * channels * h * w;
        if (pixels.length < needed) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " values; " + n + " images of "
                    + channels + "x" + h + "x" + w + " need " + needed);
        }
        int cols = Math.min(columns, n);
        int rows = (n + cols - 1) / cols;
        long width = (long) cols * (w + GRID_PADDING) + GRID_PADDING;
        long height = (long) rows * (h + GRID_PADDING) + GRID_PADDING;
        if (width * height > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("grid too large: " + width + "x" + height);
        }
        BufferedImage img = new BufferedImage((int) width, (int) height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        // Write raster samples, not colours: getRGB/setRGB on a grey image would apply a colour-space
        // conversion and change the stored levels.
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < channels; c++) {
                    raster.setSample(x, y, c, GRID_PADDING_LEVEL);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            int x0 = GRID_PADDING + (i % cols) * (w + GRID_PADDING);
            int y0 = GRID_PADDING + (i / cols) * (h + GRID_PADDING);
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * h * w;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        raster.setSample(x0 + x, y0 + y, c, toByte(pixels[base + y * w + x]));
                    }
                }
            }
        }
        write(img, png);
    }

    /** The byte level stored for a pixel value, see {@link #imageGrid}. */
    static int toByte(float v) {
        if (!(v > 0)) {
            return 0; // also NaN
        }
        return v >= 1 ? 255 : Math.round(v * 255f);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void styleCommon(XYChart chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.LIGHT_GRAY);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setAntiAlias(true);
        chart.getStyler().setPlotGridLinesColor(new Color(235, 235, 235));
    }

    /** Finite points as {xs, ys}; rows with fewer than two columns are an error. */
    private static double[][] finite(float[][] points, String what) {
        double[] xs = new double[points.length];
        double[] ys = new double[points.length];
        int k = 0;
        for (int i = 0; i < points.length; i++) {
            float[] p = points[i];
            if (p == null || p.length < 2) {
                throw new IllegalArgumentException(what + " point " + i + " has fewer than 2 coordinates");
            }
            if (Float.isFinite(p[0]) && Float.isFinite(p[1])) {
                xs[k] = p[0];
                ys[k] = p[1];
                k++;
            }
        }
        if (k < points.length) {
            LOG.warn("Dropped {} of {} {} points with NaN or infinite coordinates", points.length - k,
                    points.length, what);
        }
        return new double[][] {Arrays.copyOf(xs, k), Arrays.copyOf(ys, k)};
    }

    /** Every (n/max)-th point, evenly over the whole set, so the picture is the same on every run. */
    static double[][] subsample(double[][] xy, int max) {
        int n = xy[0].length;
        if (n <= max) {
            return xy;
        }
        double[] xs = new double[max];
        double[] ys = new double[max];
        for (int i = 0; i < max; i++) {
            int j = (int) ((long) i * n / max);
            xs[i] = xy[0][j];
            ys[i] = xy[1][j];
        }
        return new double[][] {xs, ys};
    }

    /** {xmin, xmax, ymin, ymax}: the same span on both axes, centred on the data, with a 5 % margin. */
    static double[] squareRange(double[][] a, double[][] b) {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (double[][] xy : List.of(a, b)) {
            for (int i = 0; i < xy[0].length; i++) {
                minX = Math.min(minX, xy[0][i]);
                maxX = Math.max(maxX, xy[0][i]);
                minY = Math.min(minY, xy[1][i]);
                maxY = Math.max(maxY, xy[1][i]);
            }
        }
        if (minX > maxX) { // no points at all
            return new double[] {-1, 1, -1, 1};
        }
        double span = Math.max(maxX - minX, maxY - minY);
        if (!(span > 0)) {
            span = Math.max(1.0, Math.abs(minX) + Math.abs(minY)) * 0.1; // one point: a small window around it
        }
        double half = span * 0.55; // half the span plus a 5 % margin on each side
        double cx = (minX + maxX) / 2;
        double cy = (minY + maxY) / 2;
        return new double[] {cx - half, cx + half, cy - half, cy + half};
    }

    /** {xs, ys} of one loss curve: finite values only, bucket-averaged if long, optionally smoothed. */
    static double[][] curve(List<Double> values, double smoothing) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            Double v = values.get(i);
            if (v != null && Double.isFinite(v)) {
                pts.add(new double[] {i, v});
            }
        }
        int bucket = Math.max(1, (pts.size() + MAX_CURVE_POINTS - 1) / MAX_CURVE_POINTS);
        int m = (pts.size() + bucket - 1) / bucket;
        double[] xs = new double[m];
        double[] ys = new double[m];
        for (int k = 0; k < m; k++) {
            int from = k * bucket;
            int to = Math.min(pts.size(), from + bucket);
            double sx = 0;
            double sy = 0;
            for (int j = from; j < to; j++) {
                sx += pts.get(j)[0];
                sy += pts.get(j)[1];
            }
            xs[k] = sx / (to - from);
            ys[k] = sy / (to - from);
        }
        if (smoothing > 0) {
            // Debiased EMA (as TensorBoard does): dividing by 1 - w^t removes the pull towards 0 at the start.
            double avg = 0;
            double weight = 1;
            for (int k = 0; k < m; k++) {
                avg = smoothing * avg + (1 - smoothing) * ys[k];
                weight *= smoothing;
                ys[k] = avg / (1 - weight);
            }
        }
        return new double[][] {xs, ys};
    }

    private static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static String nonNull(String title) {
        return title == null ? "" : title;
    }

    private static void write(BufferedImage img, Path png) {
        Objects.requireNonNull(png, "png");
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(img, "png", png.toFile())) {
                throw new IllegalStateException("no PNG writer available in javax.imageio");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }
}
