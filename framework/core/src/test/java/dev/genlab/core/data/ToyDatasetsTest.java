package dev.genlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MixtureTruth;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ToyDatasetsTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The schema's defaults with some values replaced, as the framework's validation would hand them over. */
    static Params params(DatasetProvider provider, Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : provider.parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        assertTrue(values.keySet().containsAll(overrides.keySet()));
        return new Params(values);
    }

    static Dataset load(DatasetProvider provider, Map<String, Object> overrides, long seed) {
        return provider.load(new DatasetSetup(params(provider, overrides), manager, seed));
    }

    @Test
    void allFourAreRegisteredAsServicesForTheCurrentApi() {
        Set<String> names = ServiceLoader.load(DatasetProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .peek(p -> assertEquals(GenlabApi.VERSION, p.apiVersion()))
                .map(DatasetProvider::name)
                .collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("ring8", "grid25", "swissroll", "moons")), names.toString());
    }

    @Test
    void pacganDefaults() {
        assertEquals(100_000L, new Ring8Provider().parameters().get("n").orElseThrow().defaultValue());
        assertEquals(0.01, new Ring8Provider().parameters().get("std").orElseThrow().defaultValue());
        assertEquals(0.05, new Grid25Provider().parameters().get("std").orElseThrow().defaultValue());
    }

    @Test
    void ring8HasEightModesOnTheUnitCircleWithTheRightSpread() {
        Dataset data = load(new Ring8Provider(), Map.of("n", 40_000L), 7);
        assertEquals("ring8", data.name());
        assertEquals(new Shape(40_000, 2), data.data().getShape());
        assertEquals(DataType.FLOAT32, data.data().getDataType());
        assertEquals(DataShape.points(2), data.shape());
        assertNull(data.labels());

        MixtureTruth truth = data.truth();
        assertEquals(8, truth.modes());
        assertEquals(0.01, truth.std());
        assertArrayEquals(new double[] {1, 0}, truth.centre(0), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(0.5), Math.sqrt(0.5)}, truth.centre(1), 1e-12);
        assertArrayEquals(new double[] {0, -1}, truth.centre(6), 1e-12);

        checkModes(data.data().toFloatArray(), truth, 0.01);
    }

    @Test
    void grid25HasMeansOnTheFiveByFiveGrid() {
        Dataset data = load(new Grid25Provider(), Map.of("n", 50_000L), 3);
        assertEquals(new Shape(50_000, 2), data.data().getShape());
        MixtureTruth truth = data.truth();
        assertEquals(25, truth.modes());
        assertEquals(0.05, truth.std());
        Set<List<Double>> expected = new HashSet<>();
        for (double x : new double[] {-4, -2, 0, 2, 4}) {
            for (double y : new double[] {-4, -2, 0, 2, 4}) {
                expected.add(List.of(x, y));
            }
        }
        Set<List<Double>> actual = Arrays.stream(truth.centres())
                .map(c -> List.of(c[0], c[1])).collect(Collectors.toSet());
        assertEquals(expected, actual);

        checkModes(data.data().toFloatArray(), truth, 0.05);
    }

    @Test
    void mixtureParametersAreHonoured() {
        Dataset ring = load(new Ring8Provider(), Map.of("n", 300L, "modes", 3L, "radius", 2.0, "std", 0.5), 1);
        assertEquals(3, ring.truth().modes());
        assertArrayEquals(new double[] {-1, Math.sqrt(3)}, ring.truth().centre(1), 1e-12);
        assertEquals(0.5, ring.truth().std());
        assertEquals(300, ring.size());

        Dataset grid = load(new Grid25Provider(), Map.of("n", 10L, "side", 2L, "spacing", 1.0), 1);
        assertEquals(4, grid.truth().modes());
        assertArrayEquals(new double[] {-0.5, 0.5}, grid.truth().centre(1), 1e-12);
    }

    /**
     * Assigns each point to its nearest centre and checks every mode: about n/K points, sample mean within
     * 5 standard errors of the centre, per-coordinate sample std within 5 % of the truth.
     */
    static void checkModes(float[] xy, MixtureTruth truth, double std) {
        int k = truth.modes();
        int n = xy.length / 2;
        long[] count = new long[k];
        double[][] sum = new double[k][2];
        double[][] sumSq = new double[k][2];
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestSq = Double.MAX_VALUE;
            for (int m = 0; m < k; m++) {
                double dx = xy[2 * i] - truth.centres()[m][0];
                double dy = xy[2 * i + 1] - truth.centres()[m][1];
                if (dx * dx + dy * dy < bestSq) {
                    bestSq = dx * dx + dy * dy;
                    best = m;
                }
            }
            count[best]++;
            for (int j = 0; j < 2; j++) {
                double v = xy[2 * i + j] - truth.centres()[best][j];
                sum[best][j] += v;
                sumSq[best][j] += v * v;
            }
        }
        double expected = (double) n / k;
        for (int m = 0; m < k; m++) {
            // Binomial count: 5 standard deviations.
            assertEquals(expected, count[m], 5 * Math.sqrt(expected), "count of mode " + m);
            for (int j = 0; j < 2; j++) {
                double mean = sum[m][j] / count[m];
                double sd = Math.sqrt(sumSq[m][j] / count[m] - mean * mean);
                assertEquals(0.0, mean, 5 * std / Math.sqrt(count[m]), "mean offset of mode " + m);
                assertEquals(std, sd, 0.05 * std, "std of mode " + m);
            }
        }
    }

    @Test
    void sameSeedSameDataOtherSeedOtherData() {
        for (DatasetProvider p : List.of(new Ring8Provider(), new Grid25Provider(), new SwissRollProvider(),
                new MoonsProvider())) {
            float[] a = load(p, Map.of("n", 1000L), 11).data().toFloatArray();
            float[] b = load(p, Map.of("n", 1000L), 11).data().toFloatArray();
            float[] c = load(p, Map.of("n", 1000L), 12).data().toFloatArray();
            assertArrayEquals(a, b, p.name());
            assertFalse(Arrays.equals(a, c), p.name());
        }
    }

    @Test
    void noiselessSwissRollLiesOnTheScaledSpiral() {
        Dataset data = load(new SwissRollProvider(), Map.of("n", 5000L, "noise", 0.0), 5);
        assertEquals(new Shape(5000, 2), data.data().getShape());
        assertEquals(DataShape.points(2), data.shape());
        assertNull(data.truth());
        float[] xy = data.data().toFloatArray();
        double scale = 2 / (4.5 * Math.PI);
        double maxRadius = 0;
        for (int i = 0; i < 5000; i++) {
            double x = xy[2 * i];
            double y = xy[2 * i + 1];
            double r = Math.hypot(x, y);
            double t = r / scale;
            maxRadius = Math.max(maxRadius, r);
            assertTrue(t >= 1.5 * Math.PI - 1e-3 && t <= 4.5 * Math.PI + 1e-3, "t=" + t);
            // The point is r·(cos t, sin t) with t = r / scale.
            assertEquals(r * Math.cos(t), x, 2e-5 * (1 + r / scale));
            assertEquals(r * Math.sin(t), y, 2e-5 * (1 + r / scale));
        }
        assertEquals(2.0, maxRadius, 0.02);
    }

    @Test
    void noisySwissRollStaysNearTwoByTwo() {
        float[] xy = load(new SwissRollProvider(), Map.of("n", 20_000L), 5).data().toFloatArray();
        double max = 0;
        for (float v : xy) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 1.8 && max < 2.6, "max |coordinate| " + max);
    }

    @Test
    void noiselessMoonsLieOnTwoHalfCirclesInEqualShares() {
        Dataset data = load(new MoonsProvider(), Map.of("n", 4000L, "noise", 0.0), 9);
        assertEquals(new Shape(4000, 2), data.data().getShape());
        assertNull(data.truth());
        float[] xy = data.data().toFloatArray();
        int upper = 0;
        for (int i = 0; i < 4000; i++) {
            double x = xy[2 * i];
            double y = xy[2 * i + 1];
            boolean onUpper = Math.abs(Math.hypot(x + 0.5, y + 0.25) - 1) < 1e-5 && y + 0.25 >= -1e-6;
            boolean onLower = Math.abs(Math.hypot(x - 0.5, y - 0.25) - 1) < 1e-5 && y - 0.25 <= 1e-6;
            assertTrue(onUpper || onLower, "(" + x + ", " + y + ") is on neither moon");
            assertTrue(x >= -1.5 - 1e-6 && x <= 1.5 + 1e-6 && y >= -0.75 - 1e-6 && y <= 0.75 + 1e-6);
            upper += onUpper ? 1 : 0;
        }
        assertEquals(2000, upper, 5 * Math.sqrt(1000));
    }
}
