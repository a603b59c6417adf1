package dev.genlab.cli;

import static dev.genlab.cli.CliEndToEndTest.genlab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genlab.core.metrics.NpyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genlab metrics} against the golden vectors of {@code scripts/reference-metrics} (values from the
 * {@code prdc} package, scipy and scikit-learn; 300 × 8 and 600 × 64), and on each kind of bad input.
 */
class MetricsCommandTest {

    private static final String GOLDEN = "/dev/genlab/cli/metrics-golden/";
    /** Fractions of counts: equal up to the last bit of the division. */
    private static final double COUNT_TOLERANCE = 1e-12;
    /** FD and KID: float64 sums in another order than numpy/scipy's. */
    private static final double RELATIVE_TOLERANCE = 1e-10;

    @TempDir
    static Path dir;

    private static JsonNode golden;

    @BeforeAll
    static void copyGolden() throws IOException {
        try (InputStream in = MetricsCommandTest.class.getResourceAsStream(GOLDEN + "golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        for (String name : List.of("real.npy", "fake.npy", "real.csv", "fake.csv", "real-f32.npy", "fake-f32.npy",
                "real-64d.npy", "fake-64d.npy")) {
            try (InputStream in = MetricsCommandTest.class.getResourceAsStream(GOLDEN + name)) {
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void everyFormatGivesTheGoldenValues() throws IOException {
        int pairs = 0;
        for (Iterator<Map.Entry<String, JsonNode>> cases = golden.get("cases").fields(); cases.hasNext(); ) {
            Map.Entry<String, JsonNode> c = cases.next();
            for (JsonNode realFile : c.getValue().get("real")) {
                for (JsonNode fakeFile : c.getValue().get("fake")) {
                    String real = dir.resolve(realFile.asText()).toString();
                    String fake = dir.resolve(fakeFile.asText()).toString();
                    String label = c.getKey() + " " + realFile.asText() + " vs " + fakeFile.asText();
                    JsonNode byDefault = json("metrics", "--real", real, "--fake", fake, "--json");
                    assertEquals(3, byDefault.get("k_precision_recall").asInt());
                    assertEquals(5, byDefault.get("k_density_coverage").asInt());
                    assertEquals("raw values (" + c.getValue().get("dim").asInt() + "-d)",
                            byDefault.get("feature_space").asText());
                    assertEquals(c.getValue().get("samples").asInt(), byDefault.get("fake").get("samples").asInt());
                    assertGolden(c.getValue().get("default_k"), c.getValue(), byDefault.get("metrics"), label);
                    JsonNode k5 = json("metrics", "--real", real, "--fake", fake, "--k", "5", "--json");
                    assertGolden(c.getValue().get("k5"), c.getValue(), k5.get("metrics"), label + " --k 5");
                    pairs++;
                }
            }
        }
        assertEquals(6, pairs, "float64: .npy and .csv crossed; float32 8-d and 64-d: .npy");
    }

    @Test
    void tableShowsTheSameValuesAndMetricsCanBeChosen() {
        JsonNode c = golden.get("cases").get("float64");
        CliEndToEndTest.Outcome table = genlab("metrics", "--real", dir.resolve("real.npy").toString(), "--fake",
                dir.resolve("fake.csv").toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("real: " + dir.resolve("real.npy") + " (300 × 8 vectors)"), table.out());
        assertTrue(table.out().contains("k = 3 (precision, recall), 5 (density, coverage)"), table.out());
        Map<String, Double> rows = new HashMap<>();
        for (String line : table.out().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && !parts[0].equals("metric")) {
                rows.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        assertEquals(List.of("precision", "recall", "f1", "density", "coverage", "fd", "kid", "kid_std").size(),
                rows.size(), table.out());
        assertEquals(c.get("default_k").get("coverage").asDouble(), rows.get("coverage"), COUNT_TOLERANCE);
        assertRelative(c.get("fd").asDouble(), rows.get("fd"), "table fd");

        JsonNode fdOnly = json("metrics", "--real", dir.resolve("real.csv").toString(), "--fake",
                dir.resolve("fake.csv").toString(), "--metrics", "frechet,kid", "--json");
        assertEquals(List.of("fd", "kid", "kid_std"), names(fdOnly.get("metrics")));
        assertTrue(fdOnly.get("k_precision_recall") == null, "no k without prdc");
    }

    @Test
    void eachBadInputExitsWithCode2AndNamesTheFile() throws IOException {
        Path real = dir.resolve("real.npy");
        double[] values = new double[12];
        values[7] = Double.NaN;
        Path nan = NpyFiles.write(dir.resolve("nan.npy"), "<f8", new long[] {3, 4}, values);
        Path inf = Files.writeString(dir.resolve("inf.csv"), "a,b\n1,2\n3,inf\n");
        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "1,2,3\n4,5\n");
        Path ints = NpyFiles.write(dir.resolve("ints.npy"), "<i8", new long[] {2, 8}, new double[16]);
        Path cube = NpyFiles.write(dir.resolve("cube.npy"), "<f4", new long[] {2, 2, 4}, new double[16]);
        Path seven = NpyFiles.write(dir.resolve("seven.npy"), "<f8", new long[] {20, 7}, new double[140]);
        Path missing = dir.resolve("missing.npy");
        assertBad(List.of("--real", real.toString(), "--fake", nan.toString()), nan, "row 1, column 3");
        assertBad(List.of("--real", inf.toString(), "--fake", real.toString()), inf, "line 3, column 2");
        assertBad(List.of("--real", real.toString(), "--fake", ragged.toString()), ragged, "line 2 has 2 values");
        assertBad(List.of("--real", real.toString(), "--fake", ints.toString()), ints, "dtype '<i8'");
        assertBad(List.of("--real", real.toString(), "--fake", cube.toString()), cube, "shape (2, 2, 4)");
        assertBad(List.of("--real", real.toString(), "--fake", seven.toString()), seven, "same dimension");
        assertBad(List.of("--real", real.toString(), "--fake", dir.resolve("fake.npy").toString(), "--k", "300"),
                real, "lower --k below 300");
        assertBad(List.of("--real", missing.toString(), "--fake", real.toString()), missing, "no such file");
        CliEndToEndTest.Outcome unknown = genlab("metrics", "--real", real.toString(), "--fake", real.toString(),
                "--metrics", "prdc,fid");
        assertEquals(ExitCodes.BAD_INPUT, unknown.code());
        assertTrue(unknown.err().contains("unknown metric 'fid'") && unknown.err().contains("prdc, frechet, kid"),
                unknown.err());
        CliEndToEndTest.Outcome usage = genlab("metrics", "--real", real.toString());
        assertEquals(ExitCodes.BAD_INPUT, usage.code());
        assertTrue(usage.err().contains("--fake"), usage.err());
    }

    private static void assertBad(List<String> args, Path file, String place) {
        List<String> all = new java.util.ArrayList<>(List.of("metrics"));
        all.addAll(args);
        CliEndToEndTest.Outcome o = genlab(all.toArray(String[]::new));
        assertEquals(ExitCodes.BAD_INPUT, o.code(), args + ": " + o.err());
        assertTrue(o.err().startsWith("genlab metrics: " + file), args + ": " + o.err());
        assertTrue(o.err().contains(place), args + ": " + o.err());
        assertTrue(!o.err().contains("Exception") && !o.err().contains("\tat "), "no stack trace: " + o.err());
        assertEquals("", o.out());
    }

    private static JsonNode json(String... args) {
        CliEndToEndTest.Outcome o = genlab(args);
        assertEquals(0, o.code(), o.err());
        try {
            return new ObjectMapper().readTree(o.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + o.out(), e);
        }
    }

    private static void assertGolden(JsonNode prdc, JsonNode c, JsonNode actual, String label) {
        for (String key : List.of("precision", "recall", "f1", "density", "coverage")) {
            assertEquals(prdc.get(key).asDouble(), actual.get(key).asDouble(), COUNT_TOLERANCE, label + " " + key);
        }
        assertRelative(c.get("fd").asDouble(), actual.get("fd").asDouble(), label + " fd");
        assertRelative(c.get("kid").asDouble(), actual.get("kid").asDouble(), label + " kid");
        assertEquals(c.get("kid_std").asDouble(), actual.get("kid_std").asDouble(), 0.0, label + " kid_std");
    }

    private static void assertRelative(double expected, double actual, String label) {
        assertEquals(expected, actual, RELATIVE_TOLERANCE * Math.abs(expected), label);
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
