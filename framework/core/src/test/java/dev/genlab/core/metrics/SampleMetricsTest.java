package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.EvalInput;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.Samples;
import dev.genlab.core.data.MnistDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genlab metrics}' computation: the evaluator's own kernels and feature spaces, and its checks. */
class SampleMetricsTest {

    private static final Set<SampleMetrics.Kind> ALL = EnumSet.allOf(SampleMetrics.Kind.class);

    @TempDir
    Path tmp;

    @Test
    void vectorsGetTheKernelsValuesInRawSpace() throws IOException {
        SampleFile real = vectors("real.npy", 120, 5, 0, 1);
        SampleFile fake = vectors("fake.npy", 90, 5, 0.3, 2);
        SampleMetrics.Result r = SampleMetrics.compute(real, fake, ALL, null, TestStores.shared());
        assertEquals(List.of("precision", "recall", "f1", "density", "coverage", "fd", "kid", "kid_std"),
                List.copyOf(r.values().keySet()));
        assertEquals("raw values (5-d)", r.featureSpace());
        try (NDManager m = NDManager.newBaseManager()) {
            Prdc.Result p = Prdc.compute(m, real.asFeatureSet(), fake.asFeatureSet(), 3, 5);
            assertEquals(p.precision(), r.values().get("precision"));
            assertEquals(p.recall(), r.values().get("recall"));
            assertEquals(p.f1(), r.values().get("f1"));
            assertEquals(p.density(), r.values().get("density"));
            assertEquals(p.coverage(), r.values().get("coverage"));
            assertEquals(Frechet.distance(real.asFeatureSet(), fake.asFeatureSet()), r.values().get("fd"));
            Kid.Result kid = Kid.compute(m, real.asFeatureSet(), fake.asFeatureSet());
            assertEquals(kid.mean(), r.values().get("kid"));
            assertEquals(kid.std(), r.values().get("kid_std"));
            SampleMetrics.Result k7 = SampleMetrics.compute(real, fake, EnumSet.of(SampleMetrics.Kind.PRDC), 7,
                    TestStores.shared());
            Prdc.Result p7 = Prdc.compute(m, real.asFeatureSet(), fake.asFeatureSet(), 7, 7);
            assertEquals(p7.precision(), k7.values().get("precision"));
            assertEquals(p7.density(), k7.values().get("density"));
            assertEquals(Set.of("precision", "recall", "f1", "density", "coverage"), k7.values().keySet());
        }
    }

    @Test
    void digitImagesAreScoredExactlyAsTheEvaluatorScoresThem() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Dataset test = mnist(m, "test");
            NDArray realImages = test.data().get("0:150");
            NDArray fakeImages = mnist(m, "train").data().get("0:120");
            SampleFile real = images("real.npy", realImages, true);
            SampleFile fake = images("fake.npy", fakeImages, false);
            SampleMetrics.Result r = SampleMetrics.compute(real, fake, ALL, null, TestStores.shared());
            assertTrue(r.featureSpace().startsWith("LeNet features (64-d)"), r.featureSpace());

            EvalInput input = new EvalInput(test, realImages, new Samples(fakeImages, null, 1), 1.0, Map.of(), 0.01,
                    Map.of(), m);
            FeatureSpace.Pair f = new FeatureSpace(TestStores.shared()).features(input);
            Prdc.Result p = Prdc.compute(m, f.real(), f.fake(), 3, 5);
            assertEquals(p.precision(), r.values().get("precision"));
            assertEquals(p.recall(), r.values().get("recall"));
            assertEquals(p.density(), r.values().get("density"));
            assertEquals(p.coverage(), r.values().get("coverage"));
            assertEquals(Frechet.distance(f.real(), f.fake()), r.values().get("fd"));
            assertEquals(Kid.compute(m, f.real(), f.fake()).mean(), r.values().get("kid"));
        }
    }

    @Test
    void setsThatCannotBeComparedNameTheFileAtFault() throws IOException {
        SampleFile real = vectors("real.npy", 10, 4, 0, 1);
        SampleFile narrow = vectors("narrow.npy", 10, 3, 0, 2);
        SampleFile few = vectors("few.npy", 5, 4, 0, 3);
        SampleFile one = vectors("one.npy", 1, 4, 0, 4);
        String dims = fails(real, narrow, ALL, null);
        assertTrue(dims.startsWith(narrow.file() + " has 3 values per sample but " + real.file() + " has 4"), dims);
        String k = fails(real, few, ALL, 5);
        assertTrue(k.startsWith(few.file() + " has 5 samples, too few for k = 5"), k);
        assertTrue(k.contains("lower --k below 5"), k);
        // The evaluator's default k of density and coverage is 5 too.
        assertTrue(fails(few, real, ALL, null).startsWith(few.file() + " has 5 samples"));
        // Without PRDC no k applies, but FD and KID need 2 samples.
        assertEquals(Set.of("fd"), SampleMetrics.compute(real, few, EnumSet.of(SampleMetrics.Kind.FRECHET), null,
                TestStores.shared()).values().keySet());
        assertTrue(fails(real, one, EnumSet.of(SampleMetrics.Kind.FRECHET), null)
                .startsWith(one.file() + " has 1 sample; every metric needs at least 2"));
        assertTrue(fails(real, real, ALL, 0).contains("--k must be at least 1"));

        double[] grey = new double[3 * 784];
        grey[5] = 255;
        SampleFile bytes = SampleFile.read(NpyFiles.write(tmp.resolve("bytes.npy"), "<f4", new long[] {3, 28, 28},
                grey));
        SampleFile flat = vectors("flat.npy", 3, 784, 0, 5);
        String mixed = fails(flat, bytes, ALL, 1);
        assertTrue(mixed.startsWith(flat.file() + " holds 3 × 784 vectors but " + bytes.file()), mixed);
        String scale = fails(bytes, bytes, ALL, 1);
        assertTrue(scale.startsWith(bytes.file() + ": image values range over [0.0, 255.0]"), scale);
        assertTrue(scale.contains("divide 0-255 levels by 255"), scale);
    }

    private static String fails(SampleFile real, SampleFile fake, Set<SampleMetrics.Kind> kinds, Integer k) {
        return assertThrows(SampleFileException.class,
                () -> SampleMetrics.compute(real, fake, kinds, k, TestStores.shared())).getMessage();
    }

    private SampleFile vectors(String name, int n, int d, double shift, long seed) throws IOException {
        Random r = new Random(seed);
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() + shift;
        }
        return SampleFile.read(NpyFiles.write(tmp.resolve(name), "<f8", new long[] {n, d}, v));
    }

    private SampleFile images(String name, NDArray images, boolean channelAxis) throws IOException {
        float[] f = images.toFloatArray();
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = f[i];
        }
        long n = images.getShape().get(0);
        long[] shape = channelAxis ? new long[] {n, 1, 28, 28} : new long[] {n, 28, 28};
        return SampleFile.read(NpyFiles.write(tmp.resolve(name), "<f4", shape, v));
    }

    private static Dataset mnist(NDManager m, String split) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new MnistDataset().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.put("split", split);
        values.put("scale", "minus_one_one");
        return new MnistDataset().load(new DatasetSetup(new Params(values), m, 0L));
    }
}
