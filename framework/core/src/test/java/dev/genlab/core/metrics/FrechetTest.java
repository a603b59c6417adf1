package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetTest {

    @Test
    void eigendecompositionReconstructsASymmetricMatrix() {
        Random r = new Random(3);
        int n = 12;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = r.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        SymmetricEigen e = SymmetricEigen.of(a);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += e.vectors()[i][k] * e.values()[k] * e.vectors()[j][k];
                }
                assertEquals(a[i][j], s, 1e-12, "entry " + i + "," + j);
            }
        }
        // Known spectrum: [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        double[] v = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}}).values();
        assertEquals(4.0, v[0] + v[1], 1e-15);
        assertEquals(3.0, Math.max(v[0], v[1]), 1e-15);
    }

    @Test
    void eigendecompositionHandlesRepeatedAndZeroEigenvalues() {
        // A = U diag(3, 3, 1, 0, 0, 0) Uᵀ for a random orthogonal U (Gram–Schmidt): a repeated value and a
        // 3-dimensional null space, as the covariance of ReLU features with dead units has.
        Random r = new Random(9);
        int n = 6;
        double[][] u = new double[n][n];
        for (int k = 0; k < n; k++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextGaussian();
            }
            for (int p = 0; p < k; p++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += v[i] * u[i][p];
                }
                for (int i = 0; i < n; i++) {
                    v[i] -= dot * u[i][p];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            for (int i = 0; i < n; i++) {
                u[i][k] = v[i] / Math.sqrt(norm);
            }
        }
        double[] spectrum = {3, 3, 1, 0, 0, 0};
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += u[i][k] * spectrum[k] * u[j][k];
                }
            }
        }
        double[] values = SymmetricEigen.valuesOf(a).clone();
        java.util.Arrays.sort(values);
        double[] expected = {0, 0, 0, 1, 3, 3};
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], values[i], 1e-14, "eigenvalue " + i);
        }
        // Already diagonal (no reflection needed) and 1 × 1.
        assertEquals(5.0, SymmetricEigen.of(new double[][] {{5}}).values()[0]);
        double[] diagonal = SymmetricEigen.valuesOf(diag(2, 7, 1)).clone();
        java.util.Arrays.sort(diagonal);
        assertEquals(java.util.List.of(1.0, 2.0, 7.0), java.util.List.of(diagonal[0], diagonal[1], diagonal[2]));
    }

    @Test
    void fitMatchesTheTwoPassCovarianceForAnyRowCount() {
        Random r = new Random(4);
        for (int n : new int[] {2, 5, 7, 8}) {
            int d = 5;
            double[] v = new double[n * d];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian() + 10;
            }
            Frechet.Gaussian g = Frechet.fit(new FeatureSet(n, d, v));
            for (int a = 0; a < d; a++) {
                double ma = 0;
                for (int i = 0; i < n; i++) {
                    ma += v[i * d + a] / n;
                }
                for (int b = 0; b < d; b++) {
                    double mb = 0;
                    for (int i = 0; i < n; i++) {
                        mb += v[i * d + b] / n;
                    }
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s += (v[i * d + a] - ma) * (v[i * d + b] - mb);
                    }
                    assertEquals(s / (n - 1), g.cov()[a][b], 1e-12, "n=" + n + " entry " + a + "," + b);
                }
            }
        }
    }

    @Test
    void rootFactorTimesItsTransposeIsTheMatrix() {
        double[][] s = {{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 2}};
        double[][] root = SymmetricEigen.of(s).rootFactor();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double v = 0;
                for (int k = 0; k < 3; k++) {
                    v += root[i][k] * root[j][k];
                }
                assertEquals(s[i][j], v, 1e-13);
            }
        }
    }

    @Test
    void closedFormForDiagonalGaussians() {
        // FD = |mu1 - mu2|^2 + sum_i (sigma1_i - sigma2_i)^2 when both covariances are diagonal.
        Frechet.Gaussian a = new Frechet.Gaussian(new double[] {0, 1, 2}, diag(1, 4, 9));
        Frechet.Gaussian b = new Frechet.Gaussian(new double[] {1, 1, 0}, diag(4, 1, 9));
        double expected = (1 + 0 + 4) + (1 + 1 + 0);
        assertEquals(expected, Frechet.distance(a, b), 1e-12);
        assertEquals(0.0, Frechet.distance(a, a), 1e-12);
    }

    @Test
    void closedFormForNonCommutingCovariances() {
        // For 2x2 PSD matrices, tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
        double[][] s1 = {{2.0, 0.6}, {0.6, 1.0}};
        double[][] s2 = {{0.5, -0.3}, {-0.3, 1.5}};
        double tr12 = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
        double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
        double trRoot = Math.sqrt(tr12 + 2 * Math.sqrt(det1 * det2));
        double[] m1 = {0.3, -0.2};
        double[] m2 = {-0.1, 0.4};
        double meanTerm = 0.4 * 0.4 + 0.6 * 0.6;
        double expected = meanTerm + (s1[0][0] + s1[1][1]) + (s2[0][0] + s2[1][1]) - 2 * trRoot;
        double actual = Frechet.distance(new Frechet.Gaussian(m1, s1), new Frechet.Gaussian(m2, s2));
        assertEquals(expected, actual, 1e-12);
    }

    @Test
    void estimateFromSamplesApproachesTheClosedForm() {
        Random r = new Random(11);
        int n = 40_000;
        // X ~ N(0, I_2); Y ~ N((1, 0), diag(4, 0.25)) => FD = 1 + (1-2)^2 + (1-0.5)^2 = 2.25.
        double[] x = new double[2 * n];
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = r.nextGaussian();
            x[2 * i + 1] = r.nextGaussian();
            y[2 * i] = 1 + 2 * r.nextGaussian();
            y[2 * i + 1] = 0.5 * r.nextGaussian();
        }
        double fd = Frechet.distance(new FeatureSet(n, 2, x), new FeatureSet(n, 2, y));
        assertEquals(2.25, fd, 0.05);
    }

    @Test
    void tooSmallSetsAreRejectedWhicheverSideTheyAreOn() {
        FeatureSet one = new FeatureSet(1, 2, new double[] {1, 2});
        FeatureSet two = new FeatureSet(2, 2, new double[] {1, 2, 3, 5});
        // The second set is fitted on another thread; its error must still be the plain exception.
        assertThrows(IllegalArgumentException.class, () -> Frechet.distance(two, one));
        assertThrows(IllegalArgumentException.class, () -> Frechet.distance(one, two));
    }

    @Test
    void fitUsesTheUnbiasedCovariance() {
        FeatureSet s = new FeatureSet(3, 1, new double[] {1, 2, 6});
        Frechet.Gaussian g = Frechet.fit(s);
        assertEquals(3.0, g.mean()[0], 1e-15);
        assertEquals((4 + 1 + 9) / 2.0, g.cov()[0][0], 1e-15);
    }

    @Test
    void identicalSetsHaveZeroDistanceInManyDimensions() {
        Random r = new Random(5);
        int n = 2000;
        int d = 64;
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, r.nextGaussian() + (i % d) * 0.01); // ReLU-like features
        }
        FeatureSet set = new FeatureSet(n, d, v);
        double fd = Frechet.distance(set, set);
        assertTrue(fd >= 0 && fd < 1e-9, "FD of a set with itself: " + fd);
    }

    private static double[][] diag(double... values) {
        double[][] m = new double[values.length][values.length];
        for (int i = 0; i < values.length; i++) {
            m[i][i] = values[i];
        }
        return m;
    }
}
