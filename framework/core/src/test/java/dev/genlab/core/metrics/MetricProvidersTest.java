package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.Samples;
import dev.genlab.core.data.MnistDataset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The metric providers end to end, on 2-D points and on MNIST digits (LeNet features). */
class MetricProvidersTest {

    private static NDManager manager;
    private static DigitClassifierStore store;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
        store = TestStores.shared();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void providersDeclareNameAndApiVersion() {
        for (MetricProvider p : List.of(new PrdcMetric(store), new FrechetMetric(store), new ClassifierMetric(store))) {
            assertEquals(GenlabApi.VERSION, p.apiVersion());
            assertFalse(p.description().isBlank());
        }
        assertEquals(List.of("prdc", "frechet", "classifier"),
                List.of(new PrdcMetric(store).name(), new FrechetMetric(store).name(), new ClassifierMetric(store).name()));
    }

    @Test
    void pointsUseRawCoordinates() {
        float[] realXy = gaussian(new Random(1), 800, 0f);
        float[] fakeXy = gaussian(new Random(2), 800, 0.5f);
        Dataset ds = new Dataset("ring8", manager.create(realXy, new Shape(800, 2)), null, DataShape.points(2), null);
        EvalInput input = input(ds, manager.create(realXy, new Shape(800, 2)),
                new Samples(manager.create(fakeXy, new Shape(800, 2)), null, 1));
        assertTrue(new PrdcMetric(store).appliesTo(input));
        assertFalse(new ClassifierMetric(store).appliesTo(input));
        Map<String, Double> prdc = new PrdcMetric(store).compute(input);
        assertEquals(Set.of("precision", "recall", "f1", "density", "coverage"), prdc.keySet());
        FeatureSet real = FeatureSet.ofFloats(800, 2, realXy);
        FeatureSet fake = FeatureSet.ofFloats(800, 2, fakeXy);
        Prdc.Result direct = Prdc.compute(manager, real, fake, 3, 5);
        assertEquals(direct.precision(), prdc.get("precision"));
        assertEquals(direct.coverage(), prdc.get("coverage"));
        Map<String, Double> fd = new FrechetMetric(store).compute(input);
        assertEquals(Set.of("fd", "kid", "kid_std"), fd.keySet());
        // Means differ by (0.5, 0.5), unit covariances: FD ≈ 0.5.
        assertEquals(0.5, fd.get("fd"), 0.1);
        assertEquals(Frechet.distance(real, fake), fd.get("fd"), 1e-12);
        assertTrue(fd.get("kid") > 0);
    }

    @Test
    void nonFiniteSamplesAreRejected() {
        float[] realXy = gaussian(new Random(1), 100, 0f);
        float[] fakeXy = realXy.clone();
        fakeXy[7] = Float.NaN;
        Dataset ds = new Dataset("ring8", manager.create(realXy, new Shape(100, 2)), null, DataShape.points(2), null);
        EvalInput input = input(ds, manager.create(realXy, new Shape(100, 2)),
                new Samples(manager.create(fakeXy, new Shape(100, 2)), null, 1));
        assertThrows(IllegalArgumentException.class, () -> new FrechetMetric(store).compute(input));
    }

    @Test
    void otherImagesAreNotApplicable() {
        Dataset cifar = new Dataset("cifar", manager.zeros(new Shape(4, 3, 32, 32)), null,
                DataShape.image(3, 32, 32, 10), null);
        EvalInput input = input(cifar, manager.zeros(new Shape(4, 3, 32, 32)),
                new Samples(manager.zeros(new Shape(4, 3, 32, 32)), null, 1));
        assertFalse(new PrdcMetric(store).appliesTo(input));
        assertFalse(new FrechetMetric(store).appliesTo(input));
        assertFalse(new ClassifierMetric(store).appliesTo(input));
    }

    @Test
    void digitsFromTheDataScoreWellAndNoiseScoresBadly() {
        Dataset all = mnist("all", "minus_one_one");
        NDArray reference = mnist("test", "minus_one_one").data().get("0:1000");
        NDArray train = mnist("train", "minus_one_one").data().get("0:1000");
        EvalInput real = input(all, reference, new Samples(train, null, 1));
        Map<String, Double> fdReal = new FrechetMetric(store).compute(real);
        Map<String, Double> prdcReal = new PrdcMetric(store).compute(real);
        assertEquals(Set.of("fd_lenet", "kid_lenet", "kid_std_lenet"), fdReal.keySet());
        assertTrue(prdcReal.get("precision_lenet") > 0.7, "precision " + prdcReal);
        assertTrue(prdcReal.get("recall_lenet") > 0.7, "recall " + prdcReal);
        assertTrue(prdcReal.get("coverage_lenet") > 0.8, "coverage " + prdcReal);

        float[] noiseValues = new float[1000 * 784];
        Random r = new Random(0);
        for (int i = 0; i < noiseValues.length; i++) {
            noiseValues[i] = 2 * r.nextFloat() - 1;
        }
        NDArray noise = manager.create(noiseValues, new Shape(1000, 1, 28, 28));
        EvalInput bad = input(all, reference, new Samples(noise, null, 1));
        Map<String, Double> fdBad = new FrechetMetric(store).compute(bad);
        Map<String, Double> prdcBad = new PrdcMetric(store).compute(bad);
        System.out.printf("FD-LeNet: held-out digits %.3f, uniform noise %.3f; KID-LeNet %.5f vs %.5f%n",
                fdReal.get("fd_lenet"), fdBad.get("fd_lenet"), fdReal.get("kid_lenet"), fdBad.get("kid_lenet"));
        assertTrue(fdBad.get("fd_lenet") > 20 * fdReal.get("fd_lenet"), fdReal + " vs " + fdBad);
        assertTrue(fdBad.get("kid_lenet") > 20 * Math.abs(fdReal.get("kid_lenet")), fdReal + " vs " + fdBad);
        // Precision is not asserted: noise maps to one tight feature cluster that can sit inside a few
        // large real balls (the outlier weakness of k-NN precision that density was designed to fix).
        assertTrue(prdcBad.get("recall_lenet") < 0.05, "noise recall " + prdcBad);
        assertTrue(prdcBad.get("coverage_lenet") < 0.05, "noise coverage " + prdcBad);
        assertTrue(prdcBad.get("density_lenet") < 0.6 * prdcReal.get("density_lenet"), prdcReal + " vs " + prdcBad);
    }

