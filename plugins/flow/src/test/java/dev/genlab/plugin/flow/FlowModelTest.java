package dev.genlab.plugin.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bijection: exact inverses, and a log-determinant equal to the Jacobian's. */
class FlowModelTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void couplingIsExactlyInvertibleAndLeavesTheConditioningHalfAlone() {
        Engine.getInstance().setRandomSeed(3);
        Parameters p = new Parameters(manager);
        NDArray mask = manager.create(new float[] {1, 0, 1, 0, 1, 0});
        NDArray inverseMask = manager.create(new float[] {0, 1, 0, 1, 0, 1});
        Coupling c = Coupling.create(p, "c", mask, inverseMask, 16, 2, 2.0);
        NDArray[] w = p.stored();
        // The last layer starts at zero (an identity coupling): give it values so the test means something.
        for (NDArray a : w) {
            a.set(new ai.djl.ndarray.index.NDIndex("..."), Init.normal(0.7).create(manager, a.getShape()));
        }
        NDArray x = manager.randomNormal(new Shape(64, 6)).mul(2f);
        NDArray[] out = c.forward(w, x);
        assertTrue(maxAbsDiff(out[0], x) > 0.1, "the coupling must not be the identity here");
        assertEquals(0f, maxAbsDiff(out[0].mul(mask), x.mul(mask)), "conditioning coordinates pass unchanged");
        assertTrue(maxAbsDiff(c.inverse(w, out[0]), x) < 1e-5f, "inverse(forward(x)) == x");
        assertTrue(maxAbsDiff(c.forward(w, c.inverse(w, x))[0], x) < 1e-5f, "forward(inverse(y)) == y");
        float maxLogScale = out[1].abs().max().getFloat();
        assertTrue(maxLogScale <= 3 * 2.0, "each of the 3 log-scales is bounded by scale_bound");
    }

    @Test
    void wholeFlowInvertsOnPointsAndOnImages() {
        for (DataShape shape : new DataShape[] {DataShape.points(2), DataShape.image(1, 4, 4, 0)}) {
            try (FlowParadigm flow = FlowTestSupport.create(manager, shape, Map.of("layers", 6L, "hidden", 16L), 5)) {
                // Moderate weights: with large ones z reaches the hundreds and float32 rounding, not the
                // inverse, decides the error.
                FlowTestSupport.randomize(flow, 0.1, 11);
                NDArray[] w = flow.weights().scope("flow").stored();
                NDArray y = manager.randomNormal(new Shape(32, shape.size()));
                NDArray z = flow.model().forward(w, y)[0];
                assertTrue(maxAbsDiff(z, y) > 0.1, "a non-trivial flow");
                float diff = maxAbsDiff(flow.model().inverse(w, z), y);
                assertTrue(diff < 1e-5f, "f⁻¹(f(y)) == y for " + shape + ": off by " + diff);
            }
        }
    }

    /** log|det ∂f/∂y| of a 2-D flow against the determinant of the Jacobian that autograd computes. */
    @Test
    void logDeterminantEqualsThatOfTheAutogradJacobian() {
        try (FlowParadigm flow = FlowTestSupport.create(manager, DataShape.points(2), Map.of("layers", 4L,
                "hidden", 16L), 7)) {
            FlowTestSupport.randomize(flow, 0.5, 13);
            NDArray[] w = flow.weights().scope("flow").stored();
            int n = 16;
            float[] points = new float[2 * n];
            Random random = new Random(1);
            for (int i = 0; i < points.length; i++) {
                points[i] = (float) random.nextGaussian();
            }
            float[] logDet = flow.model().forward(w, manager.create(points, new Shape(n, 2)))[1].toFloatArray();
            float[][] rows = new float[2][];
            for (int out = 0; out < 2; out++) {
                NDArray x = manager.create(points, new Shape(n, 2));
                x.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray z = flow.model().forward(w, x)[0];
                    collector.backward(z.get(":, " + out).sum());
                }
                rows[out] = x.getGradient().toFloatArray(); // ∂z_out/∂x per example (examples are independent)
            }
            for (int i = 0; i < n; i++) {
                double ad = (double) rows[0][2 * i] * rows[1][2 * i + 1];
                double bc = (double) rows[0][2 * i + 1] * rows[1][2 * i];
                double det = ad - bc;
                // The reference is only as exact as its float32 entries: an error of r ulps in each moves
                // log|det| by up to (|ad| + |bc|) / |det| · 2r·2⁻²⁴, which is ~10⁻³ where the two products
                // are ~10⁴ × det (one of these points). Allow 4 ulps per entry on top of 1e-4.
                double conditioning = (Math.abs(ad) + Math.abs(bc)) / Math.abs(det);
                double tolerance = 1e-4 + conditioning * 8 * Math.ulp(0.5f);
                assertEquals(Math.log(Math.abs(det)), logDet[i], tolerance, "example " + i + " (conditioning "
                        + conditioning + ")");
            }
            assertTrue(Math.abs(logDet[0]) > 0.1, "a non-trivial Jacobian");
        }
    }

    @Test
    void theRandomRotationsAreOrthogonalAndSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray q = FlowModel.randomRotation(m, 5);
            float[] qtq = q.transpose().matMul(q).toFloatArray();
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 5; j++) {
                    assertEquals(i == j ? 1f : 0f, qtq[i * 5 + j], 1e-6f, "QᵀQ[" + i + "," + j + "]");
                }
            }
            Engine.getInstance().setRandomSeed(7);
            org.junit.jupiter.api.Assertions.assertArrayEquals(q.toFloatArray(), FlowModel.randomRotation(m, 5).toFloatArray());
        }
    }
}
