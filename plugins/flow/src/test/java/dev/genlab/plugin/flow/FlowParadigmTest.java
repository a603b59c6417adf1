package dev.genlab.plugin.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The paradigm on real DJL arrays: its NLL, training, sampling, and the checkpoint. */
class FlowParadigmTest {

    private static final DataShape POINTS = DataShape.points(2);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static double likelihood(FlowParadigm flow, NDManager manager, float[] rows, Shape shape) {
        LikelihoodModel model = flow.capability(LikelihoodModel.class).orElseThrow();
        try (NDManager batch = manager.newSubManager()) {
            return model.nllNatsPerDim(new Batch(batch.create(rows, shape), null));
        }
    }

    @Test
    void pointNllEqualsAnIndependentDoublePrecisionComputation() {
        Map<String, Object> overrides = Map.of("layers", 4L, "hidden", 8L, "depth", 2L);
        try (FlowParadigm flow = FlowTestSupport.create(manager, POINTS, overrides, 1)) {
            FlowTestSupport.randomize(flow, 0.4, 2);
            FlowConfig config = FlowConfig.from(FlowTestSupport.params(overrides), POINTS);
            float[] xy = FlowTestSupport.fourModes(new Random(3), 50);
            double expected = 0;
            for (int i = 0; i < 50; i++) {
                expected -= FlowTestSupport.referenceLogProb(flow, config, new float[] {1, 0},
                        new double[] {xy[2 * i], xy[2 * i + 1]});
            }
            expected /= 50 * 2;
            assertEquals(expected, likelihood(flow, manager, xy, new Shape(50, 2)), 1e-5 * Math.abs(expected) + 1e-5);
        }
    }

    /** Images: dequantisation, logit and the flow, with every Jacobian, for a given noise draw u. */
    @Test
    void imageNllAccountsForDequantisationAndLogit() {
        DataShape image = DataShape.image(1, 2, 2, 0);
        Map<String, Object> overrides = Map.of("layers", 2L, "hidden", 8L, "data_range", "zero_one", "alpha", 0.05);
        try (FlowParadigm flow = FlowTestSupport.create(manager, image, overrides, 1)) {
            FlowTestSupport.randomize(flow, 0.3, 4);
            FlowConfig config = FlowConfig.from(FlowTestSupport.params(overrides), image);
            float[] levels = {0, 255, 17, 128, 3, 90, 254, 1};
            float[] u = {0.1f, 0.9f, 0.5f, 0.25f, 0.0f, 0.75f, 0.33f, 0.6f};
            float[] x = new float[levels.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = levels[i] / 255f;
            }
            double alpha = 0.05;
            double expected = 0;
            for (int e = 0; e < 2; e++) {
                double[] y = new double[4];
                double logJacobian = 0;
                for (int j = 0; j < 4; j++) {
                    double v = (levels[4 * e + j] + u[4 * e + j]) / 256.0;
                    double pr = alpha + (1 - 2 * alpha) * v;
                    y[j] = Math.log(pr / (1 - pr));
                    logJacobian += Math.log((1 - 2 * alpha) / (pr * (1 - pr))) - Math.log(256);
                }
                // checkerboard over the 2×2 pixels: (h + w) even conditions first
                expected -= FlowTestSupport.referenceLogProb(flow, config, new float[] {1, 0, 0, 1}, y) + logJacobian;
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray[] w = flow.weights().scope("flow").stored();
                NDArray nll = flow.objective().nllPerExample(w, scope.create(x, new Shape(2, 4)),
                        scope.create(u, new Shape(2, 4)));
                assertEquals(expected, nll.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum().getDouble(), 1e-5 * Math.abs(expected));
            }
        }
    }

