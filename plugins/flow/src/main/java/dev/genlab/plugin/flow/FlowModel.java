package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks: a bijection f: ℝᴰ → ℝᴰ made of {@code layers} steps [ActNorm →] [fixed random rotation →]
 * affine coupling, the masks alternating between m and 1 − m, and the base density N(0, I). By the change of variables,
 * <pre>
 * log p(y) = log N(f(y); 0, I) + log|det ∂f/∂y| = −½‖z‖² − (D/2)·log 2π + Σ_layers log|det|,   z = f(y)
 * </pre>
 * and sampling is y = f⁻¹(z), z ~ N(0, I). Every method takes the scope's arrays {@code w}: the stored
 * weights, or differentiable views of them while training.
 */
final class FlowModel {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final Parameters params;
    private final int dim;
    /** One fixed random rotation Q per coupling when mixing is on (saved buffers), else empty. */
    private final List<NDArray> rotations = new ArrayList<>();
    /** One per coupling when ActNorm is on, else empty. */
    private final List<ActNorm> norms = new ArrayList<>();
    private final List<Coupling> couplings = new ArrayList<>();
    /** m and 1 − m: constants, not saved (they follow from the configuration). */
    private final NDArray[] masks;
    private boolean initialised;

    /**
     * @param params the scope the weights are created in, named {@code actnorm<k>.*} and {@code coupling<k>.*}
     * @param shape the data shape; images are modelled as flat vectors of C·H·W pixels
     */
    FlowModel(Parameters params, DataShape shape, FlowConfig config) {
        this.params = params;
        this.dim = shape.size();
        NDManager manager = params.manager();
        NDArray mask = manager.create(mask(shape, config.checkerboard()));
        masks = new NDArray[] {mask, mask.neg().add(1f)};
        for (int k = 0; k < config.layers(); k++) {
            if (config.actnorm()) {
                norms.add(ActNorm.create(params, "actnorm" + k, dim));
            }
            if (config.rotate()) {
                rotations.add(params.buffer("rotation" + k, randomRotation(manager, dim)));
            }
            couplings.add(Coupling.create(params, "coupling" + k, masks[k % 2], masks[1 - k % 2],
                    config.hidden(), config.depth(), config.scaleBound()));
        }
        initialised = !config.actnorm();
    }

    /**
     * @param checkerboard alternate coordinates (points) or pixels with (h + w) even (images); else the first
     *     half of the flattened example
     * @return m as floats, 1 for the coordinates the first coupling conditions on
     */
    static float[] mask(DataShape shape, boolean checkerboard) {
        int d = shape.size();
        float[] m = new float[d];
        for (int i = 0; i < d; i++) {
            if (!checkerboard) {
                m[i] = i < (d + 1) / 2 ? 1f : 0f;
            } else if (shape.isImage()) {
                int h = shape.dims().get(1);
                int w = shape.dims().get(2);
                int pixel = i % (h * w);
                m[i] = (pixel / w + pixel % w) % 2 == 0 ? 1f : 0f;
            } else {
                m[i] = i % 2 == 0 ? 1f : 0f;
            }
        }
        return m;
    }

    /**
     * A random orthogonal D × D matrix: Gram–Schmidt (in double precision) on the columns of a standard normal draw
     * from the engine's seeded generator, which is distributed uniformly over the orthogonal group.
     */
    static NDArray randomRotation(NDManager manager, int d) {
        float[] g = manager.randomNormal(new Shape(d, d)).toFloatArray();
        double[][] q = new double[d][d]; // q[j] = column j
        for (int j = 0; j < d; j++) {
            double[] v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = g[i * d + j];
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += q[k][i] * v[i];
                }
                for (int i = 0; i < d; i++) {
                    v[i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                q[j][i] = v[i] / norm;
            }
        }
        float[] out = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) q[j][i];
            }
        }
        return manager.create(out, new Shape(d, d));
    }

    /** @return the rotations (one per coupling, or none), for tests */
    List<NDArray> rotations() {
        return List.copyOf(rotations);
    }

    /** @return D */
    int dim() {
        return dim;
    }

    /** @return the arrays that are not parameters but are used by every pass (to attach to a scope) */
    NDArray[] constants() {
        return masks.clone();
    }

    /** @return false until ActNorm has been data-initialised (always true without ActNorm) */
    boolean initialised() {
        return initialised;
    }

    void setInitialised(boolean value) {
        initialised = value;
    }

    /**
     * Data-dependent initialisation: each ActNorm is set from its input on this batch, passing the batch
     * through the layers in order, so that every ActNorm's output starts standardised.
     *
     * @param y a batch [n, D] in the flow's space
     */
    void initialize(NDArray y) {
        NDArray[] w = params.stored();
        NDArray h = y;
        for (int k = 0; k < couplings.size(); k++) {
            norms.get(k).initialize(w, h);
            h = norms.get(k).forward(w, h);
            h = rotate(k, h);
            h = couplings.get(k).forward(w, h)[0];
        }
        initialised = true;
    }

    /**
     * @param y [n, D]
     * @return {z = f(y) [n, D], log|det ∂f/∂y| per example [n]}
     */
    NDArray[] forward(NDArray[] w, NDArray y) {
        NDArray h = y;
        NDArray logDet = y.getManager().zeros(new Shape(y.getShape().get(0)));
        for (int k = 0; k < couplings.size(); k++) {
            if (!norms.isEmpty()) {
                h = norms.get(k).forward(w, h);
                logDet = logDet.add(norms.get(k).logDet(w));
            }
            h = rotate(k, h);
            NDArray[] out = couplings.get(k).forward(w, h);
            h = out[0];
            logDet = logDet.add(out[1]);
        }
        return new NDArray[] {h, logDet};
    }

    /** @return y = f⁻¹(z), z [n, D] */
    NDArray inverse(NDArray[] w, NDArray z) {
        NDArray h = z;
        for (int k = couplings.size() - 1; k >= 0; k--) {
            h = couplings.get(k).inverse(w, h);
            if (!rotations.isEmpty()) {
                h = h.matMul(rotations.get(k).transpose()); // Q is orthogonal: its inverse is Qᵀ
            }
            if (!norms.isEmpty()) {
                h = norms.get(k).inverse(w, h);
            }
        }
        return h;
    }

    /** @return h·Q_k (rows rotated; |det Q| = 1, so the log-determinant is unchanged), or h without mixing */
    private NDArray rotate(int k, NDArray h) {
        return rotations.isEmpty() ? h : h.matMul(rotations.get(k));
    }

    /** @return log p(y) per example [n], in nats */
    NDArray logProb(NDArray[] w, NDArray y) {
        NDArray[] zl = forward(w, y);
        NDArray quadratic = zl[0].square().sum(new int[] {1}).mul(Scalars.of(y, -0.5));
        return quadratic.add(zl[1]).sub(Scalars.of(y, 0.5 * dim * LOG_2PI));
    }
}
