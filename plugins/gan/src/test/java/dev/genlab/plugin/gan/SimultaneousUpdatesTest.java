package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.DataShape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code simultaneous_updates}: G's gradient is taken against D as it was before D's update (PacGAN's and
 * ALI's loop), so how far D moves in that step cannot change G's update; alternating updates see it.
 */
class SimultaneousUpdatesTest {

    @Test
    void theGeneratorsUpdateDoesNotSeeTheDiscriminatorsUpdateOfTheSameStep() {
        float[] slowD = generatorAfterOneStep(true, 1e-8);
        float[] fastD = generatorAfterOneStep(true, 0.5);
        assertArrayEquals(slowD, fastD, 0f, "simultaneous: G's step is independent of D's learning rate");

        float[] alternatingSlow = generatorAfterOneStep(false, 1e-8);
        float[] alternatingFast = generatorAfterOneStep(false, 0.5);
        double apart = 0;
        for (int i = 0; i < alternatingSlow.length; i++) {
            apart = Math.max(apart, Math.abs(alternatingSlow[i] - alternatingFast[i]));
        }
        assertTrue(apart > 1e-6, "alternating: G trains against the updated D, so D's rate shows: " + apart);
    }

    @Test
    void simultaneousUpdatesNeedOneCriticStepAndNoUnrolling() {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("n_critic", 2),
                Map.of("unroll_steps", 2))) {
            Map<String, Object> params = new LinkedHashMap<>(bad);
            params.put("simultaneous_updates", true);
            List<String> problems = new GanProvider().validate(Fixtures.params(params));
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("needs n_critic: 1 and unroll_steps: 0"), problems.get(0));
        }
    }

    private static float[] generatorAfterOneStep(boolean simultaneous, double lrD) {
        try (NDManager manager = NDManager.newBaseManager();
                GanParadigm gan = Fixtures.create(manager, DataShape.points(2), Map.of("simultaneous_updates",
                        simultaneous, "lr_d", lrD, "hidden", 16, "layers", 2, "latent_dim", 2), 5)) {
            Map<String, Double> r = Fixtures.step(gan, manager, Fixtures.ring(new Random(9), 32), new long[] {32, 2},
                    null);
            assertTrue(Double.isFinite(r.get("loss_d")) && Double.isFinite(r.get("loss_g")), r.toString());
            NDArray[] g = gan.model.generator.weights.stored();
            return flatten(g);
        }
    }

    private static float[] flatten(NDArray[] arrays) {
        int size = 0;
        for (NDArray a : arrays) {
            size += (int) a.size();
        }
        float[] out = new float[size];
        int at = 0;
        for (NDArray a : arrays) {
            float[] v = a.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
