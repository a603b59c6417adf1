package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks genlab's metrics against values computed by independent reference implementations (the
 * {@code prdc} package, scipy's {@code sqrtm}, scikit-learn's polynomial kernel) on the same fixed inputs.
 * Fixtures come from {@code scripts/reference-metrics}; no Python is needed here.
 */
class ReferenceMetricsTest {

    private static final String DIR = "/dev/genlab/core/metrics/reference/";
    private static JsonNode expected;
    private static NDManager manager;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ReferenceMetricsTest.class.getResourceAsStream(DIR + "expected.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Stream<String> cases() {
        return Stream.of("gauss8", "ring2");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void precisionRecallDensityCoverageMatchPrdcPackage(String name) throws IOException {
        JsonNode c = expected.get("cases").get(name);
        FeatureSet real = csv(c.get("real").asText());
        FeatureSet fake = csv(c.get("fake").asText());
        Prdc.Result defaults = Prdc.compute(manager, real, fake, 3, 5);
        assertEquals(c.get("precision_k3").asDouble(), defaults.precision(), 1e-12);
        assertEquals(c.get("recall_k3").asDouble(), defaults.recall(), 1e-12);
        assertEquals(c.get("density_k5").asDouble(), defaults.density(), 1e-12);
        assertEquals(c.get("coverage_k5").asDouble(), defaults.coverage(), 1e-12);
        // The other k of each pair too (prdc computes all four with one k).
        Prdc.Result swapped = Prdc.compute(manager, real, fake, 5, 3);
        assertEquals(c.get("precision_k5").asDouble(), swapped.precision(), 1e-12);
        assertEquals(c.get("recall_k5").asDouble(), swapped.recall(), 1e-12);
        assertEquals(c.get("density_k3").asDouble(), swapped.density(), 1e-12);
        assertEquals(c.get("coverage_k3").asDouble(), swapped.coverage(), 1e-12);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void frechetDistanceMatchesScipySqrtm(String name) throws IOException {
        JsonNode c = expected.get("cases").get(name);
        FeatureSet real = csv(c.get("real").asText());
        FeatureSet fake = csv(c.get("fake").asText());
        double fd = Frechet.distance(real, fake);
        assertEquals(c.get("fd").asDouble(), fd, 1e-9 * c.get("fd").asDouble());
        assertEquals(0.0, Frechet.distance(real, real), 1e-10);
        assertTrue(Math.abs(c.get("fd_self").asDouble()) < 1e-10);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void kidMatchesUnbiasedMmdWithPolynomialKernel(String name) throws IOException {
        JsonNode c = expected.get("cases").get(name);
        FeatureSet real = csv(c.get("real").asText());
        FeatureSet fake = csv(c.get("fake").asText());
        double full = c.get("mmd2_full").asDouble();
        assertEquals(full, Kid.mmd2(manager, real, fake), 1e-9 * Math.abs(full));
        JsonNode xs = c.get("kid_subsets_x");
        JsonNode ys = c.get("kid_subsets_y");
        JsonNode values = c.get("kid_subset_values");
        double sum = 0;
        double[] v = new double[values.size()];
        for (int s = 0; s < values.size(); s++) {
            v[s] = Kid.mmd2(manager, real.select(ints(xs.get(s))), fake.select(ints(ys.get(s))));
            assertEquals(values.get(s).asDouble(), v[s], 1e-9 * Math.abs(values.get(s).asDouble()));
            sum += v[s];
        }
        double mean = sum / v.length;
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean);
        }
        assertEquals(c.get("kid_mean").asDouble(), mean, 1e-9 * Math.abs(mean));
        assertEquals(c.get("kid_std").asDouble(), Math.sqrt(var / v.length), 1e-8 * Math.sqrt(var / v.length));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** Reads a float32 CSV fixture exactly (values are written with 9 significant digits). */
    static FeatureSet csv(String file) throws IOException {
        List<float[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                ReferenceMetricsTest.class.getResourceAsStream(DIR + file), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                float[] row = new float[parts.length];
                for (int j = 0; j < parts.length; j++) {
                    row[j] = Float.parseFloat(parts[j].trim());
                }
                rows.add(row);
            }
        }
        int d = rows.get(0).length;
        float[] flat = new float[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * d, d);
        }
        return FeatureSet.ofFloats(rows.size(), d, flat);
    }
}
