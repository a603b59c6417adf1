package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PrdcKidTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void identicalSetsArePerfect() {
        FeatureSet x = gaussian(new Random(1), 300, 4, 0);
        Prdc.Result r = Prdc.compute(manager, x, x, 3, 5);
        assertEquals(1.0, r.precision());
        assertEquals(1.0, r.recall());
        assertEquals(1.0, r.coverage());
        assertEquals(1.0, r.f1());
        // Each point lies in its own ball and in those of neighbours that have it among their k nearest.
        assertTrue(r.density() > 0.9 && r.density() < 1.1, "density " + r.density());
    }

    @Test
    void farApartSetsScoreZero() {
        FeatureSet x = gaussian(new Random(1), 200, 3, 0);
        FeatureSet y = gaussian(new Random(2), 200, 3, 100);
        Prdc.Result r = Prdc.compute(manager, x, y, 3, 5);
        assertEquals(0.0, r.precision());
        assertEquals(0.0, r.recall());
        assertEquals(0.0, r.density());
        assertEquals(0.0, r.coverage());
        assertEquals(0.0, r.f1());
    }

    @Test
    void collapsedSamplesKeepPrecisionButLoseRecallAndCoverage() {
        FeatureSet real = gaussian(new Random(1), 1000, 2, 0);
        // All generated points near the origin: inside the real manifold, but covering little of it.
        FeatureSet fake = scaled(gaussian(new Random(2), 1000, 2, 0), 0.05);
        Prdc.Result r = Prdc.compute(manager, real, fake, 3, 5);
        assertTrue(r.precision() > 0.95, "precision " + r.precision());
        assertTrue(r.recall() < 0.1, "recall " + r.recall());
        assertTrue(r.coverage() < 0.1, "coverage " + r.coverage());
        // Real balls are small where real data are dense, so each generated point sits in about k of them.
        assertTrue(r.density() > 0.5 && r.density() < 2, "density " + r.density());
    }

    @Test
    void blockingDoesNotChangeTheResult() {
        // More rows than fit one block: 3000 x 3000 = 9M > BLOCK_ELEMENTS (4M).
        FeatureSet real = gaussian(new Random(7), 3000, 5, 0);
        FeatureSet fake = gaussian(new Random(8), 3000, 5, 0.3);
        Prdc.Result whole = Prdc.compute(manager, real, fake, 3, 5);
        Prdc.Result parts = Prdc.compute(manager, real.select(range(3000)), fake, 3, 5);
        assertEquals(whole, parts);
        double[][] radii2 = PairwiseDistances.kthNeighbourRadii2(manager, real, 3);
        // Brute-force check of a few radii.
        for (int i : new int[] {0, 1500, 2999}) {
            double[] d = new double[3000];
            for (int j = 0; j < 3000; j++) {
                double s = 0;
                for (int t = 0; t < 5; t++) {
                    double diff = real.values()[i * 5 + t] - real.values()[j * 5 + t];
                    s += diff * diff;
                }
                d[j] = Math.sqrt(s);
            }
            java.util.Arrays.sort(d);
            assertEquals(d[3] * d[3], radii2[0][i], 1e-9);
        }
    }

    @Test
    void tooFewPointsForKAreRejected() {
        FeatureSet x = gaussian(new Random(1), 3, 2, 0);
        assertThrows(IllegalArgumentException.class, () -> Prdc.compute(manager, x, x, 3, 5));
    }

    @Test
    void kidIsNearZeroForOneDistributionAndLargeForTwo() {
        FeatureSet a = gaussian(new Random(1), 3000, 8, 0);
        FeatureSet b = gaussian(new Random(2), 3000, 8, 0);
        FeatureSet c = gaussian(new Random(3), 3000, 8, 0.5);
        Kid.Result same = Kid.compute(manager, a, b, 20, 500, Kid.SEED);
        Kid.Result shifted = Kid.compute(manager, a, c, 20, 500, Kid.SEED);
        assertTrue(Math.abs(same.mean()) < 3 * same.std() + 1e-3, "KID same distribution " + same);
        assertTrue(shifted.mean() > 0.05 && shifted.mean() > 5 * shifted.std(), "KID shifted " + shifted);
        // Deterministic: fixed subset seed.
        assertEquals(same, Kid.compute(manager, a, b, 20, 500, Kid.SEED));
    }

    @Test
    void unbiasedMmdMatchesABruteForceSum() {
        FeatureSet x = gaussian(new Random(4), 30, 3, 0);
        FeatureSet y = gaussian(new Random(5), 20, 3, 0.4);
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 30; j++) {
                if (i != j) {
                    xx += k(x.row(i), x.row(j));
                }
            }
            for (int j = 0; j < 20; j++) {
                xy += k(x.row(i), y.row(j));
            }
        }
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 20; j++) {
                if (i != j) {
                    yy += k(y.row(i), y.row(j));
                }
            }
        }
        double expected = xx / (30 * 29) + yy / (20 * 19) - 2 * xy / (30 * 20);
        assertEquals(expected, Kid.mmd2(manager, x, y), 1e-12);
    }

    private static double k(double[] a, double[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return Math.pow(dot / a.length + 1, 3);
    }

    static FeatureSet gaussian(Random r, int n, int d, double shift) {
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() + shift;
        }
        return new FeatureSet(n, d, v);
    }

    private static FeatureSet scaled(FeatureSet s, double f) {
        double[] v = s.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] *= f;
        }
        return new FeatureSet(s.rows(), s.dim(), v);
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
