package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.DataShape;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Checkpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GanParadigmTest {

    /** Small nets so that every test runs in well under a second per configuration. */
    private static final Map<String, Object> TINY = Map.of("hidden", 16, "layers", 2, "latent_dim", 4);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Map<String, Object> tiny(Map<String, Object> more) {
        Map<String, Object> m = new LinkedHashMap<>(TINY);
        m.putAll(more);
        return m;
    }

    private GanParadigm points(Map<String, Object> overrides, long seed) {
        return Fixtures.create(manager, DataShape.points(2), tiny(overrides), seed);
    }

    private Map<String, Double> ringStep(GanParadigm gan, Random random, int batch) {
        return Fixtures.step(gan, manager, Fixtures.ring(random, batch), new long[] {batch, 2}, null);
    }

    private static float[] sample(GanParadigm gan, int seed, int n) {
        Engine.getInstance().setRandomSeed(seed);
        Samples s = gan.sample(SampleRequest.of(n));
        float[] v = s.data().toFloatArray();
        s.data().close();
        return v;
    }

    @Test
    void isAServiceWithDocumentedRanges() {
        ParadigmProvider provider = ServiceLoader.load(ParadigmProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("gan")).findFirst().orElseThrow();
        assertEquals(GenlabApi.VERSION, provider.apiVersion());
        ParamSchema schema = provider.parameters();
        assertEquals(List.of("minimax", "non_saturating", "wgan_gp", "hinge", "lsgan"),
                schema.get("loss").orElseThrow().choices());
        // The framework rejects out-of-range values before create() from these bounds.
        assertRange(schema, "lr_g", 1e-6, 1.0);
        assertRange(schema, "lr_d", 1e-6, 1.0);
        assertRange(schema, "n_critic", 1, 50);
        assertRange(schema, "pack", 1, 16);
        assertRange(schema, "label_smoothing", 0, 0.5);
        assertRange(schema, "beta1", 0, 0.999);
        assertRange(schema, "unroll_steps", 0, 50);
        for (ParamSpec p : schema.params()) {
            assertFalse(p.description().isBlank(), p.name() + " needs a description");
        }
    }

    private static void assertRange(ParamSchema schema, String name, double min, double max) {
        ParamSpec p = schema.get(name).orElseThrow();
        assertEquals(min, p.min(), 1e-12, name);
        assertEquals(max, p.max(), 1e-12, name);
    }

    @Test
    void contradictoryParametersFailCreateWithAFix() {
        DataShape points = DataShape.points(2);
        DataShape digits = DataShape.image(1, 28, 28, 10);
        record Bad(DataShape shape, Map<String, Object> params, String message) {}
        List<Bad> bad = List.of(
                new Bad(points, Map.of("loss", "wgan_gp", "label_smoothing", 0.1), "label_smoothing"),
                new Bad(points, Map.of("loss", "hinge", "label_smoothing", 0.1), "set it to 0"),
                new Bad(points, Map.of("conditional", true), "needs labelled data"),
                new Bad(digits, Map.of("conditional", true, "pack", 2), "cannot be combined"),
                new Bad(points, Map.of("loss", "wgan_gp", "unroll_steps", 3), "third-order"),
                new Bad(digits, Map.of("unroll_steps", 2), "unroll_through: false"),
                new Bad(points, Map.of("architecture", "conv"), "architecture: conv needs"),
                new Bad(DataShape.image(1, 30, 30, 0), Map.of("architecture", "conv"), "divisible by 4"));
        for (Bad b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fixtures.create(manager, b.shape(), b.params(), 0), b.params().toString());
            assertTrue(e.getMessage().contains(b.message()), e.getMessage());
        }
        // The shape-free rules are also reported all at once before training (genlab validate).
        List<String> problems = new GanProvider().validate(Fixtures.params(Map.of("loss", "wgan_gp",
                "label_smoothing", 0.1, "unroll_steps", 3, "conditional", true, "pack", 2)));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(new GanProvider().validate(Fixtures.params(Map.of())).isEmpty());
        // The same options are fine where they make sense.
        Fixtures.create(manager, digits, Map.of("conditional", true, "channels", 4), 0).close();
        Fixtures.create(manager, digits, Map.of("unroll_steps", 2, "unroll_through", false, "channels", 4), 0).close();
        Fixtures.create(manager, DataShape.image(1, 30, 30, 0), tiny(Map.of()), 0).close(); // auto: MLP
        // Too small a batch for packing fails the step, naming the fix.
        try (GanParadigm gan = points(Map.of("pack", 4), 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ringStep(gan, new Random(0), 7));
            assertTrue(e.getMessage().contains("raise train.batch_size to 8"), e.getMessage());
        }
    }

    @Test
    void trainingIsDeterministicForASeed() {
        Map<String, Object> options = Map.of("spectral_norm", true, "minibatch_disc", 4, "instance_noise", 0.1,
                "loss", "wgan_gp", "n_critic", 2);
        List<Map<String, Double>> first = new ArrayList<>();
        List<Map<String, Double>> second = new ArrayList<>();
        float[] samplesA;
        float[] samplesB;
        float[] samplesC;
        try (GanParadigm a = points(options, 7); GanParadigm b = points(options, 7);
                GanParadigm c = points(options, 8)) {
            Random ra = new Random(1);
            Random rb = new Random(1);
            for (int s = 0; s < 4; s++) {
                Engine.getInstance().setRandomSeed(100 + s);
                first.add(ringStep(a, ra, 32));
                Engine.getInstance().setRandomSeed(100 + s);
                second.add(ringStep(b, rb, 32));
            }
            samplesA = sample(a, 5, 20);
            samplesB = sample(b, 5, 20);
            samplesC = sample(c, 5, 20);
        }
        assertEquals(first, second);
        assertArrayEquals(samplesA, samplesB);
        assertFalse(java.util.Arrays.equals(samplesA, samplesC), "another seed must give another GAN");
    }

    @Test
    void everyOptionTrainsWithFiniteLossesAndReportsDOutputs() {
        List<Map<String, Object>> configs = List.of(
                Map.of("loss", "minimax"),
                Map.of("loss", "non_saturating", "label_smoothing", 0.1),
                Map.of("loss", "wgan_gp", "n_critic", 3, "beta1", 0.0, "beta2", 0.9),
                Map.of("loss", "hinge", "spectral_norm", true, "lr_d", 4e-4, "lr_g", 1e-4),
                Map.of("loss", "lsgan", "instance_noise", 0.2, "instance_noise_anneal", 2),
                Map.of("minibatch_disc", 4, "minibatch_stddev", true),
                Map.of("feature_matching", true),
                Map.of("unroll_steps", 2),
                Map.of("unroll_steps", 2, "unroll_through", false, "spectral_norm", true),
                Map.of("pack", 4, "minibatch_stddev", true));
        Random random = new Random(2);
        for (Map<String, Object> config : configs) {
            try (GanParadigm gan = points(config, 3)) {
                for (int s = 0; s < 3; s++) {
                    Map<String, Double> r = ringStep(gan, random, 32);
                    for (String key : List.of("loss_d", "loss_g", "d_real", "d_fake")) {
                        assertTrue(Double.isFinite(r.get(key)), config + ": " + key + " = " + r.get(key));
                    }
                    assertEquals("wgan_gp".equals(config.get("loss")), r.containsKey("gp"), config.toString());
                    if (Objective.of(gan.config().objective().key()).probabilistic()) {
                        assertTrue(r.get("d_real") > 0 && r.get("d_real") < 1, "D(x) is a probability: " + r);
                    }
                }
                Samples s = gan.sample(SampleRequest.of(10));
                assertEquals(new Shape(10, 2), s.data().getShape());
                assertNull(s.labels());
                assertEquals(1, s.evaluationsPerSample());
                s.data().close();
            }
        }
    }

    @Test
    void convNetsTrainOnImagesConditionallyAndSampleTheRequestedLabels() {
        DataShape images = DataShape.image(1, 8, 8, 3);
        Random random = new Random(4);
        for (Map<String, Object> config : List.<Map<String, Object>>of(
                Map.of("conditional", true, "minibatch_stddev", true),
                Map.of("loss", "wgan_gp", "conditional", true, "spectral_norm", true, "minibatch_disc", 2),
                Map.of("unroll_steps", 1, "unroll_through", false, "pack", 2, "image_range", "zero_one"))) {
            Map<String, Object> params = new LinkedHashMap<>(config);
            params.put("channels", 4);
            params.put("latent_dim", 4);
            try (GanParadigm gan = Fixtures.create(manager, images, params, 5)) {
                float[] data = new float[16 * 64];
                int[] labels = new int[16];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) Math.tanh(random.nextGaussian());
                }
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = i % 3;
                }
                for (int s = 0; s < 2; s++) {
                    Map<String, Double> r = Fixtures.step(gan, manager, data, new long[] {16, 1, 8, 8}, labels);
                    assertTrue(Double.isFinite(r.get("loss_d")) && Double.isFinite(r.get("loss_g")), r.toString());
                }
                boolean conditional = Boolean.TRUE.equals(config.get("conditional"));
                assertEquals(conditional, gan.capability(ConditionalModel.class).isPresent(), config.toString());
                int[] wanted = {2, 0, 1, 2};
                Samples s = gan.sample(new SampleRequest(4, wanted, null, null));
                assertEquals(new Shape(4, 1, 8, 8), s.data().getShape());
                float[] px = s.data().toFloatArray();
                float lo = "zero_one".equals(config.get("image_range")) ? 0f : -1f;
                for (float v : px) {
                    assertTrue(v >= lo && v <= 1f, "pixel " + v + " outside the data range");
                }
                if (conditional) {
                    assertArrayEquals(wanted, s.labels());
                    assertEquals(3, gan.capability(ConditionalModel.class).orElseThrow().numClasses());
                    // Same z, different labels: the label must change the image.
                    Engine.getInstance().setRandomSeed(9);
                    float[] as0 = gan.sample(new SampleRequest(1, new int[] {0}, null, null)).data().toFloatArray();
                    Engine.getInstance().setRandomSeed(9);
                    float[] as1 = gan.sample(new SampleRequest(1, new int[] {1}, null, null)).data().toFloatArray();
                    assertFalse(java.util.Arrays.equals(as0, as1));
                } else {
                    assertNull(s.labels());
                }
                s.data().close();
            }
        }
    }

    @Test
    void nonSaturatingGanLearnsAShiftedGaussian() {
        Random random = new Random(6);
        try (GanParadigm gan = points(Map.of("lr_g", 2e-3, "lr_d", 2e-3, "hidden", 32), 1)) {
            float[] before = sample(gan, 1, 500);
            for (int s = 0; s < 300; s++) {
                float[] xy = new float[2 * 64];
                for (int i = 0; i < 64; i++) {
                    xy[2 * i] = (float) (3 + 0.5 * random.nextGaussian());
                    xy[2 * i + 1] = (float) (-2 + 0.5 * random.nextGaussian());
                }
                Fixtures.step(gan, manager, xy, new long[] {64, 2}, null);
            }
            float[] after = sample(gan, 1, 500);
            double[] mBefore = mean(before);
            double[] mAfter = mean(after);
            double distBefore = Math.hypot(mBefore[0] - 3, mBefore[1] + 2);
            double distAfter = Math.hypot(mAfter[0] - 3, mAfter[1] + 2);
            assertTrue(distBefore > 2, "starts away from the data: " + distBefore);
            assertTrue(distAfter < 0.5, "sample mean (" + mAfter[0] + ", " + mAfter[1] + ") should approach (3, -2)");
        }
    }

    @Test
    void packingJoinsConsecutiveExamplesAndInstanceNoiseDecaysLinearly() {
        try (GanParadigm gan = points(Map.of("pack", 2, "instance_noise", 0.4, "instance_noise_anneal", 100), 0)) {
            NDArray x = manager.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(4, 2));
            NDArray packed = gan.training.discriminatorInput(manager, x, 0f);
            assertEquals(new Shape(2, 4), packed.getShape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, packed.toFloatArray(), 0f);
            GanConfig c = gan.config();
            assertEquals(0.4f, c.noiseAt(0), 1e-7f);
            assertEquals(0.3f, c.noiseAt(25), 1e-6f);
            assertEquals(0f, c.noiseAt(100), 0f);
            assertEquals(0f, c.noiseAt(5000), 0f, "stays off after the anneal");
        }
        try (GanParadigm gan = points(Map.of("instance_noise", 0.4), 0)) {
            assertEquals(0.4f, gan.config().noiseAt(5000), 0f, "anneal 0 keeps the noise constant");
        }
    }

    /**
     * A spectrally normalised hinge critic starts almost constant (each normalised layer passes a typical
     * vector with gain well below 1, so the loss starts at ≈ 2) and must still learn to separate the data
     * from a generator held still: the check that the failure of hinge + SN at equal learning rates on
     * grid25 (plugins/gan/README.md) comes from the generator outrunning the critic, not from a broken
     * normalisation or loss.
     */
    @Test
    void spectrallyNormalisedHingeCriticSeparatesWhenTheGeneratorIsHeld() {
        Random random = new Random(7);
        try (GanParadigm gan = points(Map.of("loss", "hinge", "spectral_norm", true, "lr_g", 1e-6, "lr_d", 2e-3,
                "hidden", 32), 1)) {
            double first = 0;
            double last = 0;
            for (int s = 0; s < 100; s++) {
                float[] xy = new float[2 * 64];
                for (int i = 0; i < 64; i++) {
                    xy[2 * i] = (float) (3 + 0.5 * random.nextGaussian());
                    xy[2 * i + 1] = (float) (-2 + 0.5 * random.nextGaussian());
                }
                double lossD = Fixtures.step(gan, manager, xy, new long[] {64, 2}, null).get("loss_d");
                if (s < 5) {
                    first += lossD / 5;
                } else if (s >= 90) {
                    last += lossD / 10;
                }
            }
            assertTrue(first > 1.5, "an SN critic starts nearly constant: hinge loss " + first);
            assertTrue(last < 0.5, "the SN critic should separate data ~3.6 away: hinge loss " + last);
        }
    }

    private static double[] mean(float[] xy) {
        double[] m = new double[2];
        for (int i = 0; i < xy.length / 2; i++) {
            m[0] += xy[2 * i] / (xy.length / 2.0);
            m[1] += xy[2 * i + 1] / (xy.length / 2.0);
        }
        return m;
    }

    @Test
    void unrollThroughGivesTheExactGradientOfTheUnrolledLoss() {
        Random random = new Random(8);
        // Smooth ingredients only: the L1 distances of minibatch discrimination put sign() into D's weight
        // gradient, which makes the unrolled loss jump and a finite difference meaningless.
        try (GanParadigm gan = points(Map.of("unroll_steps", 5, "lr_d", 0.1, "hidden", 8, "layers", 1,
                "spectral_norm", true), 2)) {
            for (int s = 0; s < 2; s++) {
                ringStep(gan, random, 16); // non-trivial Adam moments to unroll from
            }
            try (NDManager s = gan.model.open()) {
                NDArray z = s.randomNormal(new Shape(16, 4));
                NDArray real = s.create(Fixtures.ring(random, 16), new Shape(16, 2));
                NDArray[] stored = gan.model.generator.weights.stored();
                Adam.State dw = gan.model.adamD.start();
                NDArray[] gw = gan.model.generator.weights.views(s);
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    c.backward(gan.training.generatorObjective(s, gw, dw, z, real, null, 0f, Generator.Mode.TRAIN));
                }
                NDArray[] direction = new NDArray[stored.length];
                double analytic = 0;
                for (int i = 0; i < stored.length; i++) {
                    direction[i] = s.randomNormal(stored[i].getShape());
                    analytic += gw[i].getGradient().mul(direction[i]).sum().getFloat();
                }
                double numeric = 0;
                for (float h : new float[] {1e-3f, 3e-3f}) {
                    double plus = gan.training.generatorObjective(s, shifted(stored, direction, h), dw, z, real, null, 0f,
                            Generator.Mode.TRAIN).getFloat();
                    double minus = gan.training.generatorObjective(s, shifted(stored, direction, -h), dw, z, real, null, 0f,
                            Generator.Mode.TRAIN).getFloat();
                    numeric = (plus - minus) / (2 * h);
                    assertEquals(numeric, analytic, 0.01 * Math.abs(numeric) + 1e-4, "through the unrolled steps, h=" + h);
                }

                // The surrogate (unrolled D held constant) misses D's response, so it must differ clearly.
                NDArray fixed = gan.model.generator.forward(stored, z, null, Generator.Mode.TRAIN);
                NDArray[] unrolled = gan.training.unrollSurrogate(gan.model.adamD.start(), real, fixed, null)
                        .params();
                NDArray[] gs = gan.model.generator.weights.views(s);
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    NDArray fake = gan.model.generator.forward(gs, z, null, Generator.Mode.TRAIN);
                    c.backward(Objective.NON_SATURATING.generatorLoss(
                            gan.model.discriminator.forward(unrolled, fake, null).logits));
                }
                double surrogate = 0;
                for (int i = 0; i < stored.length; i++) {
                    surrogate += gs[i].getGradient().mul(direction[i]).sum().getFloat();
                }
                assertTrue(Math.abs(surrogate - numeric) > 0.05 * Math.abs(numeric),
                        "surrogate " + surrogate + " vs full " + numeric + ": the test would not tell them apart");
            }
        }
    }

    private static NDArray[] shifted(NDArray[] base, NDArray[] direction, float h) {
        NDArray[] out = new NDArray[base.length];
        for (int i = 0; i < base.length; i++) {
            out[i] = base[i].add(direction[i].mul(h));
        }
        return out;
    }

    @Test
    void saveAndLoadRestoreTheFullTrainingState() throws IOException {
        Random random = new Random(3);
        Map<String, Object> options = Map.of("spectral_norm", true, "minibatch_stddev", true);
        byte[] saved;
        try (GanParadigm a = points(options, 1); GanParadigm b = points(options, 2)) {
            for (int s = 0; s < 5; s++) {
                ringStep(a, random, 32);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.save(out);
            saved = out.toByteArray();
            b.load(new ByteArrayInputStream(saved));
            assertArrayEquals(sample(a, 4, 30), sample(b, 4, 30));
            // The next step agrees only if the Adam moments, step counts and SN vectors came along.
            float[] next = Fixtures.ring(random, 32);
            Engine.getInstance().setRandomSeed(77);
            Map<String, Double> ra = Fixtures.step(a, manager, next, new long[] {32, 2}, null);
            Engine.getInstance().setRandomSeed(77);
            Map<String, Double> rb = Fixtures.step(b, manager, next, new long[] {32, 2}, null);
            assertEquals(ra, rb);
            assertArrayEquals(sample(a, 5, 30), sample(b, 5, 30));
        }
        try (GanParadigm other = points(Map.of(), 1)) {
            IOException e = assertThrows(IOException.class, () -> other.load(new ByteArrayInputStream(saved)));
            // genlab-nn's checkpoint says which entries differ, and changes nothing.
            assertInstanceOf(Checkpoint.CheckpointException.class, e);
            assertTrue(e.getMessage().contains("other networks or options"), e.getMessage());
            assertThrows(IOException.class, () -> other.load(new ByteArrayInputStream(new byte[] {1, 2, 3, 4})));
        }
    }

    /**
     * The conv nets' checkpoint: batch-norm running statistics (which only sampling uses) and the class
     * embedding come along, so a fresh instance samples the same images and takes the bit-identical next step.
     */
    @Test
    void saveAndLoadRestoreConvNetsWithBatchNormStatistics() throws IOException {
        DataShape images = DataShape.image(1, 8, 8, 3);
        Map<String, Object> params = Map.of("channels", 4, "latent_dim", 4, "conditional", true);
        Random random = new Random(12);
        float[] data = new float[16 * 64];
        int[] labels = new int[16];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.tanh(random.nextGaussian());
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
        }
        long[] shape = {16, 1, 8, 8};
        try (GanParadigm a = Fixtures.create(manager, images, params, 1);
                GanParadigm b = Fixtures.create(manager, images, params, 2)) {
            for (int s = 0; s < 3; s++) {
                Fixtures.step(a, manager, data, shape, labels);
            }
            assertFalse(java.util.Arrays.equals(sample(a, 4, 6), sample(b, 4, 6)), "different seeds differ");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.save(out);
            b.load(new ByteArrayInputStream(out.toByteArray()));
            assertArrayEquals(sample(a, 4, 6), sample(b, 4, 6));
            Engine.getInstance().setRandomSeed(78);
            Map<String, Double> ra = Fixtures.step(a, manager, data, shape, labels);
            Engine.getInstance().setRandomSeed(78);
            Map<String, Double> rb = Fixtures.step(b, manager, data, shape, labels);
            assertEquals(ra, rb);
            assertArrayEquals(sample(a, 5, 6), sample(b, 5, 6));
        }
    }

    @Test
    void countsTrainableParametersPerNetwork() {
        // MLP, latent 4, hidden 16, 2 layers, 2-D data, minibatch discrimination A=3 x C=5.
        try (GanParadigm gan = points(Map.of("minibatch_disc", 3), 0)) {
            long g = (4 * 16 + 16) + (16 * 16 + 16) + (16 * 2 + 2);
            long d = (2 * 16 + 16) + (16 * 16 + 16) + 16 * 15 + (16 + 3) + 1;
            assertEquals(Map.of("generator", g, "discriminator", d), gan.parameterCounts());
        }
        // DCGAN-style on 1×28×28 with c = 8, conditional on 10 classes (latent 64 + one-hot 10).
        try (GanParadigm gan = Fixtures.create(manager, DataShape.image(1, 28, 28, 10),
                Map.of("channels", 8, "conditional", true), 0)) {
            long g = 74L * 16 * 49 + 2 * 16 + 16L * 8 * 16 + 2 * 8 + 8L * 16 + 1;
            long d = 8L * 16 + 8 + 16L * 8 * 16 + 16 + (16L * 49 + 1) + 10L * 16 * 49;
            assertEquals(Map.of("generator", g, "discriminator", d), gan.parameterCounts());
            assertNotEquals(0L, g);
        }
    }
}
