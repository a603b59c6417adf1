package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Adam;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The semantics issue 21 corrected, each against the papers' reference code: PacGAN's packs per update (Lin et
 * al. 2018 keep 100 packs and draw pack × 100 samples per side), WGAN-GP's fresh real batch per critic update
 * (Gulrajani et al.'s toy code), and the full unrolled objective f(θ_G, θ_D^K) of Metz et al. (2017).
 */
class PaperSemanticsTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private GanParadigm points(Map<String, Object> overrides, long seed) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("hidden", 8, "layers", 1, "latent_dim", 4));
        m.putAll(overrides);
        return Fixtures.create(manager, DataShape.points(2), m, seed);
    }

    /** Row i of the batch is (i, −i), so each D input tells which rows it came from. */
    private static float[] numbered(int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            xy[2 * i] = i;
            xy[2 * i + 1] = -i;
        }
        return xy;
    }

    /** Records the shape and values of every D input of a step. */
    private static final class Recorder implements GanTraining.Probe {
        final List<Shape> realShapes = new ArrayList<>();
        final List<Shape> fakeShapes = new ArrayList<>();
        final List<float[]> reals = new ArrayList<>();
        Shape generatorFake;
        float[] generatorReal;

        @Override
        public void discriminatorUpdate(int critic, NDArray realIn, NDArray fakeIn) {
            assertEquals(reals.size(), critic);
            realShapes.add(realIn.getShape());
            fakeShapes.add(fakeIn.getShape());
            reals.add(realIn.toFloatArray());
        }

        @Override
        public void generatorUpdate(NDArray realIn, NDArray fakeIn) {
            generatorFake = fakeIn.getShape();
            generatorReal = realIn.toFloatArray();
        }
    }

    private Recorder step(GanParadigm gan, int batch) {
        Recorder r = new Recorder();
        gan.training.probe = r;
        Fixtures.step(gan, manager, numbered(batch), new long[] {batch, 2}, null);
        return r;
    }

    /** The first values of rows [from, from + n) of {@link #numbered}: x0, y0, x1, y1, … */
    private static float[] rows(int from, int n) {
        float[] all = numbered(from + n);
        return java.util.Arrays.copyOfRange(all, 2 * from, all.length);
    }

    @Test
    void packsPerUpdateGivesDThatManyPacksOfPackTimesThatManySamplesPerSide() {
        // PacGAN4 with 5 packs: 20 real rows (the first of a batch of 48) and 20 generated, packed 4 by 4.
        try (GanParadigm gan = points(Map.of("pack", 4, "packs_per_update", 5), 0)) {
            Recorder r = step(gan, 48);
            assertEquals(List.of(new Shape(5, 8)), r.realShapes, "5 real packs of 4 two-D points");
            assertEquals(List.of(new Shape(5, 8)), r.fakeShapes, "5 generated packs");
            assertEquals(new Shape(5, 8), r.generatorFake, "G's loss sees as many packs");
            assertArrayEquals(rows(0, 20), r.reals.get(0), 0f, "consecutive rows packed in order");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step(gan, 19));
            assertTrue(e.getMessage().contains("raise train.batch_size to 20"), e.getMessage());
        }
        // Without it, as before: every whole pack the batch holds (48 / 4 = 12).
        try (GanParadigm gan = points(Map.of("pack", 4), 0)) {
            Recorder r = step(gan, 50);
            assertEquals(List.of(new Shape(12, 8)), r.realShapes);
            assertEquals(List.of(new Shape(12, 8)), r.fakeShapes);
        }
        // The unpacked GAN of the same comparison takes 5 samples of the same batch.
        try (GanParadigm gan = points(Map.of("packs_per_update", 5), 0)) {
            Recorder r = step(gan, 48);
            assertEquals(List.of(new Shape(5, 2)), r.realShapes);
            assertEquals(new Shape(5, 2), r.generatorFake);
        }
    }

    @Test
    void freshRealPerCriticGivesEachCriticUpdateItsOwnRows() {
        try (GanParadigm gan = points(Map.of("loss", "wgan_gp", "n_critic", 3, "fresh_real_per_critic", true), 0)) {
            Recorder r = step(gan, 24);
            assertEquals(3, r.reals.size());
            Set<Float> seen = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                assertEquals(new Shape(8, 2), r.realShapes.get(i));
                assertEquals(new Shape(8, 2), r.fakeShapes.get(i), "as many generated as real rows");
                assertArrayEquals(rows(8 * i, 8), r.reals.get(i), 0f, "critic update " + i);
                for (int j = 0; j < 8; j++) {
                    assertTrue(seen.add(r.reals.get(i)[2 * j]), "row seen by two critic updates");
                }
            }
            assertArrayEquals(rows(16, 8), r.generatorReal, 0f, "the generator's loss uses the last slice");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step(gan, 5));
            assertTrue(e.getMessage().contains("raise train.batch_size to 6"), e.getMessage());
        }
        // As before without it: every critic update reuses the whole batch.
        try (GanParadigm gan = points(Map.of("loss", "wgan_gp", "n_critic", 3), 0)) {
            Recorder r = step(gan, 24);
            for (float[] real : r.reals) {
                assertArrayEquals(rows(0, 24), real, 0f);
            }
        }
        // With packing: each slice of 10 gives its first 3 packs of 2.
        try (GanParadigm gan = points(Map.of("n_critic", 2, "fresh_real_per_critic", true, "pack", 2,
                "packs_per_update", 3), 0)) {
            Recorder r = step(gan, 20);
            assertEquals(List.of(new Shape(3, 4), new Shape(3, 4)), r.realShapes);
            assertArrayEquals(rows(0, 6), r.reals.get(0), 0f);
            assertArrayEquals(rows(10, 6), r.reals.get(1), 0f);
        }
    }

    /**
     * f(θ_G) = E log D_K(x) + E log(1 − D_K(G(z))) with θ_D^K one Adam step of D from its current weights and
     * moments, computed independently of the plugin's unrolling and in float64 (so that finite differences of it
     * are accurate): D's gradient by autograd, the Adam step from the textbook formula.
     *
     * @param realOnly only the real-data term E log D_K(x)
     */
    private double metzF(GanParadigm gan, NDArray[] gWeights, NDArray z, NDArray real, boolean realOnly) {
        Discriminator d = gan.model.discriminator;
        NDArray fake = gan.model.generator.forward(f64(gWeights), f64(z), null, Generator.Mode.TRAIN).stopGradient();
        NDArray x = f64(real);
        Adam.State s = gan.model.adamD.start();
        NDArray[] dv = f64(s.params());
        for (NDArray w : dv) {
            w.setRequiresGradient(true);
        }
        try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
            c.backward(Objective.MINIMAX.discriminatorLoss(d.forward(dv, x, null).logits,
                    d.forward(dv, fake, null).logits, 0f));
        }
        Adam.Options o = gan.model.adamD.options();
        long t = s.t() + 1;
        NDArray[] next = new NDArray[dv.length];
        for (int i = 0; i < dv.length; i++) {
            NDArray g = dv[i].getGradient();
            NDArray m = f64(s.first()[i]).mul(o.beta1()).add(g.mul(1 - o.beta1()));
            NDArray v = f64(s.second()[i]).mul(o.beta2()).add(g.square().mul(1 - o.beta2()));
            NDArray mHat = m.div(1 - Math.pow(o.beta1(), t));
            NDArray vHat = v.div(1 - Math.pow(o.beta2(), t));
            next[i] = f64(s.params()[i]).sub(mHat.mul(o.lr()).div(vHat.sqrt().add(o.eps())));
        }
        double f = 0;
        for (double or : d.forward(next, x, null).logits.toDoubleArray()) {
            f += -Math.log1p(Math.exp(-or)) / real.getShape().get(0); // log σ(o)
        }
        if (!realOnly) {
            for (double of : d.forward(next, fake, null).logits.toDoubleArray()) {
                f += -Math.log1p(Math.exp(of)) / z.getShape().get(0); // log(1 − σ(o))
            }
        }
        return f;
    }

    private static NDArray f64(NDArray x) {
        return x.stopGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, true);
    }

    private static NDArray[] f64(NDArray[] xs) {
        NDArray[] out = new NDArray[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = f64(xs[i]);
        }
        return out;
    }

    @Test
    void fullUnrolledObjectiveIsMetzFInValueAndGradient() {
        // The plugin's default units, and the demo's networks: tanh in both (whose curvature the generator's
        // gradient must carry through D's written-out weight gradient) with orthogonal weights of gain 1.4.
        fullUnrolledObjectiveIsMetzF(Map.of());
        fullUnrolledObjectiveIsMetzF(Map.of("d_activation", "tanh", "g_activation", "tanh", "init_orthogonal", 1.4));
    }

    private void fullUnrolledObjectiveIsMetzF(Map<String, Object> networks) {
        Random random = new Random(8);
        // Metz et al.'s reference trains G on −(unrolled D loss) = f: loss minimax, gradient through the unrolling.
        Map<String, Object> p = new LinkedHashMap<>(Map.of("loss", "minimax", "unroll_steps", 1,
                "unroll_real_term", true, "lr_d", 0.1));
        p.putAll(networks);
        try (GanParadigm gan = points(p, 2)) {
            for (int s = 0; s < 3; s++) {
                Fixtures.step(gan, manager, Fixtures.ring(random, 16), new long[] {16, 2}, null); // moments ≠ 0
            }
            gan.training.probe = null;
            try (NDManager s = gan.model.open()) {
                NDArray z = s.randomNormal(new Shape(16, 4));
                NDArray real = s.create(Fixtures.ring(random, 16), new Shape(16, 2));
                NDArray[] stored = gan.model.generator.weights.stored();
                Adam.State dw = gan.model.adamD.start();
                NDArray[] gw = gan.model.generator.weights.views(s);
                NDArray loss;
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    loss = gan.training.generatorObjective(s, gw, dw, z, real, null, 0f, Generator.Mode.TRAIN);
                    c.backward(loss);
                }
                double f = metzF(gan, stored, z, real, false);
                assertEquals(f, loss.getFloat(), 1e-5 * Math.max(1, Math.abs(f)), networks + ": the loss is f at the unrolled D");

                NDArray[] direction = new NDArray[stored.length];
                double analytic = 0;
                for (int i = 0; i < stored.length; i++) {
                    direction[i] = s.randomNormal(stored[i].getShape());
                    analytic += gw[i].getGradient().mul(direction[i]).sum().getFloat();
                }
                // f is piecewise smooth (ReLU, LeakyReLU): small steps in float64 stay off its kinks.
                double numeric = 0;
                for (double h : new double[] {1e-5, 1e-4}) {
                    numeric = (metzF(gan, shifted(stored, direction, h), z, real, false)
                            - metzF(gan, shifted(stored, direction, -h), z, real, false)) / (2 * h);
                    assertEquals(numeric, analytic, 1e-3 * Math.abs(numeric) + 1e-5, networks + ": df/dθ_G, h = " + h);
                }
                // The real-data term alone moves with θ_G (through θ_D^1) by far more than that tolerance: a
                // generator loss without it (the plugin before unroll_real_term) would fail the comparison.
                double h = 1e-4;
                double realPart = (metzF(gan, shifted(stored, direction, h), z, real, true)
                        - metzF(gan, shifted(stored, direction, -h), z, real, true)) / (2 * h);
                double fakeOnly = numeric - realPart;
                assertTrue(Math.abs(fakeOnly - analytic) > 10 * (1e-3 * Math.abs(numeric) + 1e-5),
                        networks + ": without the real term: " + fakeOnly + " vs f's " + numeric);
            }
        }
    }

    /**
     * The unrolled objective on a network small enough to do by hand. D: 2 → 4 LeakyReLU(0.2) → 1 with
     * W₁ columns (1,0), (0,1), (−1,0), (0,−1), b₁ = 0.5, w₂ = (1, −1, 1, −1), b₂ = 0; G's output weights 0, so
     * G(z) = (0, 0) for every z; real rows (1, 0). Then o_r = 1.5 − 0.5 − 0.1 − 0.5 = 0.4, o_f = 0, and
     * ∂L_D/∂o_r = −σ(−0.4) = −0.40131, ∂L_D/∂o_f = σ(0) = 0.5. D's first Adam step from zero moments moves
     * every weight by −lr·g/(|g| + ε), i.e. lr_d = 0.1 against the sign of its gradient (0 where g = 0):
     * b₂ → −0.1 (g = 0.0987); w₂ → (1.1, −1.1, 0.9, −1.1); b₁ → (0.4, 0.6, 0.4, 0.6); W₁'s x-row →
     * (1.1, −0.1, −0.9, −0.1), its y-row unchanged (g = 0). At D₁: o_r = 1.65 − 0.55 − 0.09 − 0.55 − 0.1 =
     * 0.36, o_f = 0.44 − 0.66 + 0.36 − 0.66 − 0.1 = −0.62, so
     * f = log σ(0.36) + log(1 − σ(−0.62)) = −0.52926 − 0.43045 = −0.95971.
     */
    @Test
    void unrolledObjectiveEqualsAHandComputedValueOnATinyNetwork() {
        for (boolean realTerm : new boolean[] {true, false}) {
            Map<String, Object> p = new LinkedHashMap<>(Map.of("loss", "minimax", "unroll_steps", 1, "lr_d", 0.1,
                    "hidden", 4));
            if (realTerm) {
                p.put("unroll_real_term", true);
            }
            try (GanParadigm gan = points(p, 0)) {
                NDArray[] d = gan.model.discriminator.weights.stored();
                copyInto(d[0], 1, 0, -1, 0, 0, 1, 0, -1); // W₁ [in × out]: x-row, then y-row
                copyInto(d[1], 0.5f, 0.5f, 0.5f, 0.5f);
                copyInto(d[2], 1, -1, 1, -1);
                copyInto(d[3], 0);
                NDArray[] g = gan.model.generator.weights.stored();
                copyInto(g[2], new float[8]); // out.weight: G(z) = out.bias = (0, 0)
                try (NDManager s = gan.model.open()) {
                    NDArray z = s.randomNormal(new Shape(2, 4));
                    NDArray real = s.create(new float[] {1, 0, 1, 0}, new Shape(2, 2));
                    float loss = gan.training.generatorObjective(s, gan.model.generator.weights.views(s),
                            gan.model.adamD.start(), z, real, null, 0f, Generator.Mode.TRAIN).getFloat();
                    // Without the real term the loss is f's fake part alone, log(1 − σ(−0.62)) = −0.43045.
                    assertEquals(realTerm ? -0.95971f : -0.43045f, loss, 2e-5f, "unroll_real_term " + realTerm);
                }
            }
        }
    }

    /** Copies values into w's own storage (set(float[]) would leave it pointing at a temporary buffer). */
    private void copyInto(NDArray w, float... values) {
        w.set(new ai.djl.ndarray.index.NDIndex("..."), manager.create(values, w.getShape()));
    }

    /** base + h·direction in float64 (in float32 a step of 1e-5 would be mostly rounding). */
    private static NDArray[] shifted(NDArray[] base, NDArray[] direction, double h) {
        NDArray[] out = new NDArray[base.length];
        for (int i = 0; i < base.length; i++) {
            out[i] = f64(base[i]).add(f64(direction[i]).mul(h));
        }
        return out;
    }
}
