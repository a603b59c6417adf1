package dev.genlab.plugin.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The samplers against the exact noise prediction of Gaussian data: with x₀ ~ N(μ, s²),
 * x_t ~ N(√ᾱ μ, ᾱ s² + 1 − ᾱ) and E[ε | x_t] = √(1−ᾱ) (x_t − √ᾱ μ) / (ᾱ s² + 1 − ᾱ). Each sampler, fed
 * that oracle, must reproduce N(μ, s²).
 */
class SamplerTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Sampler.NoisePredictor oracle(NoiseSchedule schedule, double mu, double s, AtomicInteger calls) {
        return new Sampler.NoisePredictor() {
            @Override
            public NDArray predict(NDArray x, int step) {
                calls.incrementAndGet();
                double a = schedule.alphaBar(step);
                double variance = a * s * s + 1 - a;
                return x.sub((float) (Math.sqrt(a) * mu)).mul((float) (Math.sqrt(1 - a) / variance));
            }

            @Override
            public int evaluationsPerStep() {
                return 1;
            }
        };
    }

    /** @return mean and standard deviation of the samples */
    private double[] run(String kind, int steps, String spacing, double eta, NoiseSchedule schedule, double mu,
            double s, AtomicInteger calls) {
        int n = 20_000;
        SplittableRandom random = new SplittableRandom(42);
        NDArray xT = manager.create(Sampler.gaussians(random, n), new Shape(n, 1));
        NDArray out = new Sampler(schedule, null).run(kind, steps, spacing, eta, xT, oracle(schedule, mu, s, calls),
                random);
        assertEquals(new Shape(n, 1), out.getShape());
        float[] v = out.toFloatArray();
        out.close();
        double mean = 0;
        for (float f : v) {
            mean += f / (double) n;
        }
        double var = 0;
        for (float f : v) {
            var += (f - mean) * (f - mean) / n;
        }
        return new double[] {mean, Math.sqrt(var)};
    }

    @Test
    void everySamplerRecoversAGaussianFromTheExactScore() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000, 1e-4, 0.02);
        double mu = 0.7;
        double s = 0.3;
        // {sampler, steps, spacing, eta, expected std / s, tolerance}. For Gaussian data every step is a
        // linear map plus independent noise, so the output variance follows the recursion
        // Var' = c² Var + σ² from Var = 1; these expectations come from evaluating it independently of
        // this code. It shows the known biases: ancestral sampling with the posterior variance β̃ is 1.3 %
        // narrow on 1000 steps and 16 % narrow on 50; deterministic DDIM on 50 uniform steps 8.5 %,
        // on 50 quadratic steps 3.8 %; DPM-Solver++(2M) on 50 log-SNR steps is within 0.2 %.
        Object[][] cases = {
            {"ddpm", 1000, "uniform", 1.0, 0.9875, 0.02},
            {"ddim", 1000, "uniform", 0.0, 0.9985, 0.02},
            {"ddim", 50, "uniform", 1.0, 0.8406, 0.02},
            {"ddim", 50, "uniform", 0.0, 0.9150, 0.02},
            {"ddim", 50, "quadratic", 0.0, 0.962, 0.02},
            {"dpm_solver", 50, "logsnr", 0.0, 1.002, 0.02},
        };
        for (Object[] c : cases) {
            AtomicInteger calls = new AtomicInteger();
            int steps = (Integer) c[1];
            double[] stats = run((String) c[0], steps, (String) c[2], (Double) c[3], schedule, mu, s, calls);
            String what = c[0] + " " + steps + " " + c[2] + " steps, eta " + c[3] + ": mean " + stats[0]
                    + " std " + stats[1];
            assertEquals(mu, stats[0], 0.01, what);
            assertEquals((Double) c[4] * s, stats[1], (Double) c[5] * s, what);
            assertEquals(steps, calls.get(), "one network evaluation per visited step: " + what);
        }
    }

    @Test
    void aPointMassIsReproducedExactlyAndClippingHolds() {
        NoiseSchedule schedule = NoiseSchedule.cosine(100);
        for (String kind : new String[] {"ddpm", "ddim", "dpm_solver"}) {
            double[] stats = run(kind, 10, "logsnr", 0, schedule, -0.4, 0, new AtomicInteger());
            assertEquals(-0.4, stats[0], 1e-4, kind);
            assertEquals(0, stats[1], 1e-4, kind);
        }
        // An oracle for data at 2.0 sampled with clipping to [-1, 1] can only land on the bound.
        SplittableRandom random = new SplittableRandom(1);
        NDArray xT = manager.create(Sampler.gaussians(random, 100), new Shape(100, 1));
        NDArray out = new Sampler(schedule, new Sampler.Clip(-1f, 1f))
                .run("ddim", 10, "uniform", 0, xT, oracle(schedule, 2.0, 0, new AtomicInteger()), random);
        for (float v : out.toFloatArray()) {
            assertEquals(1f, v, 1e-5f);
        }
    }

    @Test
    void ddimWithEtaOneIsTheAncestralSamplerAndEtaZeroIsDeterministic() {
        NoiseSchedule schedule = NoiseSchedule.linear(200, 1e-4, 0.02);
        NDArray start = manager.create(Sampler.gaussians(new SplittableRandom(3), 500), new Shape(500, 1));
        float[] ancestral = sample("ddpm", 25, 0.0, schedule, start, 9);
        float[] etaOne = sample("ddim", 25, 1.0, schedule, start, 9);
        assertTrue(java.util.Arrays.equals(ancestral, etaOne));
        float[] deterministicA = sample("ddim", 25, 0.0, schedule, start, 9);
        float[] deterministicB = sample("ddim", 25, 0.0, schedule, start, 10);
        assertTrue(java.util.Arrays.equals(deterministicA, deterministicB), "eta 0 must not use noise");
        assertTrue(!java.util.Arrays.equals(sample("ddpm", 25, 0.0, schedule, start, 9),
                sample("ddpm", 25, 0.0, schedule, start, 10)), "ddpm must use noise");
    }

    private float[] sample(String kind, int steps, double eta, NoiseSchedule schedule, NDArray start, long seed) {
        NDArray xT = start.duplicate();
        NDArray out = new Sampler(schedule, null).run(kind, steps, "quadratic", eta, xT,
                oracle(schedule, 0.5, 0.2, new AtomicInteger()), new SplittableRandom(seed));
        float[] v = out.toFloatArray();
        out.close();
        return v;
    }
}
