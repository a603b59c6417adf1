package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every loss formula on fixed logits against values computed by hand from the textbook definitions. */
class ObjectiveTest {

    private static final double[] REAL = {2.0, -1.0, 0.5, 30.0};
    private static final double[] FAKE = {-3.0, 1.0, 0.0, -40.0};
    private static final float TOL = 1e-5f;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static double sigmoid(double o) {
        return 1 / (1 + Math.exp(-o));
    }

    /** −[t log σ(o) + (1 − t) log(1 − σ(o))], written with log σ(o) = −log(1 + e^−o) to stay finite at ±40. */
    private static double bce(double o, double t) {
        double logP = -Math.log1p(Math.exp(-o));
        double logQ = -Math.log1p(Math.exp(o));
        return -(t * logP + (1 - t) * logQ);
    }

    private static double mean(double[] v, java.util.function.DoubleUnaryOperator f) {
        double s = 0;
        for (double x : v) {
            s += f.applyAsDouble(x);
        }
        return s / v.length;
    }

    private NDArray array(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return manager.create(f);
    }

    private double lossD(Objective o, float smoothing) {
        return o.discriminatorLoss(array(REAL), array(FAKE), smoothing).getFloat();
    }

    private double lossG(Objective o) {
        return o.generatorLoss(array(FAKE)).getFloat();
    }

    @Test
    void minimaxAndNonSaturating() {
        double d = mean(REAL, o -> bce(o, 1)) + mean(FAKE, o -> bce(o, 0));
        assertEquals(d, lossD(Objective.MINIMAX, 0f), TOL);
        assertEquals(d, lossD(Objective.NON_SATURATING, 0f), TOL);
        // minimax G minimises log(1 − D(G(z))); non-saturating G minimises −log D(G(z)).
        assertEquals(mean(FAKE, o -> Math.log(1 - sigmoid(o))), lossG(Objective.MINIMAX), TOL);
        assertEquals(mean(FAKE, o -> -Math.log(sigmoid(o))), lossG(Objective.NON_SATURATING), 1e-4);
        // One-sided smoothing: the real target becomes 0.9, the fake target stays 0.
        double smoothed = mean(REAL, o -> bce(o, 0.9)) + mean(FAKE, o -> bce(o, 0));
        assertEquals(smoothed, lossD(Objective.NON_SATURATING, 0.1f), TOL);
        assertTrue(Math.abs(smoothed - d) > 0.1, "smoothing must change the loss");
    }

    @Test
    void wassersteinHingeAndLeastSquares() {
        assertEquals(mean(FAKE, o -> o) - mean(REAL, o -> o), lossD(Objective.WGAN_GP, 0f), TOL);
        assertEquals(-mean(FAKE, o -> o), lossG(Objective.WGAN_GP), TOL);
        double hinge = mean(REAL, o -> Math.max(0, 1 - o)) + mean(FAKE, o -> Math.max(0, 1 + o));
        assertEquals(hinge, lossD(Objective.HINGE, 0f), TOL);
        assertEquals(-mean(FAKE, o -> o), lossG(Objective.HINGE), TOL);
        double ls = 0.5 * mean(REAL, o -> (o - 1) * (o - 1)) + 0.5 * mean(FAKE, o -> o * o);
        assertEquals(ls, lossD(Objective.LSGAN, 0f), 1e-4);
        assertEquals(0.5 * mean(FAKE, o -> (o - 1) * (o - 1)), lossG(Objective.LSGAN), 1e-4);
        double lsSmoothed = 0.5 * mean(REAL, o -> (o - 0.8) * (o - 0.8)) + 0.5 * mean(FAKE, o -> o * o);
        assertEquals(lsSmoothed, lossD(Objective.LSGAN, 0.2f), 1e-4);
    }

    /** The real-data term of L_D, which the full unrolled generator loss subtracts (Metz et al.'s E log D(x)). */
    @Test
    void realTermIsTheRealPartOfTheDiscriminatorLoss() {
        // Logistic: E[−log D(x)] (with smoothing, BCE against 1 − s), so −R = E log D(x).
        assertEquals(mean(REAL, o -> bce(o, 1)), Objective.MINIMAX.realTerm(array(REAL), 0f).getFloat(), TOL);
        assertEquals(mean(REAL, o -> bce(o, 0.9)), Objective.NON_SATURATING.realTerm(array(REAL), 0.1f).getFloat(), TOL);
        assertEquals(-mean(REAL, o -> o), Objective.WGAN_GP.realTerm(array(REAL), 0f).getFloat(), TOL);
        assertEquals(mean(REAL, o -> Math.max(0, 1 - o)), Objective.HINGE.realTerm(array(REAL), 0f).getFloat(), TOL);
        assertEquals(0.5 * mean(REAL, o -> (o - 0.8) * (o - 0.8)), Objective.LSGAN.realTerm(array(REAL), 0.2f).getFloat(),
                1e-4);
        // And L_D − R depends on the generated outputs only, for every objective.
        double[] otherReal = {0.3, -2.0, 1.5, 4.0};
        for (Objective o : Objective.values()) {
            float s = o.hasTargets() ? 0.1f : 0f;
            double a = lossD(o, s) - o.realTerm(array(REAL), s).getFloat();
            double b = o.discriminatorLoss(array(otherReal), array(FAKE), s).getFloat()
                    - o.realTerm(array(otherReal), s).getFloat();
            assertEquals(a, b, 1e-4, o.key());
        }
    }

    @Test
    void reportedValuesAreProbabilitiesOnlyForTheLogisticObjectives() {
        float[] p = Objective.NON_SATURATING.reported(array(REAL)).toFloatArray();
        assertEquals(sigmoid(2.0), p[0], 1e-6);
        assertEquals(2.0, Objective.HINGE.reported(array(REAL)).toFloatArray()[0], 1e-6);
    }

    @Test
    void writtenOutLossGradientsMatchAutograd() {
        for (Objective o : Objective.values()) {
            float smoothing = o.hasTargets() ? 0.1f : 0f;
            NDArray real = array(new double[] {2.0, -1.0, 0.5, 0.7});
            NDArray fake = array(new double[] {-3.0, 1.0, 0.2, -0.4});
            real.setRequiresGradient(true);
            fake.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(o.discriminatorLoss(real, fake, smoothing));
            }
            NDArray[] written = o.discriminatorLossGradient(real, fake, smoothing);
            assertArrayEquals(real.getGradient().toFloatArray(), written[0].toFloatArray(), 1e-6f, o.key());
            assertArrayEquals(fake.getGradient().toFloatArray(), written[1].toFloatArray(), 1e-6f, o.key());
        }
    }
}
