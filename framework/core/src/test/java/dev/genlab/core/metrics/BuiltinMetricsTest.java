package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.EvalInput;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.MixtureTruth;
import dev.genlab.api.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BuiltinMetricsTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private EvalInput input(MixtureTruth truth, float[] xy, double samplingSeconds,
            Map<String, List<Double>> losses, double stepSeconds, Map<String, Long> counts, int evals) {
        NDArray data = manager.create(xy, new Shape(xy.length / 2, 2));
        Dataset dataset = new Dataset("toy", data, null, DataShape.points(2), truth);
        return new EvalInput(dataset, data, new Samples(data, null, evals), samplingSeconds, losses, stepSeconds,
                counts, manager);
    }

    private EvalInput points(MixtureTruth truth, float... xy) {
        return input(truth, xy, 1.0, Map.of(), 0.01, Map.of(), 1);
    }

    /** Two modes at (0,0) and (10,0), std 1: the HQ radius is 3. */
    private static final MixtureTruth TWO = new MixtureTruth(new double[][] {{0, 0}, {10, 0}}, 1.0);

    @Test
    void allThreeAreRegistered() {
        Set<String> names = ServiceLoader.load(MetricProvider.class).stream()
                .map(p -> p.get().name()).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("modes", "speed", "stability")), names.toString());
    }

    @Test
    void modesCountsHighQualitySamplesAndCapturedModes() {
        // (0.5,0): HQ on mode 0. (10,2.9): HQ on mode 1 (distance 2.9). (5,0): 5 from both, not HQ.
        // (0,3): exactly 3 std away, not HQ (strict). HQ histogram (1,1) is uniform: KL 0.
        EvalInput in = points(TWO, 0.5f, 0f, 10f, 2.9f, 5f, 0f, 0f, 3f);
        Map<String, Double> m = new ModesMetric().compute(in);
        assertEquals(2.0, m.get("modes_covered"));
        assertEquals(50.0, m.get("high_quality_pct"), 1e-12);
        assertEquals(0.0, m.get("reverse_kl"), 1e-12);
    }

    @Test
    void reverseKlOfACollapsedGeneratorIsLogK() {
        Map<String, Double> m = new ModesMetric().compute(points(TWO, 0f, 0f, 0.1f, 0f, -0.2f, 0.3f));
        assertEquals(1.0, m.get("modes_covered"));
        assertEquals(100.0, m.get("high_quality_pct"), 1e-12);
        assertEquals(Math.log(2), m.get("reverse_kl"), 1e-12);
    }

    @Test
    void reverseKlOfAnUnevenHistogram() {
        // Four modes on the axes at distance 10, std 1; HQ counts (3, 1, 0, 0) and one far-off sample.
        MixtureTruth four = new MixtureTruth(new double[][] {{10, 0}, {0, 10}, {-10, 0}, {0, -10}}, 1.0);
        EvalInput in = points(four, 10f, 0f, 11f, 1f, 9f, -1f, 0f, 10.5f, 0f, 0f);
        Map<String, Double> m = new ModesMetric().compute(in);
        assertEquals(2.0, m.get("modes_covered"));
        assertEquals(80.0, m.get("high_quality_pct"), 1e-12);
        // p = (3/4, 1/4, 0, 0): 3/4·ln(3/4·4) + 1/4·ln(1/4·4) = 0.75·ln 3.
        assertEquals(0.75 * Math.log(3), m.get("reverse_kl"), 1e-12);
    }

    @Test
    void noHighQualitySampleGivesLogKAndNaNSamplesAreNeverHighQuality() {
        Map<String, Double> m = new ModesMetric().compute(points(TWO, 5f, 5f, Float.NaN, 0f));
        assertEquals(0.0, m.get("modes_covered"));
        assertEquals(0.0, m.get("high_quality_pct"));
        assertEquals(Math.log(2), m.get("reverse_kl"), 1e-12);
    }

    @Test
    void modesAppliesOnlyWithAMatchingTruth() {
        assertTrue(new ModesMetric().appliesTo(points(TWO, 0f, 0f)));
        assertFalse(new ModesMetric().appliesTo(points(null, 0f, 0f)));
        MixtureTruth threeD = new MixtureTruth(new double[][] {{0, 0, 0}}, 1.0);
        assertFalse(new ModesMetric().appliesTo(points(threeD, 0f, 0f)));
    }

    @Test
    void speedReportsThroughputStepTimeAndParameterCounts() {
        float[] xy = new float[2 * 1000];
        EvalInput in = input(null, xy, 0.5, Map.of(), 0.012, Map.of("generator", 10L, "critic", 5L), 7);
        Map<String, Double> m = new SpeedMetric().compute(in);
        assertEquals(2000.0, m.get("samples_per_second"), 1e-9);
        assertEquals(7.0, m.get("evaluations_per_sample"));
        assertEquals(12.0, m.get("train_step_ms"), 1e-9);
        assertEquals(15.0, m.get("params_total"));
        assertEquals(10.0, m.get("params_generator"));
        assertEquals(5.0, m.get("params_critic"));
        assertEquals(6, m.size());
    }

    @Test
    void speedLeavesOutUnmeasuredTimes() {
        EvalInput in = input(null, new float[4], 0.0, Map.of(), Double.NaN, Map.of(), 1);
        Map<String, Double> m = new SpeedMetric().compute(in);
        assertFalse(m.containsKey("samples_per_second"));
        assertFalse(m.containsKey("train_step_ms"));
        assertEquals(0.0, m.get("params_total"));
    }

    @Test
    void stabilityOverTheLastFifthOfEachLoss() {
        List<Double> ramp = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ramp.add((double) i);
        }
        // 100 steps: the window is the last 20, alternating 1, 3, 1, 3...
        List<Double> zigzag = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            zigzag.add(i < 80 ? 100.0 : (i % 2 == 0 ? 1.0 : 3.0));
        }
        EvalInput in = input(null, new float[2], 1, Map.of("ramp", ramp, "loss_d", zigzag), 1, Map.of(), 1);
        Map<String, Double> m = new StabilityMetric().compute(in);
        // ramp: window {9, 10}: mean 9.5, population std 0.5, steps |10−9| = 1.
        assertEquals(0.5, m.get("ramp_std"), 1e-12);
        assertEquals(1.0, m.get("ramp_oscillation"), 1e-12);
        assertEquals(1.0, m.get("loss_d_std"), 1e-12);
        assertEquals(2.0, m.get("loss_d_oscillation"), 1e-12);
        assertEquals(0.0, m.get("diverged"));
    }

    @Test
    void anyNonFiniteValueMeansDiverged() {
        List<Double> losses = new ArrayList<>(List.of(1.0, Double.POSITIVE_INFINITY, 2.0, 4.0, 8.0, 16.0,
                0.0, 0.0, 0.0, 0.0));
        EvalInput in = input(null, new float[2], 1, Map.of("loss", losses), 1, Map.of(), 1);
        Map<String, Double> m = new StabilityMetric().compute(in);
        assertEquals(1.0, m.get("diverged"));
        assertEquals(0.0, m.get("loss_std"));

        EvalInput nan = input(null, new float[2], 1, Map.of("loss", List.of(1.0, Double.NaN)), 1, Map.of(), 1);
        Map<String, Double> n = new StabilityMetric().compute(nan);
        assertEquals(1.0, n.get("diverged"));
        assertFalse(n.containsKey("loss_std"), "a window with one finite value has no std");
    }

    @Test
    void aFiniteLossThatExplodesMeansDiverged() {
        // The Gaussian fit that motivated the rule: 0.93, 0.75, 0.59, 0.60, then 4.9e3 ... 1.7e20.
        List<Double> exploding = new ArrayList<>(List.of(0.93, 0.75, 0.59, 0.60, 4.9e3, 2.4e8, 1.7e20, 1.0e16));
        EvalInput in = input(null, new float[2], 1, Map.of("nll", exploding), 1, Map.of(), 1);
        assertEquals(1.0, new StabilityMetric().compute(in).get("diverged"));

        // Start median 0.75: the threshold is 1e4 x 1.75 = 17,500, so 17,000 is growth, 18,000 an explosion.
        assertFalse(StabilityMetric.exploded(List.of(0.93, 0.75, 0.59, 17_000.0)));
        assertTrue(StabilityMetric.exploded(List.of(0.93, 0.75, 0.59, 18_000.0)));
        // Magnitudes: a loss falling to -18,000 explodes too; a loss that starts large may stay large.
        assertTrue(StabilityMetric.exploded(List.of(0.93, 0.75, 0.59, -18_000.0)));
        assertFalse(StabilityMetric.exploded(List.of(5e6, 4e6, 3e6, 1e7)));
        // A VAE's gradient-norm spikes (the largest ratio in the study runs, 477) are not an explosion.
        EvalInput spikes = input(null, new float[2], 1, Map.of("grad_norm", List.of(0.4, 0.38, 0.37, 665.0, 2.0)),
                1, Map.of(), 1);
        assertEquals(0.0, new StabilityMetric().compute(spikes).get("diverged"));
        assertFalse(StabilityMetric.exploded(List.of()));
    }

    @Test
    void windowSizes() {
        assertEquals(1, StabilityMetric.windowSize(1));
        assertEquals(2, StabilityMetric.windowSize(3));
        assertEquals(2, StabilityMetric.windowSize(10));
        assertEquals(3, StabilityMetric.windowSize(11));
        assertEquals(600, StabilityMetric.windowSize(3000));
    }
}
