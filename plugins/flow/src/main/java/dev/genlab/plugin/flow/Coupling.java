package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.genlab.nn.Dense;
import dev.genlab.nn.Init;
import dev.genlab.nn.Mlp;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * One affine coupling layer (Dinh et al. 2017, eq. 4–6). With a binary mask m (1 = conditioning
 * coordinate), one network reads the conditioning part x⊙m and outputs a log-scale s and a shift t for the
 * other coordinates:
 * <pre>
 * y = x⊙m + (1−m)⊙(x⊙exp(s) + t),   s = B·tanh(raw/B)⊙(1−m),  t = t_raw⊙(1−m),  (raw, t_raw) = net(x⊙m)
 * log|det ∂y/∂x| = Σ s                 (the Jacobian is triangular with diagonal exp(s) or 1)
 * x = y⊙m + (1−m)⊙((y − t)⊙exp(−s))   (y⊙m = x⊙m, so s and t are recomputed exactly)
 * </pre>
 * B ({@code scale_bound}) keeps every scale within exp(±B): a soft clamp that is the identity near 0. The
 * network's last layer starts at zero, so a fresh coupling is the identity (a common stabiliser for deep
 * flows). The mask is an array of the model; the weights are indices into the model's {@link Parameters} scope.
 *
 * @param mask m [D], 1 for conditioning coordinates
 * @param inverseMask 1 − m
 * @param net the s/t network: D → hidden… → 2D
 * @param bound B
 */
record Coupling(NDArray mask, NDArray inverseMask, Mlp net, double bound) {

    /**
     * @param mask m [D]
     * @param inverseMask 1 − m
     * @return a coupling whose network is named {@code name.0}, {@code name.1}, … in {@code p}
     */
    static Coupling create(Parameters p, String name, NDArray mask, NDArray inverseMask, int hidden, int depth,
            double bound) {
        int dim = Math.toIntExact(mask.size());
        List<Dense> layers = new ArrayList<>();
        int in = dim;
        for (int i = 0; i < depth; i++) {
            layers.add(Dense.create(p, name + "." + i, in, hidden));
            in = hidden;
        }
        layers.add(Dense.create(p, name + "." + depth, in, 2 * dim, Init.zeros(), Init.zeros()));
        return new Coupling(mask, inverseMask, new Mlp(List.copyOf(layers), Activation::relu), bound);
    }

    /** The log-scale s and shift t, both zero on the conditioning coordinates. */
    private NDArray[] scaleAndShift(NDArray[] w, NDArray conditioning) {
        NDArray out = net.forward(w, conditioning);
        long dim = mask.size();
        NDArray raw = out.get(":, 0:" + dim);
        NDArray shift = out.get(":, " + dim + ":");
        NDArray b = Scalars.of(raw, bound);
        NDArray s = raw.div(b).tanh().mul(b).mul(inverseMask);
        return new NDArray[] {s, shift.mul(inverseMask)};
    }

    /**
     * @param x [n, D]
     * @return {y [n, D], log|det| per example [n]}
     */
    NDArray[] forward(NDArray[] w, NDArray x) {
        NDArray[] st = scaleAndShift(w, x.mul(mask));
        return new NDArray[] {x.mul(st[0].exp()).add(st[1]), st[0].sum(new int[] {1})};
    }

    /** @return x with {@code forward(x)[0] = y} */
    NDArray inverse(NDArray[] w, NDArray y) {
        NDArray[] st = scaleAndShift(w, y.mul(mask));
        return y.sub(st[1]).mul(st[0].neg().exp());
    }
}
