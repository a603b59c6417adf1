package dev.genlab.plugin.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.nn.Checkpoint;

/**
 * {@code optimizer: moments}: the exact maximum-likelihood Gaussian of every example seen so far, μ = mean and
 * Σ = covariance + min_std²·I, from running sums kept in double precision, with L its Cholesky factor. On
 * images the gradient fit is unstable (the quadratic term of a pixel that is background in most digits
 * explodes when a stroke crosses it); the moments are not.
 *
 * <p>The estimate in use (μ, written into the model's mean, and L with L⁻¹, O(d³)) is refitted only when
 * asked ({@link #refit}), so it may lag the sums; both are checkpoint state, so a resumed run reports the same
 * numbers as an uninterrupted one. Before the first refit there is no estimate and the model's own
 * parameters give L.
 */
final class MomentsFit implements Checkpoint.Part {

    private static final NDIndex ALL = new NDIndex("...");

    private final int d;
    private final double floor;
    private final NDArray mean;
    private final NDArray sum;
    private final NDArray sumOfProducts;
    private final NDArray factor;
    private final NDArray inverseFactor;
    private long seen;
    /** The sums hold examples that the estimate does not reflect yet. */
    private boolean stale;
    /** There is an estimate: {@link #factor()} is in use. */
    private boolean fitted;

    /**
     * @param manager owner of the sums and the factor
     * @param mean the model's μ, assigned at every refit
     * @param minStd its square is added to the covariance's diagonal
     */
    MomentsFit(NDManager manager, NDArray mean, int d, double minStd) {
        this.d = d;
        this.floor = minStd * minStd;
        this.mean = mean;
        sum = manager.zeros(new Shape(d), DataType.FLOAT64);
        sumOfProducts = manager.zeros(new Shape(d, d), DataType.FLOAT64);
        factor = manager.zeros(new Shape(d, d));
        inverseFactor = manager.zeros(new Shape(d, d));
    }

    /** @return the long-lived arrays, to attach to a scope with the parameters */
    NDArray[] arrays() {
        return new NDArray[] {sum, sumOfProducts, factor, inverseFactor};
    }

    /** Adds examples [B, d] (in a scope holding {@link #arrays()}) to the sums. */
    void add(NDArray x) {
        NDArray x64 = x.toType(DataType.FLOAT64, false);
        sum.addi(x64.sum(new int[] {0}));
        sumOfProducts.addi(x64.transpose().matMul(x64));
        seen += x.getShape().get(0);
        stale = true;
    }

    boolean stale() {
        return stale;
    }

    boolean fitted() {
        return fitted;
    }

    /** @return L of the estimate in use (valid when {@link #fitted()}) */
    NDArray factor() {
        return factor;
    }

    /** @return L⁻¹ of the estimate in use (valid when {@link #fitted()}) */
    NDArray inverse() {
        return inverseFactor;
    }

    /** μ, L and L⁻¹ from the running sums. */
    void refit() {
        double[] s1 = sum.toDoubleArray();
        double[] s2 = sumOfProducts.toDoubleArray();
        double[] mu = new double[d];
        for (int i = 0; i < d; i++) {
            mu[i] = s1[i] / seen;
        }
        // Σ = E[xxᵀ] − μμᵀ + min_std²·I, then Σ = LLᵀ in place (lower triangle, row by row).
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double v = s2[i * d + j] / seen - mu[i] * mu[j] + (i == j ? floor : 0);
                for (int k = 0; k < j; k++) {
                    v -= l[i * d + k] * l[j * d + k];
                }
                // Rounding can leave a tiny negative pivot for a constant coordinate: the floor is its variance.
                l[i * d + j] = i == j ? Math.sqrt(Math.max(v, floor)) : v / l[j * d + j];
            }
        }
        float[] muF = new float[d];
        float[] lF = new float[d * d];
        for (int i = 0; i < d; i++) {
            muF[i] = (float) mu[i];
        }
        for (int i = 0; i < l.length; i++) {
            lF[i] = (float) l[i];
        }
        try (NDManager tmp = factor.getManager().newSubManager()) {
            mean.set(ALL, tmp.create(muF, mean.getShape()));
            factor.set(ALL, tmp.create(lF, factor.getShape()));
        }
        invert();
        stale = false;
        fitted = true;
    }

    /** L⁻¹ from L, after a refit or a load (it is not saved: the same L gives the same inverse). */
    private void invert() {
        try (NDManager tmp = factor.getManager().newSubManager()) {
            factor.tempAttach(tmp);
            inverseFactor.set(ALL, factor.inverse());
        }
    }

    /** Brings the derived L⁻¹ in line with a loaded factor. */
    void loaded() {
        if (fitted) {
            invert();
        }
    }

    @Override
    public void addTo(Checkpoint checkpoint, String prefix) {
        checkpoint.tensor(prefix + "sum", sum).tensor(prefix + "sum_of_products", sumOfProducts)
                .tensor(prefix + "factor", factor)
                .longValue(prefix + "seen", () -> seen, v -> seen = v)
                .longValue(prefix + "stale", () -> stale ? 1 : 0, v -> stale = v != 0)
                .longValue(prefix + "fitted", () -> fitted ? 1 : 0, v -> fitted = v != 0);
    }
}
