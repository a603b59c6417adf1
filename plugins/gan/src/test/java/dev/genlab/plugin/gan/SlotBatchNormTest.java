package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code g_batchnorm_per_slot}: the MLP generator's batch norm takes its statistics over each pack slot's
 * rows apart (PacGAN's generator runs once per slot), checked against the definition computed by hand.
 */
class SlotBatchNormTest {

    private static final int PACK = 4;
    private static final int PACKS = 3;
    private static final int WIDTH = 5;
    private static final double EPS = 1e-5;

    @Test
    void eachPackSlotIsNormalisedByItsOwnStatisticsAndTheRunningAveragesTakeTheirMean() {
        try (NDManager manager = NDManager.newBaseManager();
                GanParadigm gan = Fixtures.create(manager, DataShape.points(2), Map.of("g_batchnorm", true,
                        "g_batchnorm_per_slot", true, "pack", PACK, "hidden", WIDTH, "layers", 1, "latent_dim", 2), 0)) {
            Generator g = gan.model.generator;
            int n = PACK * PACKS;
            float[] x = new float[n * WIDTH];
            Random random = new Random(7);
            for (int i = 0; i < n; i++) {
                for (int u = 0; u < WIDTH; u++) {
                    // Slot-dependent offsets and scales, so statistics over the whole batch would differ.
                    x[i * WIDTH + u] = (float) ((i % PACK) * 3 + (1 + i % PACK) * random.nextGaussian());
                }
            }
            float[] gamma = {1.5f, 0.5f, 1f, 2f, -1f};
            float[] beta = {0f, 1f, -2f, 0.5f, 3f};
            float[] mean0 = g.running[0].toFloatArray();
            float[] var0 = g.running[1].toFloatArray();

            double[][] slotMean = new double[PACK][WIDTH];
            double[][] slotVar = new double[PACK][WIDTH];
            float[] expected = new float[n * WIDTH];
            for (int j = 0; j < PACK; j++) {
                for (int u = 0; u < WIDTH; u++) {
                    double sum = 0;
                    for (int k = 0; k < PACKS; k++) {
                        sum += x[(k * PACK + j) * WIDTH + u];
                    }
                    double m = sum / PACKS;
                    double sq = 0;
                    for (int k = 0; k < PACKS; k++) {
                        double d = x[(k * PACK + j) * WIDTH + u] - m;
                        sq += d * d;
                    }
                    slotMean[j][u] = m;
                    slotVar[j][u] = sq / PACKS;
                    for (int k = 0; k < PACKS; k++) {
                        int at = (k * PACK + j) * WIDTH + u;
                        expected[at] = (float) ((x[at] - m) / Math.sqrt(slotVar[j][u] + EPS) * gamma[u] + beta[u]);
                    }
                }
            }

            try (NDManager step = manager.newSubManager()) {
                NDArray pre = step.create(x, new Shape(n, WIDTH));
                NDArray gm = step.create(gamma);
                NDArray bt = step.create(beta);
                float[] out = g.slotBatchNorm(pre, gm, bt, 0, Generator.Mode.TRAIN).toFloatArray();
                assertArrayEquals(expected, out, 1e-4f, "each slot normalised by its own batch statistics");
                float[] whole = g.batchNorm(pre.reshape(n, WIDTH, 1, 1), gm, bt, 0, Generator.Mode.TRAIN)
                        .reshape(n, WIDTH).toFloatArray();
                double apart = 0;
                for (int i = 0; i < out.length; i++) {
                    apart = Math.max(apart, Math.abs(out[i] - whole[i]));
                }
                assertTrue(apart > 0.5, "whole-batch statistics give other values here: " + apart);
                assertArrayEquals(mean0, g.running[0].toFloatArray(), 0f, "TRAIN leaves the running mean alone");
                assertArrayEquals(var0, g.running[1].toFloatArray(), 0f, "TRAIN leaves the running variance alone");

                float[] updating = g.slotBatchNorm(pre, gm, bt, 0, Generator.Mode.TRAIN_UPDATE).toFloatArray();
                assertArrayEquals(expected, updating, 1e-4f, "TRAIN_UPDATE normalises with the slots' statistics");
            }
            float[] expectedMean = new float[WIDTH];
            float[] expectedVar = new float[WIDTH];
            for (int u = 0; u < WIDTH; u++) {
                double m = 0;
                double v = 0;
                for (int j = 0; j < PACK; j++) {
                    m += slotMean[j][u] / PACK;
                    v += slotVar[j][u] * PACKS / (PACKS - 1) / PACK; // the unbiased variance, as PyTorch keeps
                }
                expectedMean[u] = (float) (0.9 * mean0[u] + 0.1 * m);
                expectedVar[u] = (float) (0.9 * var0[u] + 0.1 * v);
            }
            assertArrayEquals(expectedMean, g.running[0].toFloatArray(), 1e-4f, "running mean: the slots' mean");
            assertArrayEquals(expectedVar, g.running[1].toFloatArray(), 1e-3f, "running variance: the slots' mean");
        }
    }

    @Test
    void perSlotStatisticsTrainAPackedGanAndNeedBatchNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            try (GanParadigm gan = Fixtures.create(manager, DataShape.points(2), Map.of("g_batchnorm", true,
                    "g_batchnorm_per_slot", true, "pack", PACK, "packs_per_update", 8, "hidden", 16, "layers", 2,
                    "latent_dim", 2), 1)) {
                Random random = new Random(3);
                for (int s = 0; s < 3; s++) {
                    Map<String, Double> r = Fixtures.step(gan, manager, Fixtures.ring(random, 32),
                            new long[] {32, 2}, null);
                    assertTrue(Double.isFinite(r.get("loss_d")) && Double.isFinite(r.get("loss_g")), r.toString());
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fixtures.create(manager,
                    DataShape.points(2), Map.of("g_batchnorm_per_slot", true, "pack", PACK), 0));
            assertTrue(e.getMessage().contains("needs g_batchnorm: true"), e.getMessage());
            assertEquals(List.of(e.getMessage()),
                    new GanProvider().validate(Fixtures.params(Map.of("g_batchnorm_per_slot", true))));
        }
    }
}
