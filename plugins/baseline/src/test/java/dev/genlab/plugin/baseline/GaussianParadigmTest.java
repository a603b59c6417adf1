package dev.genlab.plugin.baseline;

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
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GaussianParadigmTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private GaussianParadigm create(DataShape shape, Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new GaussianProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        Paradigm p = new GaussianProvider().create(
                new ParadigmSetup(new Params(values), shape, manager, Device.cpu(), 0, new Random(0)));
        return assertInstanceOf(GaussianParadigm.class, p);
    }

    /** Trains one step on the given rows, with the batch closed afterwards as the framework does. */
    private double step(Paradigm p, float[] rows, Shape shape) {
        try (NDManager batchManager = manager.newSubManager()) {
            return p.trainStep(new Batch(batchManager.create(rows, shape), null)).values().get("nll");
        }
    }

    /** n draws of N(μ, LLᵀ) in 2-D, with L given by its three lower entries. */
    private static float[] gaussianData(Random random, int n, double[] mu, double l11, double l21, double l22) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double z1 = random.nextGaussian();
            double z2 = random.nextGaussian();
            xy[2 * i] = (float) (mu[0] + l11 * z1);
            xy[2 * i + 1] = (float) (mu[1] + l21 * z1 + l22 * z2);
        }
        return xy;
    }

    private static float[] rows(float[] data, int[] index, int dim) {
        float[] out = new float[index.length * dim];
        for (int i = 0; i < index.length; i++) {
            System.arraycopy(data, index[i] * dim, out, i * dim, dim);
        }
        return out;
    }

    @Test
    void isAServiceOfTheCurrentApi() {
        ParadigmProvider provider = ServiceLoader.load(ParadigmProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("gaussian")).findFirst().orElseThrow();
        assertEquals(GenlabApi.VERSION, provider.apiVersion());
        assertEquals("adam", provider.parameters().get("optimizer").orElseThrow().defaultValue());
        assertEquals(0.05, provider.parameters().get("lr").orElseThrow().defaultValue());
    }

    @Test
    void recoversMeanAndCovarianceOfA2dGaussian() {
        // Σ = [[2, 0.6], [0.6, 0.5]]: L = [[√2, 0], [0.6/√2, √0.32]].
        double[] mu = {1.0, -2.0};
        Random random = new Random(1);
        float[] data = gaussianData(random, 20_000, mu, Math.sqrt(2), 0.6 / Math.sqrt(2), Math.sqrt(0.32));
        Engine.getInstance().setRandomSeed(1);
        // A smaller rate than the default: Adam's steady-state jitter scales with it.
        try (GaussianParadigm p = create(DataShape.points(2), Map.of("lr", 0.02))) {
            double first = 0;
            double last = 0;
            for (int s = 0; s < 400; s++) {
                double nll = step(p, rows(data, random.ints(512, 0, 20_000).toArray(), 2), new Shape(512, 2));
                first = s == 0 ? nll : first;
                last = nll;
            }
            assertTrue(last < first, "nll went from " + first + " to " + last);
            double[] mean = p.mean();
            double[][] sigma = p.covariance();
            assertEquals(1.0, mean[0], 0.08);
            assertEquals(-2.0, mean[1], 0.08);
            assertEquals(2.0, sigma[0][0], 0.15);
            assertEquals(0.6, sigma[0][1], 0.1);
            assertEquals(0.6, sigma[1][0], 0.1);
            assertEquals(0.5, sigma[1][1], 0.06);

            // Its samples follow the fitted distribution too.
            Samples samples = p.sample(SampleRequest.of(20_000));
            assertEquals(new Shape(20_000, 2), samples.data().getShape());
            assertEquals(1, samples.evaluationsPerSample());
            float[] xy = samples.data().toFloatArray();
            double mx = 0;
            double my = 0;
            double cxy = 0;
            for (int i = 0; i < 20_000; i++) {
                mx += xy[2 * i] / 20_000.0;
                my += xy[2 * i + 1] / 20_000.0;
            }
            for (int i = 0; i < 20_000; i++) {
                cxy += (xy[2 * i] - mx) * (xy[2 * i + 1] - my) / 20_000.0;
            }
            assertEquals(mean[0], mx, 0.05);
            assertEquals(mean[1], my, 0.05);
            assertEquals(sigma[0][1], cxy, 0.05);
            samples.data().close();
        }
    }

    @Test
    void nllMatchesTheClosedFormAtInitialisation() {
        // μ = 0, Σ = σ²I with σ = init_std + min_std: −log p(x) / d = ½‖x‖²/(dσ²) + log σ + ½ log 2π.
        try (GaussianParadigm p = create(DataShape.points(2), Map.of("init_std", 2.0, "min_std", 1e-6))) {
            double sigma = 2.0 + 1e-6;
            float[] x = {1f, 1f, 3f, -1f};
            double expected = 0;
            for (int i = 0; i < 2; i++) {
                double sq = x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1];
                expected += (0.5 * sq / (sigma * sigma) + 2 * Math.log(sigma) + Math.log(2 * Math.PI)) / 2 / 2;
            }
            LikelihoodModel lm = p.capability(LikelihoodModel.class).orElseThrow();
            assertEquals(expected, lm.nllNatsPerDim(new Batch(manager.create(x, new Shape(2, 2)), null)), 1e-5);
        }
    }

    @Test
    void nllMatchesTheClosedFormOfTheFittedGaussian() {
        Random random = new Random(2);
        float[] data = gaussianData(random, 2000, new double[] {0.5, 0.5}, 1.0, -0.7, 0.4);
        try (GaussianParadigm p = create(DataShape.points(2), Map.of())) {
            for (int s = 0; s < 50; s++) {
                step(p, rows(data, random.ints(128, 0, 2000).toArray(), 2), new Shape(128, 2));
            }
            double[] mu = p.mean();
            double[][] c = p.covariance();
            double det = c[0][0] * c[1][1] - c[0][1] * c[1][0];
            double expected = 0;
            int n = 500;
            for (int i = 0; i < n; i++) {
                double dx = data[2 * i] - mu[0];
                double dy = data[2 * i + 1] - mu[1];
                // (x−μ)ᵀ Σ⁻¹ (x−μ) with the explicit 2×2 inverse.
                double quad = (c[1][1] * dx * dx - 2 * c[0][1] * dx * dy + c[0][0] * dy * dy) / det;
                expected += (0.5 * quad + 0.5 * Math.log(det) + Math.log(2 * Math.PI)) / 2 / n;
            }
            float[] batch = Arrays.copyOf(data, 2 * n);
            double actual = p.nllNatsPerDim(new Batch(manager.create(batch, new Shape(n, 2)), null));
            assertEquals(expected, actual, 1e-4 * Math.abs(expected) + 1e-5);
        }
    }

    @Test
    void saveAndLoadRestoreWeightsAndOptimiserState() throws IOException {
        Random random = new Random(3);
        float[] data = gaussianData(random, 1000, new double[] {3, 1}, 0.5, 0.2, 0.3);
        byte[] saved;
        try (GaussianParadigm a = create(DataShape.points(2), Map.of());
                GaussianParadigm b = create(DataShape.points(2), Map.of("init_std", 5.0))) {
            for (int s = 0; s < 20; s++) {
                step(a, rows(data, random.ints(64, 0, 1000).toArray(), 2), new Shape(64, 2));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.save(out);
            saved = out.toByteArray();
            b.load(new ByteArrayInputStream(saved));

            assertArrayEquals(sample(a, 7), sample(b, 7));
            // The same next step from both: equal only if Adam's moments and step count came along.
            float[] next = rows(data, random.ints(64, 0, 1000).toArray(), 2);
            assertEquals(step(a, next, new Shape(64, 2)), step(b, next, new Shape(64, 2)));
            assertArrayEquals(bytes(a), bytes(b), "the resumed step differs from the uninterrupted one");
            assertArrayEquals(sample(a, 8), sample(b, 8));
            assertFalse(Arrays.equals(sample(a, 8), sample(a, 9)));
        }
        try (GaussianParadigm three = create(DataShape.points(3), Map.of())) {
            IOException e = assertThrows(IOException.class, () -> three.load(new ByteArrayInputStream(saved)));
            // The checkpoint names the tensor and both shapes: the saved model is 2-D, this one 3-D.
            assertTrue(e.getMessage().contains("'mean' is float32 (2) in the file but float32 (3) here"),
                    e.getMessage());
        }
        try (GaussianParadigm sgd = create(DataShape.points(2), Map.of("optimizer", "sgd"))) {
            assertThrows(IOException.class, () -> sgd.load(new ByteArrayInputStream(saved)));
            assertThrows(IOException.class, () -> sgd.load(new ByteArrayInputStream(new byte[] {1, 2, 3, 4})));
        }
    }

    private static byte[] bytes(Paradigm p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.save(out);
        return out.toByteArray();
    }

    private static float[] sample(Paradigm p, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        NDArray x = p.sample(SampleRequest.of(50)).data();
        float[] values = x.toFloatArray();
        x.close();
        return values;
    }

    @Test
    void flattensImagesAndCountsParameters() {
        DataShape image = DataShape.image(1, 3, 3, 10);
        Random random = new Random(4);
        try (GaussianParadigm p = create(image, Map.of("optimizer", "sgd", "lr", 0.01))) {
            assertEquals(Map.of("gaussian", 9L + 45L), p.parameterCounts());
            float[] batch = new float[32 * 9];
            double first = Double.NaN;
            double last = Double.NaN;
            for (int s = 0; s < 30; s++) {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = (float) (0.5 + 0.1 * random.nextGaussian());
                }
                last = step(p, batch, new Shape(32, 1, 3, 3));
                first = s == 0 ? last : first;
            }
            assertTrue(last < first, "sgd: nll went from " + first + " to " + last);
            Samples samples = p.sample(new SampleRequest(5, new int[] {0, 1, 2, 3, 4}, null, null));
            assertEquals(new Shape(5, 1, 3, 3), samples.data().getShape());
            samples.data().close();
        }
    }

    @Test
    void momentsFitIsTheExactMaximumLikelihoodGaussianOfEverythingSeen() {
        // 3-D data whose third coordinate is constant (as a background pixel is): only the floor keeps Σ regular.
        Random random = new Random(5);
        int batches = 6;
        int b = 40;
        float[][] data = new float[batches][3 * b];
        for (float[] batch : data) {
            for (int i = 0; i < b; i++) {
                double z1 = random.nextGaussian();
                double z2 = random.nextGaussian();
                batch[3 * i] = (float) (2 + 1.5 * z1);
                batch[3 * i + 1] = (float) (-1 + 0.8 * z1 + 0.3 * z2);
                batch[3 * i + 2] = -1f;
            }
        }
        double minStd = 0.05;
        try (GaussianParadigm p = create(DataShape.points(3), Map.of("optimizer", "moments", "min_std", minStd))) {
            for (int k = 0; k < batches; k++) {
                Batch next = new Batch(manager.create(data[k], new Shape(b, 3)), null);
                double before = p.nllNatsPerDim(next);
                double reported = step(p, data[k], new Shape(b, 3));
                assertEquals(before, reported, 1e-5 * Math.abs(before), "a step reports the batch's nll before the fit");
            }
            // The reference: mean and (biased, 1/n) covariance of all 240 rows, + min_std² on the diagonal.
            int n = batches * b;
            double[] mu = new double[3];
            for (float[] batch : data) {
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < 3; j++) {
                        mu[j] += batch[3 * i + j] / (double) n;
                    }
                }
            }
            double[][] cov = new double[3][3];
            for (float[] batch : data) {
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < 3; j++) {
                        for (int k = 0; k < 3; k++) {
                            cov[j][k] += (batch[3 * i + j] - mu[j]) * (batch[3 * i + k] - mu[k]) / n;
                        }
                    }
                }
            }
            double[] mean = p.mean();
            double[][] sigma = p.covariance();
            for (int j = 0; j < 3; j++) {
                assertEquals(mu[j], mean[j], 1e-5, "mean " + j);
                for (int k = 0; k < 3; k++) {
                    double expected = cov[j][k] + (j == k ? minStd * minStd : 0);
                    assertEquals(expected, sigma[j][k], 1e-4 * Math.max(1, Math.abs(expected)), "cov " + j + k);
                }
            }
            assertEquals(minStd * minStd, sigma[2][2], 1e-6, "a constant coordinate keeps the floor variance");
        }
    }

    @Test
    void momentsFitResumesFromItsSavedSums() throws IOException {
        Random random = new Random(6);
        float[] data = gaussianData(random, 1000, new double[] {-1, 2}, 0.7, 0.1, 0.2);
        Map<String, Object> moments = Map.of("optimizer", "moments");
        try (GaussianParadigm a = create(DataShape.points(2), moments);
                GaussianParadigm b = create(DataShape.points(2), moments)) {
            // Past one refit, with four batches the estimate does not reflect yet: the next step's nll is
            // equal only if the saved state holds that older estimate as well as the sums.
            int steps = GaussianParadigm.REFIT_EVERY + 4;
            for (int s = 0; s < steps; s++) {
                step(a, rows(data, random.ints(64, 0, 1000).toArray(), 2), new Shape(64, 2));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.save(out);
            b.load(new ByteArrayInputStream(out.toByteArray()));
            float[] next = rows(data, random.ints(64, 0, 1000).toArray(), 2);
            assertEquals(step(a, next, new Shape(64, 2)), step(b, next, new Shape(64, 2)));
            assertArrayEquals(bytes(a), bytes(b), "the resumed step differs from the uninterrupted one");
            assertArrayEquals(sample(a, 3), sample(b, 3));
            assertArrayEquals(a.covariance()[0], b.covariance()[0], 1e-7);
            try (GaussianParadigm adam = create(DataShape.points(2), Map.of())) {
                assertThrows(IOException.class, () -> adam.load(new ByteArrayInputStream(out.toByteArray())));
            }
        }
    }

    @Test
    void refusesHugeDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create(DataShape.image(3, 64, 64, 0), Map.of()));
        assertTrue(e.getMessage().contains("12288"), e.getMessage());
    }
}
