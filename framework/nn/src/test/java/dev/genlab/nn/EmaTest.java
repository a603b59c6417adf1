package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The moving average against the formula computed on the host, and its place in the checkpoint. */
class EmaTest {

    @Test
    void averagesStartAsCopiesAndFollowTheFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            Parameters net = p.scope("net");
            net.add("a", m.create(new float[] {1f, -2f, 3f}));
            net.add("b.weight", m.create(new float[] {0.5f, 4f}, new Shape(2, 1)));
            net.requireGradients(); // a copy must not share the source's data nor its gradient mode
            Ema ema = new Ema(net, p.scope("ema"));
            NDArray[] avg = ema.averages();
            assertEquals(List.of("net.a", "net.b.weight"), net.names());
            assertEquals(2, p.scope("ema").buffers().size());
            assertTrue(p.scope("ema").names().isEmpty(), "averages are buffers, not trainable");
            assertNotSame(net.stored()[0], avg[0]);
            assertEquals(new Shape(2, 1), avg[1].getShape());
            assertArrayEquals(new float[] {1f, -2f, 3f}, p.get("ema.a").toFloatArray(), 0f);

            double[] a = {1, -2, 3};
            double[] b = {0.5, 4};
            double[][] w = {{2, 0, -1}, {1, 1}};
            double[] decays = {0.5, Ema.rampedDecay(0.999, 3)};
            for (double d : decays) {
                net.stored()[0].stopGradient().muli(0).addi(m.create(toFloats(w[0])));
                net.stored()[1].stopGradient().muli(0).addi(m.create(toFloats(w[1]), new Shape(2, 1)));
                ema.update(d);
                for (int j = 0; j < a.length; j++) {
                    a[j] = d * a[j] + (1 - d) * w[0][j];
                }
                for (int j = 0; j < b.length; j++) {
                    b[j] = d * b[j] + (1 - d) * w[1][j];
                }
                w[0][0] += 1;
                w[1][1] -= 3;
            }
            assertArrayEquals(toFloats(a), avg[0].toFloatArray(), 1e-6f);
            assertArrayEquals(toFloats(b), avg[1].toFloatArray(), 1e-6f);
            assertThrows(IllegalArgumentException.class, () -> ema.update(1.5));
        }
    }

    @Test
    void theRampStartsLowAndReachesTheDecay() {
        assertEquals(0.1, Ema.rampedDecay(0.999, 0), 1e-12);
        assertEquals(2.0 / 11, Ema.rampedDecay(0.999, 1), 1e-12);
        assertEquals(0.999, Ema.rampedDecay(0.999, 1_000_000), 0);
    }

    @Test
    void averagesAreSavedAndRestoredWithTheParameters() throws Exception {
        byte[] saved;
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.scope("net").add("w", m.create(new float[] {1f, 2f}));
            Ema ema = new Ema(p.scope("net"), p.scope("ema"));
            p.scope("net").stored()[0].muli(3);
            ema.update(0.25);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Checkpoint c = new Checkpoint("ema-test", 1).part("", p);
            assertEquals(List.of("net.w", "ema.w"), List.copyOf(c.tensorNames()));
            c.write(out);
            saved = out.toByteArray();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            p.scope("net").add("w", m.zeros(new Shape(2)));
            Ema ema = new Ema(p.scope("net"), p.scope("ema"));
            new Checkpoint("ema-test", 1).part("", p).read(new ByteArrayInputStream(saved));
            // 0.25 · (1, 2) + 0.75 · (3, 6)
            assertArrayEquals(new float[] {2.5f, 5f}, ema.averages()[0].toFloatArray(), 0f);
        }
    }

    private static float[] toFloats(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }
}
