package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The transposed convolution against a direct computation of its definition, for both of its code paths. */
class ConvTest {

    /** out[b, o, s·yi − p + ky, s·xi − p + kx] += x[b, i, yi, xi]·k[i, o, ky, kx], plus bias, in float64. */
    static double[] direct(float[] xs, float[] ks, float[] bs, int n, int in, int out, int h, int w, int k, int s, int p) {
        int oh = (h - 1) * s - 2 * p + k;
        int ow = (w - 1) * s - 2 * p + k;
        double[] y = new double[n * out * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < oh * ow; i++) {
                    y[(b * out + o) * oh * ow + i] = bs[o];
                }
            }
            for (int i = 0; i < in; i++) {
                for (int yi = 0; yi < h; yi++) {
                    for (int xi = 0; xi < w; xi++) {
                        double v = xs[((b * in + i) * h + yi) * w + xi];
                        for (int o = 0; o < out; o++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int yo = s * yi - p + ky;
                                    int xo = s * xi - p + kx;
                                    if (yo >= 0 && yo < oh && xo >= 0 && xo < ow) {
                                        y[((b * out + o) * oh + yo) * ow + xo] += v * ks[((i * out + o) * k + ky) * k + kx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "k={0} s={1} p={2}")
    @CsvSource({"4,2,1", "8,4,2", "3,2,1", "3,1,1", "5,3,0", "2,2,0"})
    void transposedIsTheDefinition(int k, int s, int p) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            int n = 2;
            int in = 3;
            int out = 2;
            int h = 3;
            int w = 4;
            NDArray x = m.randomNormal(new Shape(n, in, h, w));
            NDArray kernel = m.randomNormal(new Shape(in, out, k, k));
            NDArray b = m.randomNormal(new Shape(out));
            NDArray y = Conv.transposed(x, kernel, b, s, p);
            int oh = (h - 1) * s - 2 * p + k;
            int ow = (w - 1) * s - 2 * p + k;
            assertEquals(new Shape(n, out, oh, ow), y.getShape());
            double[] expected = direct(x.toFloatArray(), kernel.toFloatArray(), b.toFloatArray(), n, in, out, h, w, k, s, p);
            float[] got = y.toFloatArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i], got[i], 1e-4, "element " + i);
            }
        }
    }

    @Test
    void transposedIsTheAdjointOfTheConvolution() {
        // <conv(x), y> = <x, convᵀ(y)> for the same kernel, stride and padding.
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            NDArray x = m.randomNormal(new Shape(2, 3, 8, 6));
            NDArray k = m.randomNormal(new Shape(5, 3, 4, 4)); // conv: [out, in]; transposed reads it as [in, out]
            NDArray y = m.randomNormal(new Shape(2, 5, 4, 3));
            double lhs = Conv.conv(x, k, null, 2, 1).mul(y).sum().getFloat();
            double rhs = x.mul(Conv.transposed(y, k, null, 2, 1)).sum().getFloat();
            assertEquals(lhs, rhs, 1e-3 * Math.abs(lhs));
        }
    }

    @Test
    void upsampleLayerDoublesTheSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m);
            Conv up = Conv.create(p, "up", Conv.Kind.UPSAMPLE, 3, 4, 3, 2, 1);
            Conv down = Conv.create(p, "down", Conv.Kind.DOWN, 4, 2, 4, 2, 1);
            Conv t = Conv.create(p, "t", Conv.Kind.TRANSPOSED, 2, 3, 4, 2, 1);
            NDArray x = m.randomNormal(new Shape(1, 3, 7, 7));
            NDArray h = up.forward(p.stored(), x);
            assertEquals(new Shape(1, 4, 14, 14), h.getShape());
            assertEquals(new Shape(1, 2, 7, 7), down.forward(p.stored(), h).getShape());
            assertEquals(new Shape(1, 3, 14, 14), t.forward(p.stored(), down.forward(p.stored(), h)).getShape());
            assertEquals(java.util.List.of("up.weight", "up.bias", "down.weight", "down.bias", "t.weight", "t.bias"), p.names());
        }
    }
}
