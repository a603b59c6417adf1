package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The two convolutions of the DCGAN-style nets, both with 4×4 kernels, stride 2 and padding 1:
 * {@link #down} halves H and W, {@link #up} (its adjoint, the transposed convolution) doubles them.
 *
 * <p>DJL 0.36's PyTorch engine does not implement transposed convolution, so {@link #up} is built from
 * operations it has, by splitting the output by pixel parity (the "sub-pixel" form). Output pixel
 * (2i + a, 2j + b) only sees kernel rows ky ≡ a + 1 (mod 2) and columns kx ≡ b + 1 (mod 2): two input
 * rows and two input columns around (i, j). So the transposed convolution equals four stride-1
 * convolutions with 2×2 sub-kernels of the spatially flipped kernel, evaluated in one call (4·out
 * output channels, padding 1, giving (H+1)×(W+1) maps), each cropped to H×W at offset (a, b) and
 * interleaved into 2H×2W. Same arithmetic as a native transposed convolution, no inserted zeros.
 */
final class Conv {

    private static final Shape STRIDE = new Shape(2, 2);
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape PAD = new Shape(1, 1);

    private Conv() {}

    /**
     * @param x [n, in, H, W]
     * @param w [out, in, 4, 4]
     * @param bias [out] or null
     * @return [n, out, H/2, W/2]
     */
    static NDArray down(NDArray x, NDArray w, NDArray bias) {
        return Conv2d.conv2d(x, w, bias, STRIDE, PAD).singletonOrThrow();
    }

    /**
     * @param x [n, in, H, W]
     * @param w [in, out, 4, 4] (PyTorch's transposed-convolution layout, i.e. the kernel of the
     *     {@link #down} whose adjoint this is)
     * @param bias [out] or null
     * @return [n, out, 2H, 2W]
     */
    static NDArray up(NDArray x, NDArray w, NDArray bias) {
        long[] s = x.getShape().getShape();
        long n = s[0];
        long h = s[2];
        long wd = s[3];
        long out = w.getShape().get(1);
        // Flipped in space, row f = 3 − ky: parity a uses flipped rows a and a + 2 (ky = 3 − a, 1 − a),
        // which a 2×2 cross-correlation window over the 1-padded input meets in that order.
        NDArray flipped = w.flip(2, 3).transpose(1, 0, 2, 3); // [out, in, 4, 4]
        NDList kernels = new NDList();
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                kernels.add(flipped.get(":, :, " + a + ":4:2, " + b + ":4:2"));
            }
        }
        NDArray y = Conv2d.conv2d(x, NDArrays.concat(kernels, 0), null, ONE, PAD).singletonOrThrow();
        NDList rows = new NDList();
        for (int a = 0; a < 2; a++) {
            NDList cols = new NDList();
            for (int b = 0; b < 2; b++) {
                long c0 = (2L * a + b) * out;
                cols.add(y.get(":, " + c0 + ":" + (c0 + out) + ", " + a + ":" + (a + h) + ", " + b + ":" + (b + wd)));
            }
            rows.add(NDArrays.stack(cols, 4)); // [n, out, H, W, 2(b)]
        }
        NDArray z = NDArrays.stack(rows, 3).reshape(n, out, 2 * h, 2 * wd); // [n, out, H, 2(a), W, 2(b)]
        return bias == null ? z : z.add(bias.reshape(1, out, 1, 1));
    }
}
