package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Parameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The written-out vector-Jacobian products of the discriminator against autograd, the gradient penalty
 * against a hand-computed linear critic and against the engine's create-graph backward, and spectral
 * normalisation against an independent eigen-decomposition.
 */
class DiscriminatorTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Discriminator discriminator(DataShape shape, Map<String, Object> overrides) {
        GanConfig config = GanConfig.from(Fixtures.params(overrides), shape);
        return new Discriminator(new Parameters(manager).scope("discriminator"), config, config.packedDims());
    }

    private static final Map<String, Object> ALL_FEATURES = Map.of("spectral_norm", true, "minibatch_stddev", true,
            "minibatch_disc", 3, "minibatch_disc_dim", 2, "conditional", true);

    /** Configurations covering every head and trunk feature. */
    private List<Case> cases() {
        DataShape points = new DataShape(List.of(3), 4);
        DataShape images = DataShape.image(1, 8, 8, 4);
        Map<String, Object> mlp = Map.of("hidden", 6, "layers", 2);
        Map<String, Object> conv = Map.of("channels", 3);
        return List.of(
                new Case("mlp", points, mlp),
                new Case("mlp+all", points, merge(mlp, ALL_FEATURES)),
                new Case("mlp+pack", points, merge(mlp, Map.of("pack", 2, "minibatch_disc", 2))),
                new Case("maxout", points, Map.of("hidden_d", 4, "layers_d", 2, "d_activation", "maxout",
                        "maxout_pieces", 3)),
                new Case("maxout+all", points, merge(Map.of("hidden_d", 4, "layers_d", 2, "d_activation", "maxout",
                        "maxout_pieces", 2, "init_std", 0.3), ALL_FEATURES)),
                new Case("relu", points, merge(mlp, Map.of("d_activation", "relu", "spectral_norm", true))),
                new Case("tanh", points, merge(mlp, Map.of("d_activation", "tanh", "init_orthogonal", 1.4))),
                new Case("tanh+all", points, merge(merge(mlp, ALL_FEATURES), Map.of("d_activation", "tanh"))),
                new Case("conv", images, conv),
                new Case("conv+relu", images, merge(conv, Map.of("d_activation", "relu"))),
                new Case("conv+all", images, merge(conv, ALL_FEATURES)));
    }

    private record Case(String name, DataShape shape, Map<String, Object> params) {}

    private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    private NDArray input(Case c, Discriminator d, int n) {
        int[] dims = GanConfig.from(Fixtures.params(c.params()), c.shape()).packedDims();
        long[] shape = new long[dims.length + 1];
        shape[0] = n;
        for (int i = 0; i < dims.length; i++) {
            shape[i + 1] = dims[i];
        }
        return manager.randomNormal(new Shape(shape));
    }

    private NDArray onehot(Case c, int n) {
        if (!Boolean.TRUE.equals(c.params().get("conditional"))) {
            return null;
        }
        return manager.randomInteger(0, 4, new Shape(n), DataType.INT64).oneHot(4).toType(DataType.FLOAT32, false);
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        double scale = 1e-6;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 2e-4 * scale, what + " [" + i + "]");
        }
    }

    @Test
    void writtenOutInputAndWeightGradientsMatchAutograd() {
        for (Case c : cases()) {
            Discriminator d = discriminator(c.shape(), c.params());
            int n = 5;
            NDArray x = input(c, d, n);
            NDArray y = onehot(c, n);
            NDArray g = manager.randomNormal(new Shape(n));
            NDArray[] w = d.weights.views(manager);
            x.setRequiresGradient(true);
            Discriminator.Trace t;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                t = d.forward(w, x, y);
                collector.backward(t.logits.mul(g).sum());
            }
            Discriminator.Gradients written = d.backward(t, g, d.hasParamGradients());
            assertClose(x.getGradient(), written.input(), c.name() + " input");
            if (d.hasParamGradients()) {
                for (int i = 0; i < w.length; i++) {
                    assertClose(w[i].getGradient(), written.weights()[i], c.name() + " " + d.weights.names().get(i));
                }
            }
        }
    }

    @Test
    void penaltyWeightGradientMatchesTheEnginesCreateGraphBackward() {
        for (Case c : cases()) {
            Discriminator d = discriminator(c.shape(), c.params());
            GanParadigm owner = null;
            int n = 4;
            NDArray x = input(c, d, n);
            NDArray y = onehot(c, n);

            // Reference: x's gradient from the engine's create-graph backward, then autograd of the penalty.
            NDArray[] ref = d.weights.views(manager);
            NDArray xr = x.duplicate();
            xr.setRequiresGradient(true);
            float[][] firstOrder = new float[ref.length][];
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                EngineDoubleBackward.backward(d.forward(ref, xr, y).logits.sum());
                for (int i = 0; i < ref.length; i++) {
                    firstOrder[i] = ref[i].getGradient().toFloatArray();
                }
                NDArray gx = xr.getGradient();
                collector.backward(penalty(gx, n));
            }

            // Written-out input gradient, differentiated by first-order autograd.
            NDArray[] mine = d.weights.views(manager);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                Discriminator.Trace t = d.forward(mine, x, y);
                collector.backward(penalty(d.backward(t, t.logits.onesLike(), false).input(), n));
            }
            for (int i = 0; i < ref.length; i++) {
                // The reference weight gradient also holds the first-order ∂Σ D/∂w of the create-graph pass.
                NDArray expected = ref[i].getGradient().sub(manager.create(firstOrder[i], ref[i].getShape()));
                assertClose(expected, mine[i].getGradient(), c.name() + " d penalty / d " + d.weights.names().get(i));
            }
            assertTrue(owner == null);
        }
    }

    private static NDArray penalty(NDArray grad, int n) {
        return grad.reshape(n, -1).square().sum(new int[] {1}).add(1e-12f).sqrt().sub(1f).square().mean();
    }

    @Test
    void gradientPenaltyOfAKnownLinearCritic() {
        // One hidden layer of 2 units; a bias of ±100 keeps every pre-activation on one side of the
        // LeakyReLU for these inputs, so D(x) = x·W·diag(slope)·w + const and ∇D = W·diag(slope)·w.
        DataShape points = DataShape.points(2);
        try (GanParadigm gan = Fixtures.create(manager, points,
                Map.of("loss", "wgan_gp", "layers", 1, "hidden", 2), 0)) {
            NDArray[] w = gan.model.discriminator.weights.stored();
            w[0].set(new float[] {1, 2, 3, 4}); // W = [[1, 2], [3, 4]] (in × out)
            w[2].set(new float[] {0.5f, -1f}); // w_out
            NDArray x = manager.create(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.05f}, new Shape(3, 2));
            NDArray fake = manager.create(new float[] {1f, 1f, -1f, 0.5f, 0f, -0.7f}, new Shape(3, 2));
            // ∇D = W·w = [1·0.5 + 2·(−1), 3·0.5 + 4·(−1)] = [−1.5, −2.5]; ‖∇D‖ = √8.5.
            double active = Math.pow(Math.sqrt(8.5) - 1, 2);
            double leaky = Math.pow(0.2 * Math.sqrt(8.5) - 1, 2);
            w[1].set(new float[] {100, 100});
            assertEquals(active, gan.training.penaltyAt(w, x, null).getFloat(), 1e-5);
            // The full penalty interpolates randomly between real and fake; a linear D's gradient is the
            // same everywhere, so the value cannot depend on the interpolation.
            assertEquals(active, gan.training.gradientPenalty(manager, w, x, fake, null).getFloat(), 1e-5);
            w[1].set(new float[] {-100, -100});
            assertEquals(leaky, gan.training.penaltyAt(w, x, null).getFloat(), 1e-5);
            // One unit on each side: ∇D = [1·0.5 + 2·(−1)·0.2, 3·0.5 + 4·(−1)·0.2] = [0.1, 0.7].
            w[1].set(new float[] {100, -100});
            assertEquals(Math.pow(Math.sqrt(0.01 + 0.49) - 1, 2), gan.training.penaltyAt(w, x, null).getFloat(), 1e-5);
        }
    }

    @Test
    void spectralNormalisationMakesTheLargestSingularValueOne() {
        for (Case c : List.of(new Case("mlp", DataShape.points(3), Map.of("hidden", 12, "layers", 2)),
                new Case("conv", DataShape.image(1, 8, 8, 0), Map.of("channels", 3)))) {
            Discriminator plain = discriminator(c.shape(), c.params());
            Discriminator sn = discriminator(c.shape(), merge(c.params(), Map.of("spectral_norm", true)));
            NDArray[] eff = sn.effective(sn.weights.stored());
            NDArray[] raw = plain.weights.stored();
            List<String> names = sn.weights.names();
            int checked = 0;
            boolean someRawFarFromOne = false;
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!name.endsWith(".weight")) {
                    continue;
                }
                checked++;
                double sigma = topSingularValue(eff[i]);
                assertEquals(1.0, sigma, 5e-3, c.name() + " " + name);
                someRawFarFromOne |= Math.abs(topSingularValue(raw[i]) - 1) > 0.1;
            }
            assertEquals(c.name().equals("mlp") ? 3 : 3, checked, "trunk weights and the output weight");
            assertTrue(someRawFarFromOne, c.name() + ": without SN the test would pass trivially");
        }
    }

    @Test
    void spectralNormStaysCloseToOneWhileTraining() {
        java.util.Random random = new java.util.Random(5);
        try (GanParadigm gan = Fixtures.create(manager, DataShape.points(2),
                Map.of("loss", "hinge", "spectral_norm", true, "hidden", 16, "layers", 2, "lr_d", 0.01), 1)) {
            for (int s = 0; s < 30; s++) {
                Fixtures.step(gan, manager, Fixtures.ring(random, 64), new long[] {64, 2}, null);
            }
            Discriminator d = gan.model.discriminator;
            NDArray[] eff = d.effective(d.weights.stored());
            for (int i = 0; i < eff.length; i++) {
                if (d.weights.names().get(i).endsWith(".weight")) {
                    // One power iteration per update tracks weights that a large lr moves every step.
                    assertEquals(1.0, topSingularValue(eff[i]), 0.03, d.weights.names().get(i));
                }
            }
        }
    }

    /** The largest singular value of a weight (conv kernels as out × in·k·k), by Jacobi on MᵀM in doubles. */
    static double topSingularValue(NDArray weight) {
        long[] s = weight.getShape().getShape();
        int rows = (int) s[0];
        int cols = (int) (weight.size() / rows);
        float[] m = weight.toFloatArray();
        int k = Math.min(rows, cols);
        double[][] a = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double sum = 0;
                if (k == cols) {
                    for (int r = 0; r < rows; r++) {
                        sum += (double) m[r * cols + i] * m[r * cols + j];
                    }
                } else {
                    for (int q = 0; q < cols; q++) {
                        sum += (double) m[i * cols + q] * m[j * cols + q];
                    }
                }
                a[i][j] = sum;
            }
        }
        double max = 0;
        for (double e : jacobiEigenvalues(a)) {
            max = Math.max(max, e);
        }
        return Math.sqrt(max);
    }

    /** Cyclic Jacobi rotations until the off-diagonal part vanishes. */
    private static double[] jacobiEigenvalues(double[][] a) {
        int n = a.length;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-22) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double cos = 1 / Math.sqrt(t * t + 1);
                    double sin = t * cos;
                    for (int r = 0; r < n; r++) {
                        double arp = a[r][p];
                        double arq = a[r][q];
                        a[r][p] = cos * arp - sin * arq;
                        a[r][q] = sin * arp + cos * arq;
                    }
                    for (int r = 0; r < n; r++) {
                        double apr = a[p][r];
                        double aqr = a[q][r];
                        a[p][r] = cos * apr - sin * aqr;
                        a[q][r] = sin * apr + cos * aqr;
                    }
                }
            }
        }
        double[] eig = new double[n];
        for (int i = 0; i < n; i++) {
            eig[i] = a[i][i];
        }
        return eig;
    }
}
