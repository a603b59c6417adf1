package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Adam;
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

    /**
     * The unrolled GAN demo (poolio/unrolled_gan) runs D's update and G's unrolled update in one session.run, so
     * the unrolled D starts from D's weights and Adam moments before the step's update. The step's loss_g is
     * then Metz et al.'s f at D unrolled from that state, on the step's own real and generated inputs; unrolled
     * from D after its update (what alternating updates use), f is clearly another number.
     */
    @Test
    void withUnrollingTheUnrolledDiscriminatorStartsFromItsStateBeforeTheStepsUpdate() {
        try (NDManager manager = NDManager.newBaseManager();
                GanParadigm gan = Fixtures.create(manager, DataShape.points(2), Map.of("simultaneous_updates", true,
                        "loss", "minimax", "unroll_steps", 2, "unroll_real_term", true, "lr_d", 0.05, "hidden", 16,
                        "layers", 2, "latent_dim", 2), 5)) {
            Random random = new Random(9);
            Fixtures.step(gan, manager, Fixtures.ring(random, 32), new long[] {32, 2}, null); // moments ≠ 0
            Adam.State before = copy(manager, gan.model.adamD.start());
            GeneratorInputs in = new GeneratorInputs();
            gan.training.probe = in;
            double lossG = Fixtures.step(gan, manager, Fixtures.ring(random, 32), new long[] {32, 2}, null)
                    .get("loss_g");
            gan.training.probe = null;

            double fromBefore = metzF(gan, before, in);
            assertEquals(fromBefore, lossG, 1e-5 * Math.max(1, Math.abs(fromBefore)), "f unrolled from D before");
            double fromAfter = metzF(gan, gan.model.adamD.start(), in);
            assertTrue(Math.abs(fromAfter - lossG) > 1e-3, "unrolled from D after its update: " + fromAfter
                    + " vs the step's " + lossG);
        }
    }

    @Test
    void simultaneousUpdatesNeedOneCriticStep() {
        Map<String, Object> params = new LinkedHashMap<>(Map.of("n_critic", 2, "simultaneous_updates", true));
        List<String> problems = new GanProvider().validate(Fixtures.params(params));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("needs n_critic: 1"), problems.get(0));
        assertEquals(List.of(), new GanProvider().validate(Fixtures.params(Map.of("unroll_steps", 2,
                "simultaneous_updates", true))), "unrolling is allowed");
    }

    /** f = E log D_K(x) + E log(1 − D_K(G(z))) with D_K K Adam steps from {@code from} on the recorded inputs. */
    private static double metzF(GanParadigm gan, Adam.State from, GeneratorInputs in) {
        try (NDManager s = gan.model.open()) {
            NDArray real = s.create(in.real, in.shape);
            NDArray fake = s.create(in.fake, in.shape);
            NDArray[] d = gan.training.unrollThrough(from, real, fake, null);
            NDArray loss = Objective.MINIMAX.generatorLoss(gan.model.discriminator.forward(d, fake, null).logits)
                    .sub(Objective.MINIMAX.realTerm(gan.model.discriminator.forward(d, real, null).logits, 0f));
            return loss.getFloat();
        }
    }

    private static Adam.State copy(NDManager manager, Adam.State state) {
        return new Adam.State(copy(manager, state.params()), copy(manager, state.first()),
                copy(manager, state.second()), state.t());
    }

    private static NDArray[] copy(NDManager manager, NDArray[] arrays) {
        NDArray[] out = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = manager.create(arrays[i].toFloatArray(), arrays[i].getShape());
        }
        return out;
    }

    /** The real and generated inputs of the step's generator loss, as values. */
    private static final class GeneratorInputs implements GanTraining.Probe {
        float[] real;
        float[] fake;
        Shape shape;

        @Override
        public void discriminatorUpdate(int critic, NDArray realIn, NDArray fakeIn) {
        }

        @Override
        public void generatorUpdate(NDArray realIn, NDArray fakeIn) {
            real = realIn.toFloatArray();
            fake = fakeIn.toFloatArray();
            shape = realIn.getShape();
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
