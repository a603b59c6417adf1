package dev.genlab.plugin.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LatentStatsTest {

    @Test
    void activeUnitsCountUnitsWhoseMeansVaryAcrossExamples() {
        Random random = new Random(1);
        int n = 500;
        float[][] mu = new float[n][3];
        for (int i = 0; i < n; i++) {
            mu[i][0] = (float) random.nextGaussian();          // variance 1: active
            mu[i][1] = (float) (0.05 * random.nextGaussian()); // variance 0.0025: collapsed
            mu[i][2] = 0.5f;                                    // constant: collapsed
        }
        double[] a = LatentStats.meanVariance(mu);
        assertEquals(1.0, a[0], 0.15);
        assertEquals(0.0025, a[1], 0.001);
        assertEquals(0.0, a[2], 1e-12);
        assertEquals(1, LatentStats.activeUnits(mu, 0.01));
        assertEquals(2, LatentStats.activeUnits(mu, 0.001));
    }

    @Test
    void mutualInformationIsZeroForAnUninformativePosteriorAndLogNForDisjointOnes() {
        Random random = new Random(2);
        int n = 400;
        float[][] mu = new float[n][2];
        float[][] logvar = new float[n][2];
        float[][] z = new float[n][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2; j++) {
                z[i][j] = (float) random.nextGaussian(); // q(z|x) = N(0, 1) for every x: z ignores x
            }
        }
        assertEquals(0.0, LatentStats.mutualInformation(mu, logvar, z), 0.05);
        for (int i = 0; i < n; i++) {
            mu[i][0] = 10f * i; // far apart, tiny variance: z identifies x exactly
            logvar[i][0] = -6f;
            logvar[i][1] = -6f;
            z[i][0] = mu[i][0] + (float) (Math.exp(-3) * random.nextGaussian());
            z[i][1] = (float) (Math.exp(-3) * random.nextGaussian());
        }
        // log n up to the Monte Carlo noise of one draw per example (std ≈ 1/√n of a χ²₂/2 mean).
        assertEquals(Math.log(n), LatentStats.mutualInformation(mu, logvar, z), 0.15);
    }

    @Test
    void linearProbeSeparatesSeparableClassesAndNotRandomOnes() {
        Random random = new Random(3);
        int n = 600;
        float[][] x = new float[n][4];
        int[] y = new int[n];
        int[] noise = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            noise[i] = random.nextInt(3);
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) (random.nextGaussian() * 0.3 + (j == y[i] ? 3 : 0));
            }
        }
        LinearProbe probe = LinearProbe.standard();
        assertEquals(1.0, probe.accuracy(x, y, 3), 1e-9);
        double chance = probe.accuracy(x, noise, 3);
        assertTrue(chance < 0.5, "random labels cannot be predicted: " + chance);
        assertEquals(probe.accuracy(x, y, 3), probe.accuracy(x, y, 3)); // deterministic
        assertThrows(IllegalArgumentException.class, () -> probe.accuracy(new float[3][2], new int[3], 2));
        assertThrows(IllegalArgumentException.class, () -> new LinearProbe(0, 0.1, 0));
    }
}
