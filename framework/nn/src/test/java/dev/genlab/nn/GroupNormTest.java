package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Group and layer normalisation against their definition computed on the host in double precision. */
class GroupNormTest {

    /** Normalises x [b, c, s] (s values per channel) per example and group, then gain and shift per channel. */
    static double[] direct(float[] x, float[] gain, float[] shift, int b, int c, int s, int groups) {
        double[] out = new double[x.length];
        int per = c / groups * s;
        for (int n = 0; n < b; n++) {
            for (int g = 0; g < groups; g++) {
                int from = n * c * s + g * per;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[from + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[from + i] - mean) * (x[from + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int channel = (g * per + i) / s;
                    out[from + i] = (x[from + i] - mean) / Math.sqrt(var + GroupNorm.EPS) * gain[channel] + shift[channel];
                }
            }
        }
        return out;
    }

    private static float[] random(Random r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (2 * r.nextGaussian() + 0.5);
        }
        return out;
    }

    private static void check(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(want[i], got[i], 1e-4, "value " + i);
        }
    }

    @Test
    void groupNormOfImagesIsTheDefinition() {
        Random r = new Random(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            GroupNorm norm = GroupNorm.create(p, "norm", 6, 3);
            assertEquals(java.util.List.of("norm.weight", "norm.bias"), p.names());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, p.get("norm.weight").toFloatArray(), 0f);
            float[] gain = random(r, 6);
            float[] shift = random(r, 6);
            p.get("norm.weight").set(new NDIndex("..."), m.create(gain));
            p.get("norm.bias").set(new NDIndex("..."), m.create(shift));
            float[] x = random(r, 2 * 6 * 4 * 5);
            NDArray y = norm.forward(p.stored(), m.create(x, new Shape(2, 6, 4, 5)));
            assertEquals(new Shape(2, 6, 4, 5), y.getShape());
            check(direct(x, gain, shift, 2, 6, 20, 3), y.toFloatArray());
        }
    }

    @Test
    void oneGroupOnFeaturesIsLayerNormalisation() {
        Random r = new Random(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            GroupNorm layer = GroupNorm.layer(p, "ln", 7);
            float[] gain = random(r, 7);
            float[] shift = random(r, 7);
            p.get("ln.weight").set(new NDIndex("..."), m.create(gain));
            p.get("ln.bias").set(new NDIndex("..."), m.create(shift));
            float[] x = random(r, 3 * 7);
            check(direct(x, gain, shift, 3, 7, 1, 1), layer.forward(p.stored(), m.create(x, new Shape(3, 7))).toFloatArray());
            // Two groups of features take the general path.
            GroupNorm two = GroupNorm.create(p, "gn", 8, 2);
            float[] z = random(r, 3 * 8);
            float[] ones = {1, 1, 1, 1, 1, 1, 1, 1};
            check(direct(z, ones, new float[8], 3, 8, 1, 2), two.forward(p.stored(), m.create(z, new Shape(3, 8))).toFloatArray());
        }
    }

    @Test
    void groupsUpToTakesTheLargestDivisor() {
        assertEquals(8, GroupNorm.groupsUpTo(32, 8));
        assertEquals(6, GroupNorm.groupsUpTo(12, 8));
        assertEquals(7, GroupNorm.groupsUpTo(14, 8));
        assertEquals(1, GroupNorm.groupsUpTo(11, 8));
        assertEquals(4, GroupNorm.groupsUpTo(4, 8));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(0, 1, 6, 4));
    }
}
