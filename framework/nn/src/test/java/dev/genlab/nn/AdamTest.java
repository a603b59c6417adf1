package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one Adam against the textbook update computed independently in float64 Java. */
class AdamTest {

    /** Textbook Adam/AdamW on plain arrays (Kingma & Ba, Algorithm 1; PyTorch's ε placement and decoupled decay). */
    static final class Reference {
        final double[][] w;
        final double[][] m;
        final double[][] v;
        final Adam.Options o;
        long t;
        double scale = 1;

        Reference(double[][] w, Adam.Options o) {
            this.w = new double[w.length][];
            this.m = new double[w.length][];
            this.v = new double[w.length][];
            for (int i = 0; i < w.length; i++) {
                this.w[i] = w[i].clone();
                m[i] = new double[w[i].length];
                v[i] = new double[w[i].length];
            }
            this.o = o;
        }

        void step(double[][] g) {
            double sq = 0;
            for (double[] gi : g) {
                for (double x : gi) {
                    sq += x * x;
                }
            }
            double norm = Math.sqrt(sq);
            if (o.skipNonFinite() && !Double.isFinite(norm)) {
                return;
            }
            double s = o.clipNorm() > 0 && norm > o.clipNorm() ? o.clipNorm() / norm : 1;
            t++;
            double lr = scale * (o.warmupSteps() > 0 ? o.lr() * Math.min(1.0, (double) t / o.warmupSteps()) : o.lr());
            for (int i = 0; i < w.length; i++) {
                for (int j = 0; j < w[i].length; j++) {
                    double gj = g[i][j] * s;
                    w[i][j] *= 1 - lr * o.weightDecay();
                    m[i][j] = o.beta1() * m[i][j] + (1 - o.beta1()) * gj;
                    v[i][j] = o.beta2() * v[i][j] + (1 - o.beta2()) * gj * gj;
                    double mh = m[i][j] / (1 - Math.pow(o.beta1(), t));
                    double vh = v[i][j] / (1 - Math.pow(o.beta2(), t));
                    w[i][j] -= lr * mh / (Math.sqrt(vh) + o.eps());
                }
            }
        }
    }