    @Test
    void scaleOfTheDatasetIsHonoured() {
        // The same digits stored in [0, 1] and in [-1, 1] give the same features, hence FD of exactly 0.
        Dataset sym = mnist("test", "minus_one_one");
        Dataset unit = mnist("test", "zero_one");
        FeatureSpace space = new FeatureSpace(store);
        FeatureSpace.Pair a = space.features(input(sym, sym.data(), new Samples(sym.data(), null, 1)));
        FeatureSpace.Pair b = space.features(input(unit, unit.data(), new Samples(unit.data(), null, 1)));
        double[] fa = a.fake().values();
        double[] fb = b.fake().values();
        double maxDiff = 0;
        for (int i = 0; i < fa.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(fa[i] - fb[i]));
        }
        assertTrue(maxDiff < 1e-4, "feature difference " + maxDiff);
    }

    @Test
    void classifierMetricsOnRealAndCollapsedDigits() {
        Dataset test = mnist("test", "minus_one_one");
        int[] labels = test.labels().toIntArray();
        EvalInput real = input(test, test.data(), new Samples(test.data(), labels, 1));
        Map<String, Double> m = new ClassifierMetric(store).compute(real);
        System.out.println("classifier metrics on the 2,000 test digits: " + m);
        assertEquals(10.0, m.get("classes_covered"));
        assertEquals(Math.log(10), m.get("label_entropy"), 0.05);
        assertTrue(m.get("inception_score") > 8.5 && m.get("inception_score") <= 10.0, "IS " + m);
        assertTrue(m.get("conditional_accuracy") >= 0.98, "conditional accuracy " + m);

        Dataset threes = mnistDigits("3");
        EvalInput collapsed = input(test, test.data(), new Samples(threes.data(), null, 1));
        Map<String, Double> c = new ClassifierMetric(store).compute(collapsed);
        assertEquals(1.0, c.get("classes_covered"), "collapsed " + c);
        assertTrue(c.get("label_entropy") < 0.2, "collapsed " + c);
        assertTrue(c.get("inception_score") < 1.3, "collapsed " + c);
        assertFalse(c.containsKey("conditional_accuracy"));
    }

    @Test
    void scoresFollowTheirDefinitions() {
        // Two samples, certain and of different classes: IS = exp(ln 2) = 2, entropy ln 2.
        double[] p = new double[20];
        p[3] = 1;
        p[10 + 7] = 1;
        Map<String, Double> m = ClassifierMetric.scores(p, new int[] {3, 1}, 10);
        assertEquals(2.0, m.get("classes_covered"));
        assertEquals(Math.log(2), m.get("label_entropy"), 1e-12);
        assertEquals(2.0, m.get("inception_score"), 1e-12);
        assertEquals(0.5, m.get("conditional_accuracy"));
        // Uniform predictions carry no information: IS = 1.
        double[] u = new double[30];
        Arrays.fill(u, 0.1);
        assertEquals(1.0, ClassifierMetric.scores(u, null, 10).get("inception_score"), 1e-12);
        // Coverage threshold: 100 samples over 10 classes need >= 1 sample each (0.1 * 100 / 10) ...
        double[] q = new double[1000];
        for (int i = 0; i < 100; i++) {
            q[i * 10 + (i < 91 ? 0 : i - 90)] = 1; // 91 zeros, then one each of 1..9
        }
        assertEquals(10.0, ClassifierMetric.scores(q, null, 10).get("classes_covered"));
        // ... but 100 samples over 3 present classes need >= 3.34 each: only class 0 qualifies.
        assertEquals(1.0, ClassifierMetric.scores(q, null, 3).get("classes_covered"));
    }

    private static Dataset mnist(String split, String scale) {
        return new MnistDataset().load(setup(Map.of("split", split, "scale", scale)));
    }

    private static Dataset mnistDigits(String digits) {
        return new MnistDataset().load(setup(Map.of("split", "all", "digits", digits)));
    }

    private static DatasetSetup setup(Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new MnistDataset().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        return new DatasetSetup(new Params(values), manager, 0L);
    }

    private static EvalInput input(Dataset ds, NDArray reference, Samples samples) {
        return new EvalInput(ds, reference, samples, 1.0, Map.of(), 0.01, Map.of(), manager);
    }

    private static float[] gaussian(Random r, int n, float shift) {
        float[] v = new float[2 * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() + shift;
        }
        return v;
    }
}
