package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * A square 2-D convolution layer, plain ({@link Kind#DOWN}: kernel [out, in, k, k]), transposed
 * ({@link Kind#TRANSPOSED}: kernel [in, out, k, k], PyTorch's {@code ConvTranspose2d} layout and arithmetic) or
 * nearest-neighbour upsampling followed by a stride-1 convolution ({@link Kind#UPSAMPLE}, which avoids the
 * checkerboard artefacts of transposed convolutions, Odena et al. 2016). Functional like {@link Dense}.
 *
 * <p>DJL 0.36's PyTorch engine has no transposed convolution, so {@link #transposed} builds it exactly from
 * operations it has, differentiable to any order. For k = 2s and p = s/2 (the DCGAN 4×4/2/1 case) it splits the
 * output by pixel phase: output pixel (s·i + a, s·j + b) sees only kernel taps of one residue class, so the
 * transposed convolution equals s² stride-1 convolutions with sub-kernels of the flipped kernel, run as one call
 * and interleaved (same arithmetic, no inserted zeros). Otherwise it inserts s − 1 zeros between input pixels and
 * runs a stride-1 convolution with the flipped, transposed kernel and padding k − 1 − p. For k = s and p = 0
 * (un-patching: each input pixel becomes its own s×s patch) it is a 1×1 convolution to out·s² channels
 * followed by depth-to-space, several times faster than inserting zeros.
 *
 * @param kind the layer kind
 * @param weight index of the kernel in its scope
 * @param bias index of the bias, or −1
 * @param kernel k
 * @param stride s (the upsampling factor for {@link Kind#UPSAMPLE})
 * @param padding p
 */
public record Conv(Kind kind, int weight, int bias, int kernel, int stride, int padding) {

    /** The three layer kinds. */
    public enum Kind { DOWN, TRANSPOSED, UPSAMPLE }

    /**
     * @param biasInit null for no bias
     * @return a layer with parameters {@code name.weight} and {@code name.bias}
     */
    public static Conv create(Parameters p, String name, Kind kind, int in, int out, int k, int stride, int padding,
            Init weightInit, Init biasInit) {
        Shape shape = kind == Kind.TRANSPOSED ? new Shape(in, out, k, k) : new Shape(out, in, k, k);
        int w = p.add(name + ".weight", shape, weightInit);
        int b = biasInit == null ? -1 : p.add(name + ".bias", new Shape(out), biasInit);
        return new Conv(kind, w, b, k, stride, padding);
    }

    /** @return a layer with PyTorch's default initialisation (U(±1/√fan_in), fan_in = in·k², or out·k² transposed) */
    public static Conv create(Parameters p, String name, Kind kind, int in, int out, int k, int stride, int padding) {
        Init init = Init.fanIn((long) (kind == Kind.TRANSPOSED ? out : in) * k * k);
        return create(p, name, kind, in, out, k, stride, padding, init, init);
    }

    /** Runs the layer on {@code x} [n, c, H, W] with the scope's arrays {@code w}. */
    public NDArray forward(NDArray[] w, NDArray x) {
        NDArray b = bias < 0 ? null : w[bias];
        return switch (kind) {
            case DOWN -> conv(x, w[weight], b, stride, padding);
            case TRANSPOSED -> transposed(x, w[weight], b, stride, padding);
            case UPSAMPLE -> conv(upsample(x, stride), w[weight], b, 1, padding);
        };
    }

    /** A plain cross-correlation, kernel [out, in, k, k]. */
    public static NDArray conv(NDArray x, NDArray w, NDArray bias, int stride, int padding) {
        return Conv2d.conv2d(x, w, bias, new Shape(stride, stride), new Shape(padding, padding)).singletonOrThrow();
    }

    /** @return x [n, c, H, W] repeated to [n, c, f·H, f·W] (nearest neighbour) */
    public static NDArray upsample(NDArray x, int f) {
        long[] s = x.getShape().getShape();
        return x.reshape(s[0], s[1], s[2], 1, s[3], 1).broadcast(s[0], s[1], s[2], f, s[3], f)
                .reshape(s[0], s[1], f * s[2], f * s[3]);
    }

    /**
     * The transposed convolution (the adjoint of {@link #conv} with the same kernel, stride and padding):
     * out[n, o, s·i − p + ky, s·j − p + kx] += x[n, c, i, j]·w[c, o, ky, kx], output (H − 1)·s − 2p + k per side.
     *
     * @param w [in, out, k, k]
     * @param bias [out] or null
     */
    public static NDArray transposed(NDArray x, NDArray w, NDArray bias, int stride, int padding) {
        int k = (int) w.getShape().get(2);
        if (padding > k - 1) {
            throw new IllegalArgumentException("transposed convolution needs padding <= kernel - 1, got " + padding);
        }
        long out = w.getShape().get(1);
        NDArray y = k == stride && padding == 0 ? byPatch(x, w, stride)
                : k == 2 * stride && 2 * padding == stride ? byPhase(x, w, stride, padding) : byZeros(x, w, stride, padding);
        return bias == null ? y : y.add(bias.reshape(1, out, 1, 1));
    }

    private static NDArray flippedTransposed(NDArray w) {
        return w.flip(2, 3).transpose(1, 0, 2, 3); // [out, in, k, k]
    }

    private static NDArray byZeros(NDArray x, NDArray w, int s, int p) {
        long[] d = x.getShape().getShape();
        int k = (int) w.getShape().get(2);
        NDArray dilated = x;
        if (s > 1) {
            NDArray z = x.reshape(d[0], d[1], d[2], 1, d[3], 1);
            NDArray padded = z.concat(x.getManager().zeros(new Shape(d[0], d[1], d[2], s - 1, d[3], 1), x.getDataType()), 3);
            padded = padded.concat(x.getManager().zeros(new Shape(d[0], d[1], d[2], s, d[3], s - 1), x.getDataType()), 5);
            dilated = padded.reshape(d[0], d[1], d[2] * s, d[3] * s)
                    .get(":, :, 0:" + ((d[2] - 1) * s + 1) + ", 0:" + ((d[3] - 1) * s + 1));
        }
        return conv(dilated, flippedTransposed(w), null, 1, k - 1 - p);
    }

    /**
     * Phase a of the output (rows s·i + a − p... folded) uses flipped-kernel rows a', a' + s with a' = (a + p) mod s
     * ... for k = 2s, p = s/2 every phase has two taps per axis, so one stride-1 convolution with padding 1 over
     * the input gives all s² phases at (H + 1) × (W + 1); each is cropped at its offset and interleaved.
     */
    private static NDArray byPhase(NDArray x, NDArray w, int s, int p) {
        long[] d = x.getShape().getShape();
        long n = d[0];
        long h = d[2];
        long wd = d[3];
        long out = w.getShape().get(1);
        NDArray flipped = flippedTransposed(w);
        int k = 2 * s;
        NDList kernels = new NDList();
        int[] start = new int[s];
        int[] offset = new int[s];
        for (int a = 0; a < s; a++) {
            // Output o = s·i − p + ky; with o = s·q + a: ky = a + p − s·(i − q). Taps with ky ≡ (a + p) mod s;
            // in the flipped kernel (f = k − 1 − ky) they are rows f ≡ (k − 1 − a − p) mod s.
            start[a] = Math.floorMod(k - 1 - a - p, s);
            // The window over the 1-padded input that meets tap f = start first begins at row q + offset.
            offset[a] = (a + p) / s == 0 ? 0 : 1;
        }
        for (int a = 0; a < s; a++) {
            for (int b = 0; b < s; b++) {
                kernels.add(flipped.get(":, :, " + start[a] + ":" + k + ":" + s + ", " + start[b] + ":" + k + ":" + s));
            }
        }
        NDArray y = conv(x, NDArrays.concat(kernels, 0), null, 1, 1);
        NDList rows = new NDList();
        for (int a = 0; a < s; a++) {
            NDList cols = new NDList();
            for (int b = 0; b < s; b++) {
                long c0 = ((long) s * a + b) * out;
                cols.add(y.get(":, " + c0 + ":" + (c0 + out) + ", " + offset[a] + ":" + (offset[a] + h) + ", "
                        + offset[b] + ":" + (offset[b] + wd)));
            }
            rows.add(NDArrays.stack(cols, 4));
        }
        return NDArrays.stack(rows, 3).reshape(n, out, s * h, s * wd);
    }

    /** k = s, p = 0: out[n, o, s·i + a, s·j + b] = Σ_c x[n, c, i, j]·w[c, o, a, b], one 1×1 convolution. */
    private static NDArray byPatch(NDArray x, NDArray w, int s) {
        long[] d = x.getShape().getShape();
        long in = w.getShape().get(0);
        long out = w.getShape().get(1);
        NDArray kernel = w.reshape(in, out * s * s).transpose().reshape(out * s * s, in, 1, 1);
        // [n, out·s·s, H, W] → [n, out, s, s, H, W] → [n, out, H, s, W, s] → [n, out, s·H, s·W]
        return conv(x, kernel, null, 1, 0).reshape(d[0], out, s, s, d[2], d[3]).transpose(0, 1, 4, 2, 5, 3)
                .reshape(d[0], out, d[2] * s, d[3] * s);
    }
}
