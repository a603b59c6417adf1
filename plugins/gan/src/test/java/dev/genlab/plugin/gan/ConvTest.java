package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The transposed convolution built from zero insertion and a flipped kernel, against its definition. */
class ConvTest {

    @Test
    void upIsTheTransposedConvolutionByDefinition() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            int n = 2;
            int in = 3;
            int out = 2;
            int h = 3;
            int w = 4;
            NDArray x = manager.randomNormal(new Shape(n, in, h, w));
            NDArray k = manager.randomNormal(new Shape(in, out, 4, 4));
            NDArray b = manager.randomNormal(new Shape(out));
            NDArray y = Conv.up(x, k, b);
            assertEquals(new Shape(n, out, 2 * h, 2 * w), y.getShape());
            // out[b, o, yo, xo] = bias[o] + Σ x[b, i, yi, xi]·k[i, o, ky, kx] over yo = 2·yi − 1 + ky, same for x.
            float[] xs = x.toFloatArray();
            float[] ks = k.toFloatArray();
            float[] bs = b.toFloatArray();
            double[] expected = new double[n * out * 2 * h * 2 * w];
            for (int bi = 0; bi < n; bi++) {
                for (int o = 0; o < out; o++) {
                    for (int yo = 0; yo < 2 * h; yo++) {
                        for (int xo = 0; xo < 2 * w; xo++) {
                            expected[((bi * out + o) * 2 * h + yo) * 2 * w + xo] = bs[o];
                        }
                    }
                }
                for (int i = 0; i < in; i++) {
                    for (int yi = 0; yi < h; yi++) {
                        for (int xi = 0; xi < w; xi++) {
                            double v = xs[((bi * in + i) * h + yi) * w + xi];
                            for (int o = 0; o < out; o++) {
                                for (int ky = 0; ky < 4; ky++) {
                                    for (int kx = 0; kx < 4; kx++) {
                                        int yo = 2 * yi - 1 + ky;
                                        int xo = 2 * xi - 1 + kx;
                                        if (yo >= 0 && yo < 2 * h && xo >= 0 && xo < 2 * w) {
                                            expected[((bi * out + o) * 2 * h + yo) * 2 * w + xo] +=
                                                    v * ks[((i * out + o) * 4 + ky) * 4 + kx];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            float[] e = new float[expected.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = (float) expected[i];
            }
            assertArrayEquals(e, y.toFloatArray(), 1e-4f);
            // And down halves the size: the pair is what the DCGAN nets use.
            assertEquals(new Shape(n, out, h / 2 + h % 2, w / 2), Conv.down(manager.randomNormal(
                    new Shape(n, in, h + h % 2, w)), manager.randomNormal(new Shape(out, in, 4, 4)), null).getShape());
        }
    }
}
