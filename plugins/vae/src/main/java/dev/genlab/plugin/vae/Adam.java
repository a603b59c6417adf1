package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015) over a fixed list of parameter arrays, written out so that its moments are
 * plain arrays the paradigm can save and restore with the weights.
 */
final class Adam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    private static final NDIndex ALL = new NDIndex("...");

    private final List<NDArray> params;
    private final List<NDArray> first = new ArrayList<>();
    private final List<NDArray> second = new ArrayList<>();
    private final float lr;

    Adam(NDManager manager, List<NDArray> params, double lr) {
        this.params = List.copyOf(params);
        this.lr = (float) lr;
        for (NDArray p : params) {
            first.add(manager.zeros(p.getShape()));
            second.add(manager.zeros(p.getShape()));
        }
    }

    /**
     * Applies one update from the parameters' current gradients, then zeroes them (PyTorch accumulates
     * gradients across backward passes). A step whose gradients are not all finite is skipped (as mixed
     * precision loss scalers do): one overflow must not turn every weight into NaN.
     *
     * @param t 1-based update count, for the bias corrections
     * @param clipNorm if positive, gradients are scaled down so that their global L2 norm is at most this
     * @return the global L2 norm of the gradients before clipping (infinite or NaN if the step was skipped)
     */
    double step(long t, double clipNorm) {
        List<NDArray> grads = new ArrayList<>(params.size());
        NDList squares = new NDList(params.size());
        for (NDArray p : params) {
            NDArray g = p.getGradient();
            grads.add(g);
            // Squares in float64: float32 squares overflow for gradients above ~1e19, long before the
            // gradients themselves do.
            squares.add(g.toType(DataType.FLOAT64, false).square().sum());
        }
        double norm = Math.sqrt(NDArrays.stack(squares).sum().getDouble());
        if (Double.isFinite(norm)) {
            float c1 = (float) (1 - Math.pow(BETA1, t));
            float c2 = (float) (1 - Math.pow(BETA2, t));
            // A rare huge gradient (a tiny learned decoder std meeting an outlier) would otherwise throw
            // the weights far off; clipping the global norm keeps the direction and bounds the step.
            float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
            for (int i = 0; i < params.size(); i++) {
                NDArray g = scale < 1f ? grads.get(i).mul(scale) : grads.get(i);
                first.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
                second.get(i).muli(BETA2).addi(g.square().mul(1 - BETA2));
                NDArray update = first.get(i).div(c1).mul(lr).div(second.get(i).div(c2).sqrt().add(EPS));
                params.get(i).subi(update);
            }
        }
        for (NDArray g : grads) {
            // Assign, not g − g: that leaves NaN where a gradient was infinite.
            g.set(ALL, 0f);
        }
        return norm;
    }

    /** @return first moments, then second moments, in parameter order */
    List<NDArray> state() {
        List<NDArray> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