    @Test
    void trainingOnAMixtureLowersTheHeldOutNllBelowTheBestGaussian() {
        Map<String, Object> overrides = Map.of("layers", 6L, "hidden", 64L, "lr", 3e-3);
        try (FlowParadigm flow = FlowTestSupport.create(manager, POINTS, overrides, 0)) {
            Random random = new Random(0);
            float[] heldOut = FlowTestSupport.fourModes(new Random(99), 1000);
            double before = likelihood(flow, manager, heldOut, new Shape(1000, 2));
            for (int step = 0; step < 400; step++) {
                double nll = FlowTestSupport.step(manager, flow, FlowTestSupport.fourModes(random, 256),
                        new Shape(256, 2)).values().get("nll");
                assertTrue(Double.isFinite(nll), "step " + step);
            }
            double after = likelihood(flow, manager, heldOut, new Shape(1000, 2));
            // The best Gaussian of this mixture has covariance (1 + 0.05²)·I: 0.5·log(2πe·1.0025) = 1.42 nats/dim;
            // the mixture's own entropy is about log(4)/2 + 0.5·log(2πe·0.05²) = −0.88 (measured here: −0.59).
            double gaussian = 0.5 * Math.log(2 * Math.PI * Math.E * 1.0025);
            assertTrue(after < before - 1, "held-out NLL " + before + " -> " + after);
            assertTrue(after < gaussian - 1.5, "held-out NLL " + after + " vs the best Gaussian's " + gaussian);
        }
    }

    @Test
    void samplesHaveTheDataShapeAndImagesLieOnTheGreyLevels() {
        try (FlowParadigm flow = FlowTestSupport.create(manager, POINTS, Map.of("layers", 2L), 0)) {
            Samples s = flow.sample(SampleRequest.of(7));
            assertEquals(new Shape(7, 2), s.data().getShape());
            s.data().close();
        }
        DataShape image = DataShape.image(1, 4, 4, 0);
        try (FlowParadigm flow = FlowTestSupport.create(manager, image, Map.of("layers", 2L, "hidden", 8L), 0)) {
            float[] x = new float[3 * 16];
            Random random = new Random(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextInt(256) / 127.5f - 1; // [-1, 1]: data_range auto must notice
            }
            double nll = FlowTestSupport.step(manager, flow, x, new Shape(3, 1, 4, 4)).values().get("nll");
            assertTrue(Double.isFinite(nll) && nll > 0, "discrete data have a positive NLL: " + nll);
            Samples s = flow.sample(SampleRequest.of(5));
            assertEquals(new Shape(5, 1, 4, 4), s.data().getShape());
            for (float v : s.data().toFloatArray()) {
                float level = (v + 1) * 127.5f;
                assertTrue(v >= -1 && v <= 1 && Math.abs(level - Math.round(level)) < 1e-3, "value " + v);
            }
            s.data().close();
        }
    }

    private static byte[] save(FlowParadigm flow) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        flow.save(out);
        return out.toByteArray();
    }

    /** save → load into a fresh, differently seeded flow → the next step is bit-for-bit the same. */
    @Test
    void checkpointRoundTripGivesAnIdenticalNextStep() throws IOException {
        Map<String, Object> overrides = Map.of("layers", 4L, "hidden", 16L, "grad_clip", 1.0);
        Random random = new Random(8);
        try (FlowParadigm a = FlowTestSupport.create(manager, POINTS, overrides, 1);
                FlowParadigm b = FlowTestSupport.create(manager, POINTS, overrides, 2)) {
            for (int i = 0; i < 5; i++) {
                FlowTestSupport.step(manager, a, FlowTestSupport.fourModes(random, 64), new Shape(64, 2));
            }
            b.load(new ByteArrayInputStream(save(a)));
            float[] batch = FlowTestSupport.fourModes(random, 64);
            Map<String, Double> stepA = FlowTestSupport.step(manager, a, batch, new Shape(64, 2)).values();
            Map<String, Double> stepB = FlowTestSupport.step(manager, b, batch, new Shape(64, 2)).values();
            assertEquals(stepA, stepB);
            NDArray[] wa = a.weights().stored();
            NDArray[] wb = b.weights().stored();
            for (int i = 0; i < wa.length; i++) {
                assertArrayEquals(wa[i].toFloatArray(), wb[i].toFloatArray(), a.weights().names().get(i));
            }
            assertArrayEquals(save(a), save(b));
        }
    }

    @Test
    void checkpointOfAnotherLayoutIsRefusedAndChangesNothing() throws IOException {
        try (FlowParadigm four = FlowTestSupport.create(manager, POINTS, Map.of("layers", 4L), 1);
                FlowParadigm six = FlowTestSupport.create(manager, POINTS, Map.of("layers", 6L), 2)) {
            byte[] before = save(six);
            IOException e = assertThrows(IOException.class, () -> six.load(new ByteArrayInputStream(save(four))));
            assertTrue(e.getMessage().contains("layout differs"), e.getMessage());
            assertArrayEquals(before, save(six));
        }
    }
}