    private static double[][] random(Random r, int... sizes) {
        double[][] out = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = new double[sizes[i]];
            for (int j = 0; j < sizes[i]; j++) {
                out[i][j] = r.nextGaussian();
            }
        }
        return out;
    }

    private static float[] f(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** Runs {@code steps} updates in both and compares every weight (float32 vs float64: 1e-5 relative). */
    private static void compare(Adam.Options o, int steps, double gradScale, boolean nanAt3) {
        compare(o, steps, gradScale, nanAt3, k -> 1.0);
    }

    /** As above, with the rate scale {@code scale.applyAsDouble(k)} set before update k (1-based). */
    private static void compare(Adam.Options o, int steps, double gradScale, boolean nanAt3,
            java.util.function.IntToDoubleFunction scale) {
        Random r = new Random(11);
        double[][] w0 = random(r, 6, 3);
        Reference ref = new Reference(w0, o);
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("a", m.create(f(w0[0]), new Shape(2, 3)));
            p.add("b", m.create(f(w0[1]), new Shape(3)));
            Adam adam = new Adam(p, o);
            for (int k = 1; k <= steps; k++) {
                double[][] g = random(r, 6, 3);
                for (double[] gi : g) {
                    for (int j = 0; j < gi.length; j++) {
                        gi[j] *= gradScale;
                    }
                }
                if (nanAt3 && k == 3) {
                    g[1][2] = Double.POSITIVE_INFINITY;
                }
                ref.scale = scale.applyAsDouble(k);
                adam.setRateScale(ref.scale);
                ref.step(g);
                try (NDManager s = m.newSubManager()) {
                    Adam.Update u = adam.step(new NDArray[] {s.create(f(g[0]), new Shape(2, 3)), s.create(f(g[1]), new Shape(3))});
                    assertEquals(!(nanAt3 && k == 3), u.applied(), "update " + k);
                }
            }
            assertEquals(ref.t, adam.steps());
            NDArray[] w = p.stored();
            for (int i = 0; i < 2; i++) {
                float[] got = w[i].toFloatArray();
                for (int j = 0; j < got.length; j++) {
                    assertEquals(ref.w[i][j], got[j], 1e-5 * Math.max(1, Math.abs(ref.w[i][j])), "w" + i + "[" + j + "]");
                }
            }
        }
    }

    @Test
    void plainAdamIsTheTextbookUpdate() {
        compare(Adam.Options.lr(0.01), 50, 1, false);
    }

    @Test
    void tinyGradientsShowWhereEpsilonSits() {
        // With |g| ≈ 1e-7 ε is comparable to √v̂: the two placements of ε differ by a factor ~2 here.
        compare(Adam.Options.lr(0.01).eps(1e-7), 10, 1e-7, false);
    }

    @Test
    void betasWeightDecayClippingAndWarmupAreTheTextbookUpdate() {
        compare(Adam.Options.lr(0.003).betas(0.5, 0.9).weightDecay(0.1).clipNorm(0.5).warmup(7), 20, 3, false);
    }

    @Test
    void theRateScaleMultipliesTheStepLikeADecayingLearningRate() {
        // Linear decay to 0 over 12 updates, with warm-up and AdamW on top; the last updates move nothing.
        compare(Adam.Options.lr(0.01).betas(0.8, 0.999).warmup(3).weightDecay(0.1), 14, 1, false,
                k -> Math.max(0, 1 - (k - 1) / 12.0));
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(new float[] {1f, -2f}));
            Adam adam = new Adam(p, Adam.Options.lr(0.1));
            adam.setRateScale(0);
            adam.step(new NDArray[] {m.create(new float[] {3f, 4f})});
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1f, -2f}, p.stored()[0].toFloatArray());
            assertEquals(1, adam.steps(), "the moments and t still advance");
            assertEquals(0.0, adam.rate(5));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> adam.setRateScale(-1));
        }
    }

    @Test
    void aNonFiniteGradientSkipsTheWholeUpdate() {
        compare(Adam.Options.lr(0.01).skipNonFinite(true).clipNorm(10), 6, 1, true);
    }

    @Test
    void storedGradientsAreReadAndZeroed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(new float[] {1f, -2f}));
            p.requireGradients();
            Adam adam = new Adam(p, Adam.Options.lr(0.1));
            NDArray x = p.stored()[0];
            try (var c = Engine.getInstance().newGradientCollector()) {
                c.backward(x.square().sum());
            }
            assertTrue(adam.step().applied());
            // The first Adam step moves every coordinate by lr against the gradient's sign.
            float[] after = x.toFloatArray();
            assertEquals(0.9f, after[0], 1e-6f);
            assertEquals(-1.9f, after[1], 1e-6f);
            assertEquals(0f, x.getGradient().abs().sum().getFloat());
        }
    }

    @Test
    void restoringMidRunEqualsTheUninterruptedRun() throws Exception {
        Adam.Options o = Adam.Options.lr(0.02).clipNorm(1).skipNonFinite(true).warmup(3);
        Random r = new Random(5);
        double[][] gs = random(r, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40);
        float[] uninterrupted;
        float[] resumed;
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(f(random(new Random(1), 40)[0])));
            Adam adam = new Adam(p, o);
            for (double[] g : gs) {
                adam.step(new NDArray[] {m.create(f(g))});
            }
            uninterrupted = p.stored()[0].toFloatArray();
        }
        byte[] saved;
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(f(random(new Random(1), 40)[0])));
            Adam adam = new Adam(p, o);
            for (int k = 0; k < 4; k++) {
                adam.step(new NDArray[] {m.create(f(gs[k]))});
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Checkpoint("test", 1).part("model", p).part("adam", adam).write(out);
            saved = out.toByteArray();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.zeros(new Shape(40)));
            Adam adam = new Adam(p, o);
            new Checkpoint("test", 1).part("model", p).part("adam", adam).read(new ByteArrayInputStream(saved));
            assertEquals(4, adam.steps());
            for (int k = 4; k < gs.length; k++) {
                adam.step(new NDArray[] {m.create(f(gs[k]))});
            }
            resumed = p.stored()[0].toFloatArray();
        }
        assertEquals(java.util.Arrays.toString(uninterrupted), java.util.Arrays.toString(resumed));
    }

    @Test
    void functionalStepEqualsTheInPlaceUpdateAndIsDifferentiable() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.add("x", m.create(new float[] {0.5f, -1.5f, 2f}));
            Adam adam = new Adam(p, Adam.Options.lr(0.05).betas(0.5, 0.9));
            adam.step(new NDArray[] {m.create(new float[] {0.1f, 0.2f, -0.3f})});
            NDArray g = m.create(new float[] {1f, -2f, 0.5f});
            g.setRequiresGradient(true);
            Adam.State next;
            try (var c = Engine.getInstance().newGradientCollector()) {
                next = adam.step(adam.start(), new NDArray[] {g});
                c.backward(next.params()[0].sum());
            }
            float[] functional = next.params()[0].toFloatArray();
            assertFalse(g.getGradient().isNaN().any().getBoolean());
            assertTrue(g.getGradient().abs().sum().getFloat() > 0);
            adam.step(new NDArray[] {m.create(new float[] {1f, -2f, 0.5f})});
            float[] inPlace = p.stored()[0].toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(inPlace[i], functional[i], 1e-6f);
            }
        }
    }
}
