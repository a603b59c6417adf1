package dev.genlab.plugin.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.DataShape;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DiffusionParadigmTest {

    private static final DataShape POINTS = DataShape.points(2);
    private static final DataShape DIGITS = DataShape.image(1, 8, 8, 10);
    /** A small, fast configuration for points; tests override what they exercise. */
    private static final Map<String, Object> SMALL = Map.of("timesteps", 50L, "width", 32L, "depth", 2L,
            "warmup", 0L, "sample_steps", 10L);
    /** A tiny U-Net on 8×8 images. */
    private static final Map<String, Object> TINY_UNET = Map.of("timesteps", 50L, "channels", 8L, "time_dim", 16L,
            "warmup", 0L, "sample_steps", 5L);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Params params(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new DiffusionProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(base);
        values.putAll(overrides);
        return new Params(values);
    }

    /** Creates a paradigm the way the framework does: engine seeded, then create. */
    private DiffusionParadigm create(DataShape shape, Map<String, Object> base, Map<String, Object> overrides,
            long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Paradigm p = new DiffusionProvider().create(new ParadigmSetup(params(base, overrides), shape, manager,
                Device.cpu(), seed, new Random(seed)));
        return assertInstanceOf(DiffusionParadigm.class, p);
    }

    /** n points of ring8: 8 modes of std 0.01 on the unit circle. */
    private static float[] ring(Random random, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = 2 * Math.PI * random.nextInt(8) / 8;
            xy[2 * i] = (float) (Math.cos(angle) + 0.01 * random.nextGaussian());
            xy[2 * i + 1] = (float) (Math.sin(angle) + 0.01 * random.nextGaussian());
        }
        return xy;
    }

    /** n 8×8 "digits" in [-1, 1]: class c lights row c % 8, on 256 grey levels. */
    private static float[] digits(Random random, int[] labels) {
        float[] x = new float[labels.length * 64];
        for (int i = 0; i < labels.length; i++) {
            for (int p = 0; p < 64; p++) {
                boolean on = p / 8 == labels[i] % 8;
                double level = on ? 230 + random.nextInt(26) : random.nextInt(20);
                x[i * 64 + p] = (float) (level / 127.5 - 1);
            }
        }
        return x;
    }

    private double train(Paradigm p, float[] data, int[] labels, Shape shape) {
        try (NDManager batch = manager.newSubManager()) {
            NDArray y = labels == null ? null : batch.create(labels);
            return p.trainStep(new Batch(batch.create(data, shape), y)).values().get("loss");
        }
    }

    private static float[] samples(Paradigm p, SampleRequest request) {
        Samples s = p.sample(request);
        float[] v = s.data().toFloatArray();
        s.data().close();
        return v;
    }

    /** The bound through the capability the framework uses. */
    private static double nll(Paradigm p, Batch batch) {
        return p.capability(LikelihoodModel.class).orElseThrow().nllNatsPerDim(batch);
    }

    private static byte[] saved(Paradigm p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.save(out);
        return out.toByteArray();
    }

    @Test
    void isAServiceOfTheCurrentApiWithDocumentedDefaults() {
        ParadigmProvider provider = ServiceLoader.load(ParadigmProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("diffusion")).findFirst().orElseThrow();
        assertEquals(GenlabApi.VERSION, provider.apiVersion());
        assertEquals(1000L, provider.parameters().get("timesteps").orElseThrow().defaultValue());
        // The schema's range is what rejects T < 1 at validation, before any trial exists.
        assertEquals(1.0, provider.parameters().get("timesteps").orElseThrow().min());
        assertEquals("ancestral", provider.parameters().get("sampler").orElseThrow().defaultValue());
        assertEquals(0.999, provider.parameters().get("ema_decay").orElseThrow().defaultValue());
    }

    @Test
    void oneTrainingStepLowersTheLossOnAFixedBatch() {
        Random random = new Random(1);
        float[] points = ring(random, 256);
        try (DiffusionParadigm p = create(POINTS, SMALL, Map.of(), 0);
                NDManager m = manager.newSubManager()) {
            Batch batch = new Batch(m.create(points, new Shape(256, 2)), null);
            double before = p.lossAt(batch, 1);
            double reported = p.trainStep(batch).values().get("loss");
            assertEquals(before, reported, 1e-6, "the step reports the loss of its own draws");
            double after = p.lossAt(batch, 1);
            assertTrue(after < before, "mlp: " + before + " -> " + after);
        }
        int[] labels = random.ints(32, 0, 10).toArray();
        float[] images = digits(random, labels);
        try (DiffusionParadigm p = create(DIGITS, TINY_UNET, Map.of("lr", 3e-3), 0);
                NDManager m = manager.newSubManager()) {
            Batch batch = new Batch(m.create(images, new Shape(32, 1, 8, 8)), m.create(labels));
            double before = p.lossAt(batch, 1);
            p.trainStep(batch);
            double after = p.lossAt(batch, 1);
            assertTrue(after < before, "unet: " + before + " -> " + after);
        }
    }

    @Test
    void samplersReturnTheRequestedShapeAndCountTheirNetworkEvaluations() {
        Random random = new Random(2);
        float[] points = ring(random, 64);
        Map<String, Object> chunked = new LinkedHashMap<>(SMALL);
        chunked.put("sample_batch", 3L);
        for (String[] c : new String[][] {{"ddpm", "50"}, {"ancestral", "10"}, {"ddim", "10"}, {"dpm_solver", "10"}}) {
            try (DiffusionParadigm p = create(POINTS, chunked, Map.of("sampler", c[0]), 0)) {
                train(p, points, null, new Shape(64, 2));
                Samples s = p.sample(SampleRequest.of(7));
                assertEquals(new Shape(7, 2), s.data().getShape(), c[0]);
                assertEquals(Integer.parseInt(c[1]), s.evaluationsPerSample(), c[0]);
                assertNull(s.labels());
                for (float v : s.data().toFloatArray()) {
                    assertTrue(Float.isFinite(v), c[0]);
                }
                s.data().close();
                // The request's step count overrides the configured one.
                Samples three = p.sample(new SampleRequest(2, null, null, 3));
                assertEquals(3, three.evaluationsPerSample(), c[0]);
                three.data().close();
                assertThrows(IllegalArgumentException.class, () -> p.sample(new SampleRequest(2, null, null, 51)));
            }
        }
        int[] labels = {3, 1, 4, 1, 5};
        try (DiffusionParadigm p = create(DIGITS, TINY_UNET, Map.of(), 0)) {
            train(p, digits(random, random.ints(16, 0, 10).toArray()), random.ints(16, 0, 10).toArray(),
                    new Shape(16, 1, 8, 8));
            Samples plain = p.sample(new SampleRequest(5, labels, 0.0, null));
            assertEquals(new Shape(5, 1, 8, 8), plain.data().getShape());
            assertEquals(5, plain.evaluationsPerSample());
            assertArrayEquals(labels, plain.labels());
            plain.data().close();
            // Guidance evaluates the conditional and the unconditional model at every step.
            Samples guided = p.sample(new SampleRequest(5, labels, 3.0, null));
            assertEquals(10, guided.evaluationsPerSample());
            guided.data().close();
            // Without labels a conditional model samples from its unconditional half, unguided.
            Samples free = p.sample(SampleRequest.of(2));
            assertEquals(5, free.evaluationsPerSample());
            assertNull(free.labels());
            free.data().close();
            assertThrows(IllegalArgumentException.class,
                    () -> p.sample(new SampleRequest(1, new int[] {10}, null, null)));
        }
    }

    @Test
    void requestOptionsSwitchTheSamplerOnTheSameWeightsAndAreChecked() {
        Random random = new Random(4);
        float[] points = ring(random, 64);
        try (DiffusionParadigm p = create(POINTS, SMALL, Map.of("sampler", "ddim", "sample_steps", 10L), 0)) {
            train(p, points, null, new Shape(64, 2));
            assertTrue(new DiffusionProvider().parameters().params().stream().map(ParamSpec::name).toList()
                    .containsAll(new DiffusionProvider().samplingParameters()));
            Samples ddpm = p.sample(new SampleRequest(4, null, null, null, new Params(Map.of("sampler", "ddpm"))));
            assertEquals(50, ddpm.evaluationsPerSample()); // all T steps of SMALL
            ddpm.data().close();
            Samples five = p.sample(new SampleRequest(4, null, null, null, new Params(Map.of("sample_steps", 5L))));
            assertEquals(5, five.evaluationsPerSample());
            five.data().close();
            Samples own = p.sample(SampleRequest.of(4)); // options never stick
            assertEquals(10, own.evaluationsPerSample());
            own.data().close();
            // Cross-parameter rules hold for options too: guidance needs a conditional model.
            assertThrows(IllegalArgumentException.class, () -> p.sample(new SampleRequest(4, null, null, null,
                    new Params(Map.of("guidance_scale", 2.0)))));
        }
    }

    @Test
    void theSameSeedGivesTheSameModelAndSamplesAndAnotherSeedDoesNot() throws IOException {
        Random random = new Random(3);
        float[][] batches = {ring(random, 128), ring(random, 128), ring(random, 128)};
        try (DiffusionParadigm a = create(POINTS, SMALL, Map.of("sampler", "ddpm"), 7);
                DiffusionParadigm b = create(POINTS, SMALL, Map.of("sampler", "ddpm"), 7);
                DiffusionParadigm c = create(POINTS, SMALL, Map.of("sampler", "ddpm"), 8)) {
            for (float[] batch : batches) {
                double la = train(a, batch, null, new Shape(128, 2));
                assertEquals(la, train(b, batch, null, new Shape(128, 2)));
                train(c, batch, null, new Shape(128, 2));
            }
            assertArrayEquals(saved(a), saved(b));
            assertFalse(Arrays.equals(saved(a), saved(c)));
            float[] first = samples(a, SampleRequest.of(20));
            assertArrayEquals(first, samples(b, SampleRequest.of(20)));
            assertFalse(Arrays.equals(first, samples(c, SampleRequest.of(20))));
            // A second call draws new noise (it is not the same sample set again).
            assertFalse(Arrays.equals(first, samples(a, SampleRequest.of(20))));
        }
    }

    @Test
    void trainingDoesNotDependOnSamplingParametersOrOnSamplingInBetween() throws IOException {
        Random random = new Random(4);
        int[] labels = random.ints(16, 0, 10).toArray();
        float[] images = digits(random, labels);
        try (DiffusionParadigm ddim = create(DIGITS, TINY_UNET, Map.of("sampler", "ddim", "guidance_scale", 0.0), 5);
                DiffusionParadigm solver = create(DIGITS, TINY_UNET,
                        Map.of("sampler", "dpm_solver", "sample_steps", 3L, "guidance_scale", 3.0,
                                "spacing", "logsnr"), 5)) {
            for (int s = 0; s < 3; s++) {
                assertEquals(train(ddim, images, labels, new Shape(16, 1, 8, 8)),
                        train(solver, images, labels, new Shape(16, 1, 8, 8)));
                samples(solver, new SampleRequest(4, new int[] {0, 1, 2, 3}, null, null));
            }
            float[][] a = ddim.trainingArrays();
            float[][] b = solver.trainingArrays();
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(a[i], b[i], "trials differing only in sampling parameters must train identical "
                        + "weights (array " + i + ")");
            }
        }
    }

    @Test
    void crossParameterConflictsAreRejectedWithTheirNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionConfig.from(params(Map.of("timesteps", 20L, "sample_steps", 50L), Map.of()), POINTS));
        assertTrue(e.getMessage().contains("sample_steps (50) exceeds timesteps (20)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> create(POINTS,
                Map.of("timesteps", 20L, "sample_steps", 50L, "sampler", "dpm_solver"), Map.of(), 0));
        // ddpm walks all T steps and ignores sample_steps.
        assertEquals(20, DiffusionConfig.from(params(Map.of("timesteps", 20L, "sample_steps", 50L,
                "sampler", "ddpm"), Map.of()), POINTS).stepsFor(null));

        e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionConfig.from(params(Map.of("guidance_scale", 2.0), Map.of()), POINTS));
        assertTrue(e.getMessage().contains("no labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DiffusionConfig.from(
                params(Map.of("guidance_scale", 2.0, "label_dropout", 0.0), Map.of()), DIGITS));
        assertTrue(e.getMessage().contains("label_dropout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionConfig.from(params(Map.of("network", "unet"), Map.of()), POINTS));
        assertTrue(e.getMessage().contains("network 'unet'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DiffusionConfig.from(
                params(Map.of("patch", 4L), Map.of()), DataShape.image(1, 28, 28, 0)));
        assertTrue(e.getMessage().contains("divisible by 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionConfig.from(params(Map.of("time_dim", 33L), Map.of()), POINTS));
        assertTrue(e.getMessage().contains("time_dim"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionConfig.from(params(Map.of("beta_start", 0.1), Map.of()), POINTS));
        assertTrue(e.getMessage().contains("beta_start"), e.getMessage());

        // The provider reports every shape-free conflict at once, before training (genlab validate).
        List<String> all = new DiffusionProvider().validate(params(Map.of("timesteps", 20L, "sample_steps", 50L,
                "time_dim", 33L, "beta_start", 0.1, "guidance_scale", 1.0, "label_dropout", 0.0), Map.of()));
        assertEquals(4, all.size(), all.toString());
        assertTrue(all.get(0).contains("sample_steps (50) exceeds timesteps (20)"), all.toString());
        assertTrue(new DiffusionProvider().validate(params(Map.of(), Map.of())).isEmpty());

        DiffusionConfig fine = DiffusionConfig.from(params(Map.of(), Map.of()), DataShape.image(1, 28, 28, 10));
        assertEquals("unet", fine.network());
        assertEquals(10, fine.classes());
        assertEquals("mlp", DiffusionConfig.from(params(Map.of(), Map.of()), POINTS).network());
    }

    @Test
    void offersConditioningOnlyWhenItReallyConditions() {
        try (DiffusionParadigm labelled = create(DIGITS, TINY_UNET, Map.of(), 0);
                DiffusionParadigm noDropout = create(DIGITS, TINY_UNET, Map.of("label_dropout", 0.0), 0);
                DiffusionParadigm ignoring = create(DIGITS, TINY_UNET, Map.of("conditional", false), 0);
                DiffusionParadigm points = create(POINTS, SMALL, Map.of(), 0)) {
            ConditionalModel c = labelled.capability(ConditionalModel.class).orElseThrow();
            assertEquals(10, c.numClasses());
            assertTrue(c.supportsGuidance());
            assertFalse(noDropout.capability(ConditionalModel.class).orElseThrow().supportsGuidance());
            assertTrue(ignoring.capability(ConditionalModel.class).isEmpty());
            assertTrue(points.capability(ConditionalModel.class).isEmpty());
            assertTrue(points.capability(LikelihoodModel.class).isPresent());
            // The class table only exists for the conditional network.
            assertTrue(labelled.parameterCounts().get("denoiser") > ignoring.parameterCounts().get("denoiser"));
        }
    }

    /**
     * The variational bound, per dimension, of the best ε-predictor for data N(0, s²): E[ε | x_t] makes each
     * L_{t−1} = coefficient · Var(ε | x_t) = coefficient · ᾱ s² / (ᾱ s² + 1 − ᾱ), L_0 = Var(ε | x_1) / (2 α_1)
     * + ½ log(2π β_1), and L_T = ½ (ᾱ_T s² + 1 − ᾱ_T − 1 − log(1 − ᾱ_T)). With the fixed reverse variance
     * β̃ this is well above the data's entropy for small T (Nichol &amp; Dhariwal 2021).
     */
    private static double oracleBound(NoiseSchedule q, double variance) {
        int t = q.timesteps();
        double aT = q.alphaBar(t - 1);
        double bound = 0.5 * (aT * variance - aT - Math.log(1 - aT));
        for (int i = 1; i < t; i++) {
            double a = q.alphaBar(i);
            double residual = a * variance / (a * variance + 1 - a);
            bound += q.beta(i) * q.beta(i) / (2 * q.posteriorVariance(i) * q.alpha(i) * (1 - a)) * residual;
        }
        double a0 = q.alphaBar(0);
        bound += a0 * variance / (a0 * variance + 1 - a0) / (2 * q.alpha(0)) + 0.5 * Math.log(2 * Math.PI * q.beta(0));
        return bound;
    }

    @Test
    void theVariationalBoundIsAnUpperBoundThatTrainingTightens() {
        // Data N(0, 0.5² I) in 2-D. Its entropy ½ log(2πe · 0.25) bounds any model's cross-entropy from
        // below; the best ε-predictor's bound (oracleBound) bounds this model's expected bound from below.
        double entropy = 0.5 * Math.log(2 * Math.PI * Math.E * 0.25);
        Random random = new Random(5);
        float[] test = new float[2 * 1000];
        for (int i = 0; i < test.length; i++) {
            test[i] = (float) (0.5 * random.nextGaussian());
        }
        Map<String, Object> base = new LinkedHashMap<>(SMALL);
        base.put("lr", 3e-3);
        base.put("ema_decay", 0.0);
        base.put("normalize", false);
        try (DiffusionParadigm exact = create(POINTS, base, Map.of("likelihood_timesteps", 49L), 0);
                DiffusionParadigm estimate = create(POINTS, base, Map.of("likelihood_timesteps", 10L), 0);
                NDManager m = manager.newSubManager()) {
            Batch batch = new Batch(m.create(test, new Shape(1000, 2)), null);
            double best = oracleBound(exact.schedule(), 0.25);
            assertTrue(best > entropy, "oracle " + best + " vs entropy " + entropy);
            float[] train = new float[2 * 256];
            double initial = Double.NaN;
            for (int s = 0; s < 100; s++) {
                for (int i = 0; i < train.length; i++) {
                    train[i] = (float) (0.5 * random.nextGaussian());
                }
                train(exact, train, null, new Shape(256, 2));
                train(estimate, train, null, new Shape(256, 2));
                if (s == 0) {
                    initial = nll(exact, batch);
                    assertEquals(initial, nll(exact, batch), "fixed randomness: same batch, same bound");
                }
            }
            double trained = nll(exact, batch);
            assertTrue(trained < initial, "training should tighten the bound: " + initial + " -> " + trained);
            assertTrue(trained > best - 0.1, "bound " + trained + " below the best possible " + best);
            assertTrue(trained < best + 0.5, "bound " + trained + " far above the best possible " + best);
            // 10 stratified terms estimate the sum of all 49 (identical weights: same seed and batches).
            assertEquals(trained, nll(estimate, batch), 0.05 * Math.abs(trained));
        }
    }

    @Test
    void theBoundsStrataCoverEveryStepOnceAndIsolateTheFirstSteps() {
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 7, 10, 15, 23, 34, 50}, DiffusionLikelihood.strata(49, 10));
        for (int[] c : new int[][] {{999, 100}, {999, 999}, {999, 5000}, {1, 10}, {49, 1}}) {
            int[] b = DiffusionLikelihood.strata(c[0], c[1]);
            assertEquals(Math.min(c[0], c[1]) + 1, b.length);
            assertEquals(1, b[0]);
            assertEquals(c[0] + 1, b[b.length - 1]);
            for (int j = 1; j < b.length; j++) {
                assertTrue(b[j] > b[j - 1], Arrays.toString(c));
            }
        }
        assertEquals(0, DiffusionLikelihood.strata(0, 10).length - 1, "T = 1 has no intermediate terms");
    }

    @Test
    void theImageBoundIsADiscreteLikelihoodAndNonNegative() {
        Random random = new Random(6);
        int[] labels = random.ints(16, 0, 10).toArray();
        float[] images = digits(random, labels);
        try (DiffusionParadigm p = create(DIGITS, TINY_UNET, Map.of("likelihood_timesteps", 5L), 0);
                NDManager m = manager.newSubManager()) {
            train(p, images, labels, new Shape(16, 1, 8, 8));
            double nll = nll(p, new Batch(m.create(images, new Shape(16, 1, 8, 8)), m.create(labels)));
            assertTrue(Double.isFinite(nll) && nll > 0, "nats/dim " + nll);
        }
    }

    /** Drops and recycles direct buffers, so a tensor still pointing into a dead one shows other values. */
    static void churnDirectMemory() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            java.util.List<java.nio.ByteBuffer> junk = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1 << 16);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
            junk.clear();
        }
    }

    @Test
    void saveAndLoadRestoreTheWholeTrainingState() throws IOException {
        Random random = new Random(7);
        float[] first = ring(random, 128);
        float[] next = ring(random, 128);
        // b starts from another seed: everything after load must come from the saved state, seed included.
        try (DiffusionParadigm a = create(POINTS, SMALL, Map.of(), 0);
                DiffusionParadigm b = create(POINTS, SMALL, Map.of(), 9)) {
            for (int s = 0; s < 3; s++) {
                train(a, first, null, new Shape(128, 2));
            }
            byte[] state = saved(a);
            b.load(new ByteArrayInputStream(state));
            churnDirectMemory(); // loaded weights must be copies, not views of a collectable buffer
            assertArrayEquals(state, saved(b));
            assertArrayEquals(samples(a, SampleRequest.of(10)), samples(b, SampleRequest.of(10)));
            // The next step matches only if weights, average, Adam's moments, step count and the
            // standardisation all came along.
            assertEquals(train(a, next, null, new Shape(128, 2)), train(b, next, null, new Shape(128, 2)));
            assertArrayEquals(saved(a), saved(b));
        }
        byte[] state;
        try (DiffusionParadigm a = create(POINTS, SMALL, Map.of(), 0)) {
            state = saved(a);
        }
        try (DiffusionParadigm wider = create(POINTS, SMALL, Map.of("width", 48L), 0)) {
            IOException e = assertThrows(IOException.class, () -> wider.load(new ByteArrayInputStream(state)));
            assertTrue(e.getMessage().contains("architecture"), e.getMessage());
            assertThrows(IOException.class, () -> wider.load(new ByteArrayInputStream(new byte[] {1, 2, 3, 4})));
            assertThrows(IOException.class,
                    () -> wider.load(new ByteArrayInputStream(Arrays.copyOf(state, state.length / 2))));
        }
    }

    @Test
    void aConditionalUNetResumesBitForBitFromItsCheckpoint() throws IOException {
        Random random = new Random(10);
        int[] labels = random.ints(16, 0, 10).toArray();
        float[] images = digits(random, labels);
        float[] next = digits(random, labels);
        Shape shape = new Shape(16, 1, 8, 8);
        try (DiffusionParadigm a = create(DIGITS, TINY_UNET, Map.of(), 0);
                DiffusionParadigm b = create(DIGITS, TINY_UNET, Map.of(), 3)) {
            for (int s = 0; s < 2; s++) {
                train(a, images, labels, shape);
            }
            samples(a, new SampleRequest(2, new int[] {1, 2}, 3.0, null)); // advances the sampling counter
            byte[] state = saved(a);
            b.load(new ByteArrayInputStream(state));
            churnDirectMemory();
            assertArrayEquals(state, saved(b));
            assertEquals(train(a, next, labels, shape), train(b, next, labels, shape));
            assertArrayEquals(saved(a), saved(b));
            int[] wanted = {4, 5, 6};
            assertArrayEquals(samples(a, new SampleRequest(3, wanted, 2.0, null)),
                    samples(b, new SampleRequest(3, wanted, 2.0, null)));
        }
    }

    @Test
    void aCheckpointOfAnotherScheduleIsRefusedAndChangesNothing() throws IOException {
        // Same network, so the same names and shapes: only the fingerprint tells the schedules apart.
        Random random = new Random(11);
        float[] points = ring(random, 64);
        try (DiffusionParadigm linear = create(POINTS, SMALL, Map.of(), 0);
                DiffusionParadigm cosine = create(POINTS, SMALL, Map.of("schedule", "cosine"), 1)) {
            train(linear, points, null, new Shape(64, 2));
            train(cosine, points, null, new Shape(64, 2));
            byte[] before = saved(cosine);
            IOException e = assertThrows(IOException.class,
                    () -> cosine.load(new ByteArrayInputStream(saved(linear))));
            assertTrue(e.getMessage().contains("noise schedule"), e.getMessage());
            assertArrayEquals(before, saved(cosine), "a refused checkpoint leaves the model as it was");
            // Nor does a damaged one change anything.
            byte[] original = saved(linear);
            byte[] damaged = original.clone();
            damaged[damaged.length / 2] ^= 1;
            assertThrows(IOException.class, () -> linear.load(new ByteArrayInputStream(damaged)));
            assertArrayEquals(original, saved(linear));
        }
    }

    @Test
    void learnsTwoSeparatedModes() {
        // 1-D data at ±1 with std 0.05: a short training must put most samples near a mode, on both sides.
        Random random = new Random(8);
        try (DiffusionParadigm p = create(DataShape.points(1), Map.of("timesteps", 100L, "width", 32L, "depth", 2L,
                "sample_steps", 20L, "lr", 3e-3, "ema_decay", 0.9, "warmup", 10L), Map.of(), 0)) {
            float[] data = new float[256];
            for (int s = 0; s < 150; s++) {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) ((random.nextBoolean() ? 1 : -1) + 0.05 * random.nextGaussian());
                }
                train(p, data, null, new Shape(256, 1));
            }
            float[] x = samples(p, SampleRequest.of(1000));
            int left = 0;
            int right = 0;
            for (float v : x) {
                left += Math.abs(v + 1) < 0.25 ? 1 : 0;
                right += Math.abs(v - 1) < 0.25 ? 1 : 0;
            }
            assertTrue(left + right > 800, (left + right) + " of 1000 samples within 0.25 of a mode");
            assertTrue(left > 300 && right > 300, "left " + left + ", right " + right);
        }
    }
}
