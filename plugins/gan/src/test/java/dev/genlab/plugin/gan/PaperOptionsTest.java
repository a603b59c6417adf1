package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The options that express the papers' setups (issue 21): separate G and D sizes, a maxout D, batch norm in the
 * MLP G and the init scale (PacGAN's toy networks), an EMA of G's weights and learning-rate decay; and that
 * none of them changes an existing spec's trial hash.
 */
class PaperOptionsTest {

    /** The plugin's parameters before issue 21; every one added since must be marked added-later. */
    private static final Set<String> FIRST_RELEASE = Set.of("loss", "architecture", "latent_dim", "hidden", "layers",
            "channels", "lr_g", "lr_d", "beta1", "beta2", "n_critic", "gp_weight", "spectral_norm", "sn_iterations",
            "label_smoothing", "instance_noise", "instance_noise_anneal", "minibatch_disc", "minibatch_disc_dim",
            "minibatch_stddev", "feature_matching", "unroll_steps", "unroll_through", "pack", "conditional",
            "image_range");

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
        Map<String, Object> m = new LinkedHashMap<>(Map.of("hidden", 16, "layers", 2, "latent_dim", 4));
        m.putAll(overrides);
        return Fixtures.create(manager, DataShape.points(2), m, seed);
    }

    private Map<String, Double> ringStep(GanParadigm gan, Random random, int batch) {
        return Fixtures.step(gan, manager, Fixtures.ring(random, batch), new long[] {batch, 2}, null);
    }

    @Test
    void parametersAddedForThePapersLeaveExistingTrialHashesAlone() {
        for (ParamSpec p : new GanProvider().parameters().params()) {
            assertEquals(FIRST_RELEASE.contains(p.name()), p.hashedAtDefault(), p.name()
                    + ": a parameter added after the first release must be .addedLater() (and default to the old behaviour)");
        }
    }

    @Test
    void pacGansToyNetworksHaveTheirSizesMaxoutBatchNormAndInitScaleAndReluIsAvailable() {
        // PacGAN's toy setup: G 4 × 400 ReLU with batch norm, D 3 × 200 maxout (5 pieces) on 4 packed 2-D
        // points, every weight N(0, 0.02²).
        try (GanParadigm gan = points(Map.of("latent_dim", 2, "hidden_g", 400, "layers_g", 4, "g_batchnorm", true,
                "hidden_d", 200, "layers_d", 3, "d_activation", "maxout", "maxout_pieces", 5, "init_std", 0.02,
                "pack", 4), 0)) {
            long g = 2 * 400 + 3L * 400 * 400 + 4 * 2 * 400 + (400 * 2 + 2); // no bias before batch norm
            long d = (8 * 1000 + 1000) + 2 * (200L * 1000 + 1000) + (200 + 1);
            assertEquals(Map.of("generator", g, "discriminator", d), gan.parameterCounts());
            for (String name : List.of("generator.fc1.weight", "discriminator.fc1.weight", "discriminator.out.weight")) {
                NDArray w = gan.model.params.get(name);
                double std = w.sub(w.mean()).square().mean().sqrt().getFloat();
                assertEquals(0.02, std, name.equals("discriminator.out.weight") ? 0.004 : 0.001, name);
            }
            assertEquals(400, gan.model.params.get("generator.bn3.running_var").size());
            ringStep(gan, new Random(1), 32); // trains: finite losses checked below for every option
        }
        // A maxout unit is the largest of its pieces: one layer, 2 units × 3 pieces, on (1, 2).
        try (GanParadigm gan = points(Map.of("hidden_d", 2, "layers_d", 1, "d_activation", "maxout",
                "maxout_pieces", 3), 0)) {
            NDArray[] w = gan.model.discriminator.weights.stored();
            // Columns u·3 + p: unit 0 pieces (x·[1,0,−1] + y·[0,1,1]) = (1, 2, 1); unit 1: (−1, −2, 5) − 3.
            w[0].set(new float[] {1, 0, -1, -1, 0, 1, 0, 1, 1, 0, -1, 2});
            w[1].set(new float[] {0, 0, 0, -3, -3, -3});
            w[2].set(new float[] {10, 100}); // out.weight
            w[3].set(new float[] {0.5f});
            NDArray x = manager.create(new float[] {1, 2}, new Shape(1, 2));
            // unit 0 = max(1, 2, 1) = 2; unit 1 = max(−1, −2, 5) − 3 = 2.
            assertEquals(10 * 2 + 100 * 2 + 0.5, gan.model.discriminator.forward(w, x, null).logits.getFloat(), 1e-4);
        }
        // ReLU units (WGAN-GP's toy critic): pre-activations (1, −1) on (1, 2) give (1, 0), where LeakyReLU gives (1, −0.2).
        for (String activation : List.of("relu", "leaky_relu")) {
            try (GanParadigm gan = points(Map.of("hidden_d", 2, "layers_d", 1, "d_activation", activation), 0)) {
                NDArray[] w = gan.model.discriminator.weights.stored();
                w[0].set(new float[] {1, -1, 0, 0});
                w[1].set(new float[] {0, 0});
                w[2].set(new float[] {10, 100});
                w[3].set(new float[] {0.5f});
                NDArray x = manager.create(new float[] {1, 2}, new Shape(1, 2));
                double expected = activation.equals("relu") ? 10.5 : 10 - 20 + 0.5;
                assertEquals(expected, gan.model.discriminator.forward(w, x, null).logits.getFloat(), 1e-4, activation);
            }
        }
    }

    @Test
    void unrolledDemosNetworksHaveTanhUnitsAndOrthogonalWeightsOfTheirGain() {
        // The demo's G and D: tanh hidden units, every weight a random orthogonal matrix × 1.4, biases 0.
        try (GanParadigm gan = points(Map.of("g_activation", "tanh", "d_activation", "tanh", "init_orthogonal", 1.4),
                0)) {
            // generator.fc0 is 4 × 16 (orthonormal rows), fc1 16 × 16, out 16 × 2 and the critic's out 16 × 1
            // (orthonormal columns): the Gram matrix of the shorter side is 1.4² · I.
            for (String name : List.of("generator.fc0.weight", "generator.fc1.weight", "generator.out.weight",
                    "discriminator.fc0.weight", "discriminator.fc1.weight", "discriminator.out.weight")) {
                NDArray w = gan.model.params.get(name);
                long rows = w.getShape().get(0);
                long cols = w.getShape().get(1);
                NDArray gram = rows >= cols ? w.transpose().matMul(w) : w.matMul(w.transpose());
                NDArray expected = manager.eye((int) Math.min(rows, cols)).mul(1.96f);
                assertTrue(gram.sub(expected).abs().max().getFloat() < 1e-5f, name + ": " + gram);
            }
            for (String name : List.of("generator.fc0.bias", "discriminator.fc0.bias", "discriminator.out.bias")) {
                assertEquals(0f, gan.model.params.get(name).abs().max().getFloat(), 0f, name);
            }
            // D on (1, 2) with pre-activations (1, −1): 10·tanh(1) + 100·tanh(−1) + 0.5; LeakyReLU would give −9.5.
            NDArray[] d = new NDArray[] {manager.create(new float[] {1, -1, 0, 0}, new Shape(2, 2)),
                manager.zeros(new Shape(2)), manager.create(new float[] {10, 100}, new Shape(2, 1)),
                manager.create(new float[] {0.5f})};
            try (GanParadigm one = points(Map.of("hidden_d", 2, "layers_d", 1, "d_activation", "tanh"), 0)) {
                NDArray x = manager.create(new float[] {1, 2}, new Shape(1, 2));
                assertEquals(10 * Math.tanh(1) - 100 * Math.tanh(1) + 0.5,
                        one.model.discriminator.forward(d, x, null).logits.getFloat(), 1e-4);
            }
            // G: z = (1, 0, 0, 0) through one hidden layer of 2 tanh units with pre-activations (0.5, −2), then out.
            try (GanParadigm one = points(Map.of("hidden_g", 2, "layers_g", 1, "g_activation", "tanh"), 0)) {
                NDArray[] g = one.model.generator.weights.stored();
                g[0].set(new float[] {0.5f, -2, 0, 0, 0, 0, 0, 0}); // fc0.weight 4 × 2
                g[1].set(new float[] {0, 0});
                g[2].set(new float[] {1, 0, 0, 3}); // out.weight 2 × 2
                g[3].set(new float[] {0, 1});
                NDArray z = manager.create(new float[] {1, 0, 0, 0}, new Shape(1, 4));
                float[] y = one.model.generator.forward(g, z, null, Generator.Mode.EVAL).toFloatArray();
                assertEquals(Math.tanh(0.5), y[0], 1e-5);
                assertEquals(3 * Math.tanh(-2) + 1, y[1], 1e-5);
            }
        }
    }

    @Test
    void newOptionsTrainWithFiniteLossesAndConflictsFailWithAFix() {
        Random random = new Random(2);
        for (Map<String, Object> c : List.<Map<String, Object>>of(
                Map.of("g_batchnorm", true, "init_std", 0.02, "hidden_g", 24, "layers_g", 3),
                Map.of("d_activation", "maxout", "maxout_pieces", 3, "hidden_d", 8, "layers_d", 1, "pack", 2,
                        "packs_per_update", 8, "spectral_norm", true),
                Map.of("loss", "wgan_gp", "n_critic", 2, "fresh_real_per_critic", true, "d_activation", "maxout"),
                Map.of("unroll_steps", 2, "unroll_real_term", true, "d_activation", "maxout", "g_batchnorm", true),
                Map.of("unroll_steps", 2, "unroll_through", false, "unroll_real_term", true, "loss", "hinge"),
                Map.of("unroll_steps", 2, "unroll_real_term", true, "loss", "minimax", "g_activation", "tanh",
                        "d_activation", "tanh", "init_orthogonal", 1.4),
                Map.of("ema_decay", 0.9, "lr_decay", "step", "lr_decay_steps", 1, "lr_decay_gamma", 0.5))) {
            try (GanParadigm gan = points(c, 3)) {
                for (int s = 0; s < 3; s++) {
                    Map<String, Double> r = ringStep(gan, random, 32);
                    assertTrue(Double.isFinite(r.get("loss_d")) && Double.isFinite(r.get("loss_g")), c + ": " + r);
                }
                Samples s = gan.sample(SampleRequest.of(10));
                assertFalse(s.data().isNaN().any().getBoolean(), c.toString());
                s.data().close();
            }
        }
        DataShape digits = DataShape.image(1, 8, 8, 0);
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("d_activation", "maxout"),
                Map.of("g_batchnorm", true), Map.of("d_activation", "tanh"), Map.of("g_activation", "tanh"),
                Map.of("init_orthogonal", 1.4), Map.of("unroll_steps", 1, "unroll_through", true))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fixtures.create(manager, digits, bad, 0));
            assertTrue(e.getMessage().contains("architecture: mlp"), e.getMessage());
            assertTrue(e.getMessage().contains("auto picks the conv nets for this data's shape [1, 8, 8]"),
                    e.getMessage());
        }
        List<String> problems = new GanProvider().validate(Fixtures.params(Map.of("lr_decay", "linear",
                "unroll_real_term", true, "architecture", "conv", "d_activation", "maxout")));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(2).contains("lr_decay_steps"), problems.toString());
        problems = new GanProvider().validate(Fixtures.params(Map.of("init_orthogonal", 1.4, "init_std", 0.02)));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("set one of them to 0"), problems.toString());
    }

    @Test
    void samplingUsesTheGeneratorsWeightAverage() throws IOException {
        Random random = new Random(4);
        try (GanParadigm gan = points(Map.of("ema_decay", 0.5), 1)) {
            NDArray w0 = gan.model.generator.weights.stored()[0].duplicate();
            ringStep(gan, random, 16);
            NDArray w1 = gan.model.generator.weights.stored()[0].duplicate();
            ringStep(gan, random, 16);
            NDArray w2 = gan.model.generator.weights.stored()[0];
            // Ramped decay min(0.5, (1 + n)/(10 + n)): 2/11 after the first update, 3/12 after the second.
            double d1 = 2 / 11.0;
            double d2 = 3 / 12.0;
            NDArray expected = w0.mul(d1 * d2).add(w1.mul((1 - d1) * d2)).add(w2.mul(1 - d2));
            assertArrayEquals(expected.toFloatArray(), gan.model.ema.averages()[0].toFloatArray(), 1e-6f);
            Engine.getInstance().setRandomSeed(9);
            float[] sampled = gan.sample(SampleRequest.of(6)).data().toFloatArray();
            Engine.getInstance().setRandomSeed(9);
            NDArray z = manager.randomNormal(new Shape(6, 4));
            assertArrayEquals(gan.model.generator.forward(gan.model.ema.averages(), z, null, Generator.Mode.EVAL)
                    .toFloatArray(), sampled, 1e-6f);
            // The average is part of the checkpoint.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gan.save(out);
            try (GanParadigm copy = points(Map.of("ema_decay", 0.5), 2)) {
                copy.load(new ByteArrayInputStream(out.toByteArray()));
                assertArrayEquals(gan.model.ema.averages()[0].toFloatArray(), copy.model.ema.averages()[0].toFloatArray());
            }
        }
        try (GanParadigm gan = points(Map.of(), 1)) {
            assertNull(gan.model.ema, "off by default: no average, the checkpoint layout as before");
        }
    }

    @Test
    void learningRateDecayScalesBothNetworksAndLinearDecayStopsAtZero() {
        GanConfig linear = GanConfig.from(Fixtures.params(Map.of("lr_decay", "linear", "lr_decay_steps", 4)),
                DataShape.points(2));
        assertEquals(List.of(1.0, 0.75, 0.5, 0.25, 0.0, 0.0),
                List.of(linear.rateFactor(0), linear.rateFactor(1), linear.rateFactor(2), linear.rateFactor(3),
                        linear.rateFactor(4), linear.rateFactor(9)));
        GanConfig step = GanConfig.from(Fixtures.params(Map.of("lr_decay", "step", "lr_decay_steps", 3,
                "lr_decay_gamma", 0.5)), DataShape.points(2));
        assertEquals(List.of(1.0, 1.0, 0.5, 0.25), List.of(step.rateFactor(0), step.rateFactor(2), step.rateFactor(3),
                step.rateFactor(7)));
        assertEquals(1.0, GanConfig.from(Fixtures.params(Map.of()), DataShape.points(2)).rateFactor(1_000_000));
        Random random = new Random(5);
        try (GanParadigm gan = points(Map.of("lr_decay", "linear", "lr_decay_steps", 2, "lr_g", 1e-2, "lr_d", 1e-2), 1)) {
            ringStep(gan, random, 16);
            ringStep(gan, random, 16);
            assertEquals(0.5, gan.model.adamG.rateScale(), "the second step ran at half the rate");
            assertEquals(0.5, gan.model.adamD.rateScale());
            float[][] before = snapshot(gan);
            ringStep(gan, random, 16);
            float[][] after = snapshot(gan);
            for (int i = 0; i < before.length; i++) {
                assertArrayEquals(before[i], after[i], "at rate 0 no weight moves");
            }
        }
    }

    private static float[][] snapshot(GanParadigm gan) {
        NDArray[] g = gan.model.generator.weights.stored();
        NDArray[] d = gan.model.discriminator.weights.stored();
        float[][] out = new float[g.length + d.length][];
        for (int i = 0; i < g.length; i++) {
            out[i] = g[i].toFloatArray();
        }
        for (int i = 0; i < d.length; i++) {
            out[g.length + i] = d[i].toFloatArray();
        }
        return out;
    }
}
