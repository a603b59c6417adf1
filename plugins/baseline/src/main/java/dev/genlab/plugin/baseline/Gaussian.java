package dev.genlab.plugin.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;

/**
 * The model N(μ, LLᵀ): L lower triangular with diagonal exp(s) + min_std (always positive, so LLᵀ is positive
 * definite). Its {@link Parameters} are {@code mean} μ (d), {@code log_scale} s (d), and {@code lower}, a d×d
 * matrix whose strictly lower triangle is L's off-diagonal part (its upper triangle is masked out and never
 * trained). Functions take the parameters as arrays ({@link Parameters#stored()} or differentiable views) and
 * L with its inverse, which either come from the parameters ({@link #cholesky}) or from a moments fit.
 */
final class Gaussian {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** Indices of the three parameters in {@link Parameters#stored()} order. */
    static final int MEAN = 0;
    static final int LOG_SCALE = 1;
    static final int LOWER = 2;

    final Parameters params;
    final int d;
    private final float minStd;
    private final NDArray strictLower;
    private final NDArray eye;

    /**
     * @param params where μ, s and the off-diagonal matrix are created (μ = 0, s = log init_std, 0)
     * @param d the flattened data dimension
     */
    Gaussian(Parameters params, int d, double initStd, double minStd) {
        this.params = params;
        this.d = d;
        this.minStd = (float) minStd;
        NDManager manager = params.manager();
        eye = manager.eye(d);
        float[] mask = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                mask[i * d + j] = 1f;
            }
        }
        strictLower = manager.create(mask, new Shape(d, d));
        int mean = params.add("mean", new Shape(d), Init.zeros());
        int logScale = params.add("log_scale", new Shape(d), Init.constant(Math.log(initStd)));
        int lower = params.add("lower", new Shape(d, d), Init.zeros());
        if (mean != MEAN || logScale != LOG_SCALE || lower != LOWER) {
            throw new IllegalStateException("the gaussian's parameters must be the only ones of their scope");
        }
    }

    /** @return the constant arrays (identity and mask), to attach to a scope with the parameters */
    NDArray[] constants() {
        return new NDArray[] {eye, strictLower};
    }

    /** @return L assembled from the masked off-diagonal part and the positive diagonal exp(s) + min_std */
    NDArray cholesky(NDArray[] w) {
        NDArray diagonal = w[LOG_SCALE].exp().add(minStd);
        return w[LOWER].mul(strictLower).add(diagonal.reshape(1, d).mul(eye));
    }

    /**
     * −log p(x) = ½‖L⁻¹(x − μ)‖² + Σᵢ log Lᵢᵢ + (d/2)·log 2π per example.
     *
     * @param w the parameters (μ is read from them)
     * @param l the Cholesky factor in use
     * @param inverse its inverse
     * @param x examples, shape {@code [B, d]}
     * @return −log p(x) per example, in nats, shape {@code [B]}
     */
    NDArray nllPerExample(NDArray[] w, NDArray l, NDArray inverse, NDArray x) {
        NDArray z = x.sub(w[MEAN]).matMul(inverse.transpose());
        NDArray quadratic = z.square().sum(new int[] {1}).mul(Scalars.of(z, 0.5));
        NDArray logDet = l.mul(eye).sum(new int[] {1}).log().sum();
        return quadratic.add(logDet).add((float) (0.5 * d * LOG_2PI));
    }

    /**
     * @param z standard normal draws [n, d]
     * @return μ + Lz per row
     */
    NDArray sample(NDArray[] w, NDArray l, NDArray z) {
        return z.matMul(l.transpose()).add(w[MEAN]);
    }
}
