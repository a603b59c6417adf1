package dev.genlab.plugin.vaegan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.LatentModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The VAE-GAN on real DJL arrays: losses, shapes, determinism, parameter checks, save and load. */
class VaeGanParadigmTest {

    private static final DataShape POINTS = DataShape.points(2);
    private static final DataShape DIGITS = DataShape.image(1, 28, 28, 10);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Params params(Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new VaeGanProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        return new Params(values);
    }

    /** Seeds the engine as the framework does right before {@code create}. */
    private VaeGanParadigm create(DataShape shape, Map<String, Object> overrides, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        return assertInstanceOf(VaeGanParadigm.class, new VaeGanProvider().create(
                new ParadigmSetup(params(overrides), shape, manager, Device.cpu(), seed, new Random(seed))));
    }

    /** n points from 4 Gaussians of std 0.05 at (±1, ±1). */
    private static float[] fourModes(Random random, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            int mode = random.nextInt(4);
            xy[2 * i] = (float) ((mode % 2 == 0 ? 1 : -1) + 0.05 * random.nextGaussian());
            xy[2 * i + 1] = (float) ((mode / 2 == 0 ? 1 : -1) + 0.05 * random.nextGaussian());
        }
        return xy;
    }

    private StepResult step(VaeGanParadigm p, float[] values, Shape shape, boolean d, boolean enc, boolean dec) {
        try (NDManager batch = manager.newSubManager()) {
            return p.trainStep(new Batch(batch.create(values, shape), null), d, enc, dec);
        }
    }

    @Test
    void eachUpdateLowersItsOwnLossOnAFixedBatch() {
        float[] data = fourModes(new Random(1), 256);
        Shape shape = new Shape(256, 2);
        for (String network : List.of("loss_d", "loss_enc", "loss_dec")) {
            try (VaeGanParadigm p = create(POINTS, Map.of("latent_dim", 2, "lr", 2e-3, "lr_d", 2e-3), 7);
                    NDManager fixed = manager.newSubManager()) {
                NDArray x = fixed.create(data, shape);
                NDArray eps = fixed.randomNormal(new Shape(256, 2));
                NDArray zPrior = fixed.randomNormal(new Shape(256, 2));
                double before = p.losses(x, eps, zPrior).get(network);
                for (int i = 0; i < 5; i++) {
                    step(p, data, shape, network.equals("loss_d"), network.equals("loss_enc"), network.equals("loss_dec"));
                }
                double after = p.losses(x, eps, zPrior).get(network);
                assertTrue(after < before, network + " went from " + before + " to " + after);
            }
        }
    }

    @Test
    void aFullStepReportsEveryLossAndTrainingFitsTheModes() {
        Random random = new Random(3);
        try (VaeGanParadigm p = create(POINTS, Map.of("latent_dim", 2), 3)) {
            StepResult first = step(p, fourModes(random, 128), new Shape(128, 2), true, true, true);
            assertEquals(List.of("loss_d", "d_real", "d_fake", "loss_enc", "kl", "recon_feat", "loss_dec"),
                    List.copyOf(first.values().keySet()));
            first.values().values().forEach(v -> assertTrue(Double.isFinite(v), first.toString()));
            for (int i = 0; i < 400; i++) {
                p.trainStep(new Batch(manager.create(fourModes(random, 128), new Shape(128, 2)), null));
            }
            Samples s = p.sample(SampleRequest.of(1000));
            float[] xy = s.data().toFloatArray();
            int near = 0;
            boolean[] seen = new boolean[4];
            for (int i = 0; i < 1000; i++) {
                float x = xy[2 * i];
                float y = xy[2 * i + 1];
                double dist = Math.hypot(Math.abs(x) - 1, Math.abs(y) - 1);
                if (dist < 0.3) {
                    near++;
                    seen[(x > 0 ? 0 : 1) + (y > 0 ? 0 : 2)] = true;
                }
            }
            // Untrained, the decoder maps N(0, I) to a blob around the origin: almost nothing lies near (±1, ±1).
            assertTrue(near > 500, near + " of 1000 samples near a mode");
            for (boolean b : seen) {
                assertTrue(b, "a mode is never sampled: " + Arrays.toString(seen));
            }
            s.data().close();
        }
    }

    @Test
    void shapesAndParameterCountsOfBothArchitectures() {
        try (VaeGanParadigm p = create(POINTS, Map.of("latent_dim", 3, "hidden", 16, "layers", 2), 1)) {
            Samples s = p.sample(SampleRequest.of(2500));
            assertEquals(new Shape(2500, 2), s.data().getShape());
            assertEquals(1, s.evaluationsPerSample());
            LatentModel latent = p.capability(LatentModel.class).orElseThrow();
            NDArray z = latent.encode(s.data());
            assertEquals(new Shape(2500, 3), z.getShape());
            assertEquals(new Shape(2500, 2), latent.decode(z).getShape());
            // encoder 2→16→16→6, decoder 3→16→16→2, discriminator 2→16→16→1 (weights + biases)
            assertEquals(Map.of("encoder", 48L + 272 + 102, "decoder", 64L + 272 + 34, "discriminator", 48L + 272 + 17),
                    p.parameterCounts());
        }
        try (VaeGanParadigm p = create(DIGITS, Map.of("latent_dim", 4, "hidden", 32, "channels", 4), 1)) {
            float[] images = new float[8 * 784];
            Random r = new Random(0);
            for (int i = 0; i < images.length; i++) {
                images[i] = r.nextFloat();
            }
            StepResult result = step(p, images, new Shape(8, 1, 28, 28), true, true, true);
            result.values().values().forEach(v -> assertTrue(Double.isFinite(v), result.toString()));
            Samples s = p.sample(SampleRequest.of(5));
            assertEquals(new Shape(5, 1, 28, 28), s.data().getShape());
            assertEquals(new Shape(5, 4), p.capability(LatentModel.class).orElseThrow().encode(s.data()).getShape());
            assertEquals(List.of("encoder", "decoder", "discriminator"), List.copyOf(p.parameterCounts().keySet()));
        }
    }

    @Test
    void theSeedFixesEverything() {
        float[][] a = run(5);
        float[][] b = run(5);
        float[][] c = run(6);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(Arrays.equals(a[1], c[1]));
    }

    /** @return {losses of 5 steps, samples} of a fresh model */
    private float[][] run(int seed) {
        Random data = new Random(11);
        try (VaeGanParadigm p = create(POINTS, Map.of(), seed)) {
            float[] losses = new float[5 * 7];
            for (int i = 0; i < 5; i++) {
                StepResult r = step(p, fourModes(data, 64), new Shape(64, 2), true, true, true);
                int k = 0;
                for (double v : r.values().values()) {
                    losses[i * 7 + k++] = (float) v;
                }
            }
            Samples s = p.sample(SampleRequest.of(50));
            float[] samples = s.data().toFloatArray();
            s.data().close();
            return new float[][] {losses, samples};
        }
    }

    @Test
    void badParametersAreRejected() {
        IllegalArgumentException conv = assertThrows(IllegalArgumentException.class,
                () -> create(POINTS, Map.of("architecture", "conv"), 1));
        assertTrue(conv.getMessage().contains("architecture conv"), conv.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> create(DataShape.image(1, 30, 30, 0), Map.of("architecture", "conv"), 1));
        IllegalArgumentException lr = assertThrows(IllegalArgumentException.class,
                () -> create(POINTS, Map.of("lr", -0.1), 1));
        assertTrue(lr.getMessage().contains("lr") && lr.getMessage().contains("outside"), lr.getMessage());
        assertThrows(IllegalArgumentException.class, () -> create(POINTS, Map.of("latent_dim", 0L), 1));
        assertThrows(IllegalArgumentException.class, () -> create(POINTS, Map.of("gamma", Double.NaN), 1));
        assertThrows(IllegalArgumentException.class, () -> create(POINTS, Map.of("architecture", "resnet"), 1));
        // auto picks an MLP for images whose sides are not divisible by 4
        try (Paradigm p = create(DataShape.image(1, 30, 30, 0), Map.of("hidden", 8), 1)) {
            assertEquals(3, p.parameterCounts().size());
        }
    }

    @Test
    void saveAndLoadRestoreTheWholeTrainingState() throws IOException {
        Random data = new Random(5);
        float[] b1 = fourModes(data, 64);
        float[] b2 = fourModes(data, 64);
        Shape shape = new Shape(64, 2);
        byte[] saved;
        float[] continued;
        byte[] afterNext;
        try (VaeGanParadigm p = create(POINTS, Map.of(), 1)) {
            step(p, b1, shape, true, true, true);
            saved = bytes(p);
            Engine.getInstance().setRandomSeed(77);
            continued = values(step(p, b2, shape, true, true, true));
            afterNext = bytes(p);
        }
        try (VaeGanParadigm q = create(POINTS, Map.of(), 2)) {
            q.load(new ByteArrayInputStream(saved));
            assertArrayEquals(saved, bytes(q), "a loaded model saves what it loaded");
            Engine.getInstance().setRandomSeed(77);
            // Same weights and Adam moments: the next step reports exactly the same losses...
            assertArrayEquals(continued, values(step(q, b2, shape, true, true, true)));
            // ...and leaves bit-identical weights, moments and counts.
            assertArrayEquals(afterNext, bytes(q), "the resumed step differs from the uninterrupted one");
        }
        try (VaeGanParadigm r = create(POINTS, Map.of(), 3)) {
            ByteArrayOutputStream before = new ByteArrayOutputStream();
            r.save(before);
            assertThrows(IOException.class,
                    () -> r.load(new ByteArrayInputStream(Arrays.copyOf(saved, saved.length - 10))));
            ByteArrayOutputStream after = new ByteArrayOutputStream();
            r.save(after);
            assertArrayEquals(before.toByteArray(), after.toByteArray(), "a failed load changed the model");
        }
        try (VaeGanParadigm other = create(POINTS, Map.of("hidden", 64), 1)) {
            IOException e = assertThrows(IOException.class, () -> other.load(new ByteArrayInputStream(saved)));
            assertTrue(e.getMessage().contains("layout"), e.getMessage());
        }
    }

    private static byte[] bytes(Paradigm p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.save(out);
        return out.toByteArray();
    }

    private static float[] values(StepResult r) {
        float[] out = new float[r.values().size()];
        int i = 0;
        for (double v : r.values().values()) {
            out[i++] = (float) v;
        }
        return out;
    }
}
