package dev.genlab.plugin.diffusion;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark (not a unit test) for sizing the MNIST configuration: reads gzip'ed IDX digits from
 * {@code -Dgenlab.mnist=DIR}, trains the conditional U-Net for {@code -Dsteps} steps (batch
 * {@code -Dbatch}), prints the mean step time, and writes guided and unguided sample grids (one row per
 * digit) to {@code -Dout}. Parameters override with {@code -Dp.NAME=VALUE}; {@code -Dsave=FILE} keeps the
 * trained state and {@code -Dload=FILE} samples a saved one without training (e.g. with other sampler
 * parameters, which the saved state does not fix); {@code -Dnll=N} prints the variational bound on the
 * first N images.
 */
class MnistBenchmark {

    @Test
    @EnabledIfSystemProperty(named = "genlab.mnist", matches = ".+")
    void trainAndDrawGrids() throws IOException {
        Path dir = Path.of(System.getProperty("genlab.mnist"));
        int steps = Integer.getInteger("steps", 300);
        String tag = System.getProperty("tag", "");
        int batch = Integer.getInteger("batch", 64);
        Path out = Path.of(System.getProperty("out", "/tmp"));
        float[] images = readImages(dir.resolve("digits-images-idx3-ubyte.gz"));
        int[] labels = readLabels(dir.resolve("digits-labels-idx1-ubyte.gz"));
        int n = labels.length;
        Random random = new Random(0);
        try (NDManager manager = NDManager.newBaseManager(); DiffusionParadigm p = create(manager)) {
            String load = System.getProperty("load");
            if (load != null) {
                try (InputStream in = Files.newInputStream(Path.of(load))) {
                    p.load(in);
                }
                steps = 0;
            }
            long t0 = System.nanoTime();
            for (int s = 1; s <= steps; s++) {
                float[] x = new float[batch * 784];
                int[] y = new int[batch];
                for (int j = 0; j < batch; j++) {
                    int k = random.nextInt(n);
                    System.arraycopy(images, k * 784, x, j * 784, 784);
                    y[j] = labels[k];
                }
                double loss;
                try (NDManager m = manager.newSubManager()) {
                    loss = p.trainStep(new Batch(m.create(x, new Shape(batch, 1, 28, 28)), m.create(y)))
                            .values().get("loss");
                }
                if (s % 100 == 0) {
                    System.out.printf("step %d loss %.4f  %.0f ms/step%n", s, loss, (System.nanoTime() - t0) / 1e6 / s);
                }
            }
            String save = System.getProperty("save");
            if (save != null) {
                try (java.io.OutputStream o = Files.newOutputStream(Path.of(save))) {
                    p.save(o);
                }
            }
            int nllImages = Integer.getInteger("nll", 0);
            if (nllImages > 0) {
                long t = System.nanoTime();
                double nats;
                try (NDManager m = manager.newSubManager()) {
                    float[] x = java.util.Arrays.copyOf(images, nllImages * 784);
                    int[] y = java.util.Arrays.copyOf(labels, nllImages);
                    nats = p.capability(dev.genlab.api.LikelihoodModel.class).orElseThrow().nllNatsPerDim(new Batch(m.create(x, new Shape(nllImages, 1, 28, 28)), m.create(y)));
                }
                System.out.printf("variational bound on %d images: %.4f nats/dim = %.4f bits/dim (%.1f s)%n",
                        nllImages, nats, nats / Math.log(2), (System.nanoTime() - t) / 1e9);
            }
            int[] wanted = new int[100];
            for (int i = 0; i < 100; i++) {
                wanted[i] = i / 10;
            }
            for (double w : new double[] {0, 3}) {
                long t = System.nanoTime();
                Samples samples = p.sample(new SampleRequest(100, wanted, w, null));
                float[] v = samples.data().toFloatArray();
                samples.data().close();
                System.out.printf("guidance %.0f: 100 samples in %.1f s (nfe %d)%n", w, (System.nanoTime() - t) / 1e9,
                        samples.evaluationsPerSample());
                BufferedImage grid = new BufferedImage(280, 280, BufferedImage.TYPE_BYTE_GRAY);
                for (int i = 0; i < 100; i++) {
                    for (int px = 0; px < 784; px++) {
                        int g = (int) Math.round(Math.max(0, Math.min(1, (v[i * 784 + px] + 1) / 2)) * 255);
                        grid.getRaster().setSample((i % 10) * 28 + px % 28, (i / 10) * 28 + px / 28, 0, g);
                    }
                }
                ImageIO.write(grid, "png", out.resolve("mnist" + tag + "-guidance-" + (int) w + ".png").toFile());
            }
        }
    }

    private static DiffusionParadigm create(NDManager manager) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new DiffusionProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("p.")) {
                String v = System.getProperty(key);
                Object parsed = v.matches("-?\\d+") ? (Object) Long.parseLong(v)
                        : v.matches("-?[\\d.eE+-]+") ? (Object) Double.parseDouble(v) : v;
                values.put(key.substring(2), parsed);
            }
        }
        Engine.getInstance().setRandomSeed(0);
        return (DiffusionParadigm) new DiffusionProvider().create(new ParadigmSetup(new Params(values),
                DataShape.image(1, 28, 28, 10), manager, Device.cpu(), 0, new Random(0)));
    }

    private static float[] readImages(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            in.readInt();
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] bytes = new byte[n * rows * cols];
            in.readFully(bytes);
            float[] out = new float[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = (bytes[i] & 0xff) / 127.5f - 1f;
            }
            return out;
        }
    }

    private static int[] readLabels(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            in.readInt();
            int n = in.readInt();
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = in.readUnsignedByte();
            }
            return out;
        }
    }
}
