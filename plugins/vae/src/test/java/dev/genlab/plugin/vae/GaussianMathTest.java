package dev.genlab.plugin.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GaussianMathTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** KL(N(m1, s1²) ‖ N(m2, s2²)) = log(s2/s1) + (s1² + (m1 − m2)²)/(2 s2²) − ½, the textbook form. */
    private static double klClosedForm(double m1, double s1, double m2, double s2) {
        return Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) * (m1 - m2)) / (2 * s2 * s2) - 0.5;
    }

    @Test
    void klOfTwoGaussiansMatchesTheClosedForm() {
        Random random = new Random(1);
        int n = 200;
        float[] m1 = new float[n];
        float[] v1 = new float[n];
        float[] m2 = new float[n];
        float[] v2 = new float[n];
        for (int i = 0; i < n; i++) {
            m1[i] = (float) (3 * random.nextGaussian());
            m2[i] = (float) (3 * random.nextGaussian());
            v1[i] = (float) (4 * random.nextDouble() - 2);
            v2[i] = (float) (4 * random.nextDouble() - 2);
        }
        float[] kl = GaussianMath.klDiagonal(manager.create(m1), manager.create(v1), manager.create(m2),
                manager.create(v2)).toFloatArray();
        float[] klPrior = GaussianMath.klToStandardNormal(manager.create(m1), manager.create(v1)).toFloatArray();
        for (int i = 0; i < n; i++) {
            double s1 = Math.exp(v1[i] / 2.0);
            double s2 = Math.exp(v2[i] / 2.0);
            double expected = klClosedForm(m1[i], s1, m2[i], s2);
            assertEquals(expected, kl[i], 1e-4 * Math.max(1, expected));
            double expectedPrior = klClosedForm(m1[i], s1, 0, 1);
            assertEquals(expectedPrior, klPrior[i], 1e-4 * Math.max(1, expectedPrior));
        }
        // The host version used by the diagnostics agrees with the NDArray version.
        double[] host = LatentStats.klPerDim(new float[][] {{m1[0], m1[1]}}, new float[][] {{v1[0], v1[1]}});
        assertEquals(klPrior[0], host[0], 1e-5 * Math.max(1, host[0]));
        assertEquals(klPrior[1], host[1], 1e-5 * Math.max(1, host[1]));
    }

    @Test
    void klMatchesAMonteCarloEstimate() {
        // E_q[log q(z) − log p(z)] with 200k draws of z ~ q = N(0.7, 0.5²), p = N(−0.3, 1.5²).
        double m1 = 0.7;
        double s1 = 0.5;
        double m2 = -0.3;
        double s2 = 1.5;
        Random random = new Random(2);
        int n = 200_000;
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (m1 + s1 * random.nextGaussian());
        }
        NDArray zs = manager.create(z);
        NDArray logQ = GaussianMath.logNormal(zs, manager.create((float) m1),
                manager.create((float) (2 * Math.log(s1))));
        NDArray logP = GaussianMath.logNormalStd(zs, manager.create((float) m2), manager.create((float) s2));
        double mc = logQ.sub(logP).mean().getFloat();
        assertEquals(klClosedForm(m1, s1, m2, s2), mc, 0.01);
    }

    @Test
    void densitiesAndBernoulliMatchTheirDefinitions() {
        float x = 0.3f;
        float mu = -0.2f;
        float logvar = 0.4f;
        double sigma = Math.exp(logvar / 2);
        double expected = -0.5 * Math.log(2 * Math.PI) - Math.log(sigma)
                - (x - mu) * (x - mu) / (2 * sigma * sigma);
        assertEquals(expected, GaussianMath.logNormal(manager.create(x), manager.create(mu),
                manager.create(logvar)).getFloat(), 1e-5);
        assertEquals(expected, GaussianMath.logNormalStd(manager.create(x), manager.create(mu),
                manager.create((float) sigma)).getFloat(), 1e-5);
        assertEquals(-0.5 * Math.log(2 * Math.PI) - 0.045, GaussianMath.logStandardNormal(manager.create(x)).getFloat(),
                1e-5);
        // log sigmoid(3) for a 1, log(1 − sigmoid(3)) for a 0, and no overflow at ±100.
        float[] lp = GaussianMath.logBernoulli(manager.create(new float[] {1f, 0f, 1f, 0f}),
                manager.create(new float[] {3f, 3f, 100f, -100f})).toFloatArray();
        assertEquals(Math.log(1 / (1 + Math.exp(-3))), lp[0], 1e-5);
        assertEquals(Math.log(1 - 1 / (1 + Math.exp(-3))), lp[1], 1e-5);
        assertEquals(0, lp[2], 1e-5);
        assertEquals(0, lp[3], 1e-5);
        assertEquals(100, GaussianMath.softplus(manager.create(100f)).getFloat(), 1e-4);
    }
}
