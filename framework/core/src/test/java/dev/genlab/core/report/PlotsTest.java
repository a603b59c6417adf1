package dev.genlab.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path dir;

    private final Plots plots = new Plots();

    private static float[][] blob(int n, float cx, float cy, float std, long seed) {
        Random rnd = new Random(seed);
        float[][] p = new float[n][2];
        for (int i = 0; i < n; i++) {
            p[i][0] = cx + (float) (rnd.nextGaussian() * std);
            p[i][1] = cy + (float) (rnd.nextGaussian() * std);
        }
        return p;
    }

    private static BufferedImage read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "not a decodable image: " + png);
        return img;
    }

    /** {count, mean x, mean y} of pixels in the generated colour (red dominating, alpha-blended on white). */
    private static double[] generatedPixels(BufferedImage img) {
        long count = 0;
        double sx = 0;
        double sy = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (r > 150 && r - g > 60 && r - b > 60) {
                    count++;
                    sx += x;
                    sy += y;
                }
            }
        }
        return new double[] {count, count == 0 ? -1 : sx / count, count == 0 ? -1 : sy / count};
    }

    /** Pixels of the faint grey of real points (neutral, between grid-line grey and text black). */
    private static long greyPixels(BufferedImage img) {
        long count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.abs(r - g) <= 2 && Math.abs(g - b) <= 2 && r >= 140 && r <= 225) {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    void scatterDrawsGeneratedPointsWhereTheyAre() throws IOException {
        float[][] real = blob(5000, 0, 0, 1f, 1); // more than MAX_SCATTER_POINTS: subsampled
        Path upperRight = dir.resolve("nested/ur.png");
        Path lowerLeft = dir.resolve("ll.png");
        plots.scatter(real, blob(300, 2.5f, 2.5f, 0.1f, 2), upperRight, "upper right");
        plots.scatter(real, blob(300, -2.5f, -2.5f, 0.1f, 3), lowerLeft, "lower left");

        BufferedImage ur = read(upperRight);
        BufferedImage ll = read(lowerLeft);
        assertEquals(Plots.SCATTER_WIDTH, ur.getWidth());
        assertEquals(Plots.SCATTER_HEIGHT, ur.getHeight());
        double[] a = generatedPixels(ur);
        double[] b = generatedPixels(ll);
        assertTrue(a[0] > 100 && b[0] > 100, "generated colour missing: " + a[0] + ", " + b[0]);
        // Image y grows downwards: upper right = larger x, smaller y.
        assertTrue(a[1] > ur.getWidth() / 2.0 && a[2] < ur.getHeight() / 2.0, Arrays.toString(a));
        assertTrue(b[1] < ll.getWidth() / 2.0 && b[2] > ll.getHeight() / 2.0, Arrays.toString(b));
        assertTrue(a[1] - b[1] > 150 && b[2] - a[2] > 150, Arrays.toString(a) + " vs " + Arrays.toString(b));
    }

    @Test
    void scatterDrawsRealPointsInGreyAndSurvivesNonFiniteAndEmptyInput() throws IOException {
        float[][] generated = blob(200, 1, 1, 0.2f, 4);
        Path withReal = dir.resolve("with.png");
        Path withoutReal = dir.resolve("without.png");
        plots.scatter(blob(2000, -1, -1, 0.3f, 5), generated, withReal, "t");
        plots.scatter(new float[0][], generated, withoutReal, "t");
        assertTrue(greyPixels(read(withReal)) > greyPixels(read(withoutReal)) + 2000);

        // A diverged model: NaN/Inf samples are dropped, the plot is still written.
        float[][] bad = {{Float.NaN, 0}, {0, Float.POSITIVE_INFINITY}, {0.5f, 0.5f}};
        Path diverged = dir.resolve("diverged.png");
        plots.scatter(new float[0][], bad, diverged, "diverged");
        assertEquals(Plots.SCATTER_WIDTH, read(diverged).getWidth());
        Path nothing = dir.resolve("nothing.png");
        plots.scatter(new float[0][], new float[][] {{Float.NaN, Float.NaN}}, nothing, null);
        assertEquals(Plots.SCATTER_HEIGHT, read(nothing).getHeight());

        assertThrows(IllegalArgumentException.class,
                () -> plots.scatter(new float[][] {{1f}}, generated, dir.resolve("x.png"), "t"));
    }

    @Test
    void scatterRangesAreEqualAndCoverBothSets() {
        double[][] real = {{-1, 1}, {-0.1, 0.1}};
        double[][] gen = {{3}, {0}};
        double[] box = Plots.squareRange(real, gen);
        assertEquals(box[1] - box[0], box[3] - box[2], 1e-12);
        assertTrue(box[0] < -1 && box[1] > 3 && box[2] < -0.1 && box[3] > 0.1, Arrays.toString(box));
        assertEquals(4 * 1.1, box[1] - box[0], 1e-12); // 5 % margin each side
        double[] single = Plots.squareRange(new double[][] {{2}, {2}}, new double[][] {{}, {}});
        assertTrue(single[0] < 2 && single[1] > 2 && single[2] < 2 && single[3] > 2, Arrays.toString(single));
    }

    @Test
    void subsamplingIsDeterministicAndEven() {
        int n = 10_000;
        double[][] xy = new double[2][n];
        for (int i = 0; i < n; i++) {
            xy[0][i] = i;
            xy[1][i] = -i;
        }
        double[][] s = Plots.subsample(xy, 3000);
        assertEquals(3000, s[0].length);
        assertArrayEquals(s[0], Plots.subsample(xy, 3000)[0]);
        assertEquals(0, s[0][0]);
        assertTrue(s[0][2999] > 9990, "the whole range is covered");
        assertEquals(-s[0][1234], s[1][1234]); // x and y stay paired
        assertEquals(xy, Plots.subsample(xy, n)); // small enough: untouched
    }

    @Test
    void lossCurvesDropNonFiniteValuesAndHaveTheExpectedSize() throws IOException {
        Map<String, List<Double>> history = new LinkedHashMap<>();
        List<Double> d = new ArrayList<>();
        List<Double> g = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            d.add(0.7 + 0.1 * Math.sin(i / 10.0));
            g.add(i == 150 ? Double.NaN : i == 200 ? Double.POSITIVE_INFINITY : 1.5 - i / 300.0);
        }
        history.put("loss_d", d);
        history.put("loss_g", g);
        history.put("all_nan", List.of(Double.NaN, Double.NEGATIVE_INFINITY));
        Path png = dir.resolve("losses.png");
        plots.lossCurves(history, png, "losses", 0.6);
        BufferedImage img = read(png);
        assertEquals(Plots.CURVES_WIDTH, img.getWidth());
        assertEquals(Plots.CURVES_HEIGHT, img.getHeight());

        Path empty = dir.resolve("empty.png");
        plots.lossCurves(Map.of(), empty, "nothing");
        assertTrue(colouredPixels(img) > colouredPixels(read(empty)) + 500, "no curves drawn");
        assertThrows(IllegalArgumentException.class, () -> plots.lossCurves(history, png, "t", 1.0));
    }

    private static long colouredPixels(BufferedImage img) {
        long count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 40) {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    void curvePointsSkipNonFiniteValuesAndSmoothingIsUnbiased() {
        double[][] c = Plots.curve(Arrays.asList(1.0, Double.NaN, 3.0, Double.POSITIVE_INFINITY, null, 5.0), 0);
        assertArrayEquals(new double[] {0, 2, 5}, c[0]);
        assertArrayEquals(new double[] {1, 3, 5}, c[1]);

        double[][] flat = Plots.curve(List.of(2.0, 2.0, 2.0, 2.0), 0.9);
        for (double v : flat[1]) {
            assertEquals(2.0, v, 1e-12);
        }
        double[][] steps = Plots.curve(List.of(0.0, 10.0), 0.5);
        assertEquals(0.0, steps[1][0], 1e-12);
        assertTrue(steps[1][1] > 0 && steps[1][1] < 10, "smoothed: " + steps[1][1]);

        List<Double> longSeries = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            longSeries.add((double) i);
        }
        double[][] reduced = Plots.curve(longSeries, 0);
        assertTrue(reduced[0].length <= Plots.MAX_CURVE_POINTS && reduced[0].length >= 3000);
        assertEquals(1.0, reduced[1][0], 1e-12); // buckets of ceil(10000 / 4000) = 3: mean of 0, 1, 2
        assertEquals(reduced[0][17], reduced[1][17], 1e-9); // x and y averaged alike
    }

    @Test
    void greyImageGridTilesMatchTheInput() throws IOException {
        int n = 5;
        int h = 3;
        int w = 4;
        float[] px = new float[n * h * w];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i * 37 % 101) / 100f; // varied values in [0, 1]
        }
        px[0] = -0.5f; // clamped to 0
        px[1] = 1.7f; // clamped to 1
        px[2] = Float.NaN; // 0
        Path png = dir.resolve("grid.png");
        plots.imageGrid(px, n, 1, h, w, png, 2);

        BufferedImage img = read(png);
        int p = Plots.GRID_PADDING;
        assertEquals(2 * (w + p) + p, img.getWidth());
        assertEquals(3 * (h + p) + p, img.getHeight());
        Raster raster = img.getRaster();
        assertEquals(1, raster.getNumBands());
        for (int i = 0; i < n; i++) {
            int x0 = p + (i % 2) * (w + p);
            int y0 = p + (i / 2) * (h + p);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = px[(i * h + y) * w + x];
                    int expected = Float.isNaN(v) ? 0 : Math.round(Math.min(1f, Math.max(0f, v)) * 255);
                    assertEquals(expected, raster.getSample(x0 + x, y0 + y, 0), "image " + i + " at " + x + "," + y);
                }
            }
        }
        assertEquals(0, raster.getSample(p, p, 0));
        assertEquals(255, raster.getSample(p + 1, p, 0));
        assertEquals(Plots.GRID_PADDING_LEVEL, raster.getSample(0, 0, 0)); // border
        assertEquals(Plots.GRID_PADDING_LEVEL, raster.getSample(p + (w + p) + 1, p + 2 * (h + p) + 1, 0)); // empty cell
    }

    @Test
    void rgbImageGridKeepsChannelsApart() throws IOException {
        int h = 2;
        int w = 2;
        float[] px = new float[2 * 3 * h * w];
        // image 0: pure red, image 1: (0.2, 0.4, 0.6)
        Arrays.fill(px, 0, h * w, 1f);
        float[] rgb1 = {0.2f, 0.4f, 0.6f};
        for (int c = 0; c < 3; c++) {
            Arrays.fill(px, (3 + c) * h * w, (4 + c) * h * w, rgb1[c]);
        }
        Path png = dir.resolve("rgb.png");
        plots.imageGrid(px, 2, 3, h, w, png, 8);
        BufferedImage img = read(png);
        int p = Plots.GRID_PADDING;
        assertEquals(2 * (w + p) + p, img.getWidth()); // columns capped at n
        assertEquals(h + 2 * p, img.getHeight());
        assertEquals(0xff0000, img.getRGB(p, p) & 0xffffff);
        int expected = (Math.round(0.2f * 255) << 16) | (Math.round(0.4f * 255) << 8) | Math.round(0.6f * 255);
        assertEquals(expected, img.getRGB(p + w + p + 1, p + 1) & 0xffffff);

        assertThrows(IllegalArgumentException.class, () -> plots.imageGrid(px, 2, 4, h, w, png, 2));
        assertThrows(IllegalArgumentException.class, () -> plots.imageGrid(px, 3, 3, h, w, png, 2));
    }
}
