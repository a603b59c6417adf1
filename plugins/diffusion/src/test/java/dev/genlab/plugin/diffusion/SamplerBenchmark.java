package dev.genlab.plugin.diffusion;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark (not a unit test): trains one model on ring8 or grid25 and samples the same weights
 * with several samplers, printing wall time, network evaluations per sample, modes covered and
 * high-quality % (PacGAN's definitions). Run with
 * {@code mvn -o test -pl plugins/diffusion -Dtest=SamplerBenchmark -Dgenlab.benchmark=ring8}
 * (or {@code grid25}); {@code -Dsteps=N} and {@code -Dseed=S} change the budget and seed,
 * {@code -Drepeats=R} times each sampler R times and reports the fastest, {@code -Dp.NAME=VALUE} overrides a
 * parameter of the trained model, and scatter plots go to {@code -Dout=DIR} (default /tmp).
 */
class SamplerBenchmark {

    @Test
    @EnabledIfSystemProperty(named = "genlab.benchmark", matches = "ring8|grid25")
    void compareSamplersOnOneModel() throws IOException {
        String data = System.getProperty("genlab.benchmark");
        int steps = Integer.getInteger("steps", 3000);
        long seed = Long.getLong("seed", 0);
        int n = Integer.getInteger("samples", 2500);
        int repeats = Integer.getInteger("repeats", 1);
        double[][] centres = data.equals("ring8") ? ring() : grid();
        double std = data.equals("ring8") ? 0.01 : 0.05;
        Random random = new Random(seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            byte[] state;
            long t0 = System.nanoTime();
            try (DiffusionParadigm p = create(manager, Map.of(), seed)) {
                for (int s = 0; s < steps; s++) {
                    try (NDManager batch = manager.newSubManager()) {
                        p.trainStep(new Batch(batch.create(draw(random, centres, std, 256), new Shape(256, 2)), null));
                    }
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                p.save(out);
                state = out.toByteArray();
            }
            System.out.printf("%s: trained %d steps in %.1f s%n", data, steps, (System.nanoTime() - t0) / 1e9);
            Object[][] samplers = {
                {"ddpm", 1000L, "uniform", 0.0},
                {"ddim", 50L, "uniform", 0.0},
                {"ddim", 50L, "quadratic", 0.0},
                {"ddim", 100L, "uniform", 0.0},
                {"dpm_solver", 20L, "logsnr", 0.0},
                {"dpm_solver", 50L, "logsnr", 0.0},
            };
            for (Object[] c : samplers) {
                try (DiffusionParadigm p = create(manager, Map.of("sampler", c[0], "sample_steps", c[1],
                        "spacing", c[2], "eta", c[3]), seed)) {
                    p.load(new ByteArrayInputStream(state));
                    // The fastest of several timings: on a shared machine the others only add load noise.
                    double seconds = Double.MAX_VALUE;
                    float[] xy = null;
                    Samples samples = null;
                    for (int r = 0; r < repeats; r++) {
                        long t = System.nanoTime();
                        samples = p.sample(SampleRequest.of(n));
                        float[] values = samples.data().toFloatArray();
                        seconds = Math.min(seconds, (System.nanoTime() - t) / 1e9);
                        samples.data().close();
                        xy = xy == null ? values : xy;
                    }
                    int[] counts = new int[centres.length];
                    int hq = 0;
                    for (int i = 0; i < n; i++) {
                        int best = 0;
                        double bestD = Double.MAX_VALUE;
                        for (int k = 0; k < centres.length; k++) {
                            double d = Math.hypot(xy[2 * i] - centres[k][0], xy[2 * i + 1] - centres[k][1]);
                            if (d < bestD) {
                                bestD = d;
                                best = k;
                            }
                        }
                        if (bestD < 3 * std) {
                            hq++;
                            counts[best]++;
                        }
                    }
                    double[] nearest = new double[n];
                    for (int i = 0; i < n; i++) {
                        double bestD = Double.MAX_VALUE;
                        for (double[] ctr : centres) {
                            bestD = Math.min(bestD, Math.hypot(xy[2 * i] - ctr[0], xy[2 * i + 1] - ctr[1]));
                        }
                        nearest[i] = bestD / std;
                    }
                    java.util.Arrays.sort(nearest);
                    System.out.printf("   distance to nearest mode / std: median %.2f, 90%% %.2f, 99%% %.2f%n",
                            nearest[n / 2], nearest[n * 9 / 10], nearest[n * 99 / 100]);
                    scatter(xy, centres, Path.of(System.getProperty("out", "/tmp"),
                            "scatter-" + data + "-" + c[0] + "-" + c[1] + ".png"));
                    int covered = 0;
                    for (int k : counts) {
                        covered += k > 0 ? 1 : 0;
                    }
                    System.out.printf("%-10s %4d %-9s nfe %4d  %6.2f s  modes %2d/%d  hq %5.1f %%%n", c[0], c[1], c[2],
                            samples.evaluationsPerSample(), seconds, covered, centres.length, 100.0 * hq / n);
                }
            }
        }
    }

    private static void scatter(float[] xy, double[][] centres, Path file) throws IOException {
        double extent = 0;
        for (double[] c : centres) {
            extent = Math.max(extent, Math.max(Math.abs(c[0]), Math.abs(c[1])));
        }
        extent *= 1.3;
        int size = 600;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(size, size,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, size, size);
        g.setColor(java.awt.Color.RED);
        for (int i = 0; i < xy.length / 2; i++) {
            int px = (int) ((xy[2 * i] / extent + 1) / 2 * size);
            int py = (int) ((1 - xy[2 * i + 1] / extent) / 2 * size);
            g.fillRect(px, py, 2, 2);
        }
        g.setColor(java.awt.Color.BLUE);
        for (double[] c : centres) {
            int px = (int) ((c[0] / extent + 1) / 2 * size);
            int py = (int) ((1 - c[1] / extent) / 2 * size);
            g.drawOval(px - 4, py - 4, 8, 8);
        }
        javax.imageio.ImageIO.write(img, "png", file.toFile());
    }

    private static DiffusionParadigm create(NDManager manager, Map<String, Object> overrides, long seed) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new DiffusionProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("p.")) {
                String v = System.getProperty(key);
                Object parsed = v.matches("-?\\d+") ? (Object) Long.parseLong(v)
                        : v.matches("-?[\\d.eE+-]+") ? (Object) Double.parseDouble(v) : v;
                values.put(key.substring(2), parsed);
            }
        }
        Engine.getInstance().setRandomSeed((int) seed);
        return (DiffusionParadigm) new DiffusionProvider().create(new ParadigmSetup(new Params(values),
                DataShape.points(2), manager, Device.cpu(), seed, new Random(seed)));
    }

    private static float[] draw(Random random, double[][] centres, double std, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double[] c = centres[random.nextInt(centres.length)];
            xy[2 * i] = (float) (c[0] + std * random.nextGaussian());
            xy[2 * i + 1] = (float) (c[1] + std * random.nextGaussian());
        }
        return xy;
    }

    private static double[][] ring() {
        double[][] c = new double[8][];
        for (int k = 0; k < 8; k++) {
            c[k] = new double[] {Math.cos(2 * Math.PI * k / 8), Math.sin(2 * Math.PI * k / 8)};
        }
        return c;
    }

    private static double[][] grid() {
        double[][] c = new double[25][];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                c[i * 5 + j] = new double[] {-4 + 2 * i, -4 + 2 * j};
            }
        }
        return c;
    }
}
