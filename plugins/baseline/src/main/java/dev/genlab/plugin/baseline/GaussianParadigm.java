package dev.genlab.plugin.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * N(μ, Σ) with Σ = LLᵀ, L lower triangular with diagonal exp(s) + min_std (always positive, so Σ is
 * positive definite). Parameters: μ (d), s (d), and a d×d matrix whose strictly lower triangle is L's
 * off-diagonal part (its upper triangle is masked out and never trained).
 *
 * <p>Per example, −log p(x) = ½‖L⁻¹(x − μ)‖² + Σᵢ log Lᵢᵢ + (d/2)·log 2π; training minimises its batch
 * mean divided by d (nats per dimension) with hand-written Adam or SGD, whose state is saved with the
 * weights. Sampling is x = μ + Lz with z ~ N(0, I) from the engine's seeded generator.
 *
 * <p>With {@code optimizer: moments} there is no gradient step: the model is the exact maximum-likelihood
 * Gaussian of every example seen so far, μ = mean and Σ = covariance + min_std²·I, from running sums kept in
 * double precision, with L its Cholesky factor. On images the gradient fit is unstable (the quadratic term
 * of a pixel that is background in most digits explodes when a stroke crosses it); the moments are not.
 * The estimate (L and L⁻¹, O(d³)) is refitted every {@value #REFIT_EVERY} steps and before sampling or
 * scoring; a step reports the batch's nll under the current estimate, before the batch is added.
 */
final class GaussianParadigm implements Paradigm, LikelihoodModel {

    private static final int MAGIC = 0x47535331; // "GSS1": gaussian state, format 1
    private static final NDIndex ALL = new NDIndex("...");
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    /** moments mode: steps between refits of the estimate (each costs two d×d cubic operations). */
    static final int REFIT_EVERY = 16;

    private final NDManager trialManager;
    /** Owns parameters, optimiser state and constants; closing it frees the model. */
    private final NDManager manager;
    private final DataShape shape;
    private final int d;
    private final float lr;
    private final String optimizer;
    private final float minStd;
    private final NDArray strictLower;
    private final NDArray eye;
    /** μ, s, off-diagonal matrix, in this order everywhere (save format included). */
    private final NDArray[] params;
    /** Adam's first and second moments, one per parameter; null for SGD. */
    private final NDArray[] firstMoment;
    private final NDArray[] secondMoment;
    /** moments mode: examples seen, Σx and Σxxᵀ (float64); null otherwise. */
    private final NDArray sum;
    private final NDArray sumOfProducts;
    private long seen;
    /** moments mode: L and L⁻¹ of the current estimate, or null before the first refit (then L comes from params). */
    private NDArray factor;
    private NDArray inverseFactor;
    /** moments mode: the sums hold examples that the estimate does not reflect yet. */
    private boolean stale;
    private long steps;

    GaussianParadigm(ParadigmSetup setup) {
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        this.shape = setup.shape();
        this.d = shape.size();
        this.lr = (float) setup.params().getDouble("lr");
        this.optimizer = setup.params().getString("optimizer");
        this.minStd = (float) setup.params().getDouble("min_std");
        float initStd = (float) setup.params().getDouble("init_std");

        eye = manager.eye(d);
        float[] mask = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                mask[i * d + j] = 1f;
            }
        }
        strictLower = manager.create(mask, new Shape(d, d));
        params = new NDArray[] {
            manager.zeros(new Shape(d)),
            manager.full(new Shape(d), (float) Math.log(initStd)),
            manager.zeros(new Shape(d, d)),
        };
        for (NDArray p : params) {
            p.setRequiresGradient(true);
        }
        boolean adam = "adam".equals(optimizer);
        firstMoment = adam ? zerosLike(params) : null;
        secondMoment = adam ? zerosLike(params) : null;
        boolean moments = "moments".equals(optimizer);
        sum = moments ? manager.zeros(new Shape(d), DataType.FLOAT64) : null;
        sumOfProducts = moments ? manager.zeros(new Shape(d, d), DataType.FLOAT64) : null;
    }

    private NDArray[] zerosLike(NDArray[] arrays) {
        NDArray[] out = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = manager.zeros(arrays[i].getShape());
        }
        return out;
    }

    @Override
    public StepResult trainStep(Batch batch) {
        if (sum != null) {
            return accumulate(batch);
        }
        double loss;
        try (NDManager step = manager.newSubManager()) {
            // Temporaries of every operation go to the operand's manager: move all operands into `step`
            // for the duration, so nothing accumulates in the long-lived managers.
            NDArray x = batch.data();
            x.tempAttach(step);
            attachState(step);
            NDArray lossArray;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                lossArray = nllPerExample(x.reshape(x.getShape().get(0), d)).mean().div(d);
                collector.backward(lossArray);
            }
            loss = lossArray.getFloat();
            steps++;
            for (int i = 0; i < params.length; i++) {
                NDArray grad = params[i].getGradient();
                params[i].subi(update(i, grad));
                grad.subi(grad); // PyTorch accumulates gradients across backward passes
            }
        }
        return StepResult.of("nll", loss);
    }

    /** moments mode: scores the batch under the current estimate, adds it to the sums, refits periodically. */
    private StepResult accumulate(Batch batch) {
        double loss;
        try (NDManager step = manager.newSubManager()) {
            NDArray x = batch.data();
            x.tempAttach(step);
            attachState(step);
            NDArray flat = x.reshape(x.getShape().get(0), d);
            loss = nllPerExample(flat).mean().getFloat() / d;
            NDArray x64 = flat.toType(DataType.FLOAT64, false);
            sum.addi(x64.sum(new int[] {0}));
            sumOfProducts.addi(x64.transpose().matMul(x64));
            seen += flat.getShape().get(0);
        }
        steps++;
        stale = true;
        if (steps % REFIT_EVERY == 0) {
            refit();
        }
        return StepResult.of("nll", loss);
    }

    /** Brings a moments estimate up to date before it is sampled or scored. */
    private void ensureFitted() {
        if (stale) {
            refit();
        }
    }

    /** moments mode: μ, L and L⁻¹ from the running sums. */
    private void refit() {
        double[] s1 = sum.toDoubleArray();
        double[] s2 = sumOfProducts.toDoubleArray();
        double[] mu = new double[d];
        for (int i = 0; i < d; i++) {
            mu[i] = s1[i] / seen;
        }
        // Σ = E[xxᵀ] − μμᵀ + min_std²·I, then Σ = LLᵀ in place (lower triangle, row by row).
        double floor = (double) minStd * minStd;
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
        try (NDManager tmp = manager.newSubManager()) {
            params[0].set(ALL, tmp.create(muF, params[0].getShape()));
        }
        setFactor(manager.create(lF, new Shape(d, d)));
        stale = false;
    }

    private void setFactor(NDArray l) {
        if (factor != null) {
            factor.close();
            inverseFactor.close();
        }
        factor = l;
        inverseFactor = l.inverse();
    }

    /** @return the step to subtract from parameter {@code i} */
    private NDArray update(int i, NDArray grad) {
        if (firstMoment == null) {
            return grad.mul(lr);
        }
        firstMoment[i].muli(BETA1).addi(grad.mul(1 - BETA1));
        secondMoment[i].muli(BETA2).addi(grad.square().mul(1 - BETA2));
        float correction1 = (float) (1 - Math.pow(BETA1, steps));
        float correction2 = (float) (1 - Math.pow(BETA2, steps));
        NDArray mHat = firstMoment[i].div(correction1);
        NDArray vHat = secondMoment[i].div(correction2);
        return mHat.mul(lr).div(vHat.sqrt().add(EPS));
    }

    /** @return the positive diagonal of L */
    private NDArray diagonal() {
        return params[1].exp().add(minStd);
    }

    /** @return L: the moments fit, or assembled from the masked off-diagonal part and the positive diagonal */
    private NDArray cholesky() {
        if (factor != null) {
            return factor;
        }
        return params[2].mul(strictLower).add(diagonal().reshape(1, d).mul(eye));
    }

    /**
     * @param x examples, shape {@code [B, d]}
     * @return −log p(x) per example, in nats, shape {@code [B]}
     */
    private NDArray nllPerExample(NDArray x) {
        NDArray l = cholesky();
        NDArray inverse = factor != null ? inverseFactor : l.inverse();
        NDArray z = x.sub(params[0]).matMul(inverse.transpose());
        NDArray quadratic = z.square().sum(new int[] {1}).mul(0.5f);
        NDArray logDet = l.mul(eye).sum(new int[] {1}).log().sum();
        return quadratic.add(logDet).add((float) (0.5 * d * LOG_2PI));
    }

    private void attachState(NDManager step) {
        for (NDArray p : params) {
            p.tempAttach(step);
        }
        if (firstMoment != null) {
            for (int i = 0; i < params.length; i++) {
                firstMoment[i].tempAttach(step);
                secondMoment[i].tempAttach(step);
            }
        }
        if (sum != null) {
            sum.tempAttach(step);
            sumOfProducts.tempAttach(step);
        }
        if (factor != null) {
            factor.tempAttach(step);
            inverseFactor.tempAttach(step);
        }
        eye.tempAttach(step);
        strictLower.tempAttach(step);
    }

    @Override
    public double nllNatsPerDim(Batch batch) {
        ensureFitted();
        try (NDManager tmp = manager.newSubManager()) {
            NDArray x = batch.data();
            x.tempAttach(tmp);
            attachState(tmp);
            return nllPerExample(x.reshape(x.getShape().get(0), d)).mean().getFloat() / d;
        }
    }

    @Override
    public Samples sample(SampleRequest request) {
        ensureFitted();
        int n = request.n();
        try (NDManager tmp = manager.newSubManager()) {
            attachState(tmp);
            NDArray z = tmp.randomNormal(new Shape(n, d));
            NDArray x = z.matMul(cholesky().transpose()).add(params[0]).reshape(shape.batchShape(n));
            x.attach(trialManager); // the caller owns and closes the samples
            return new Samples(x, null, 1);
        }
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return Map.of("gaussian", (long) d + (long) d * (d + 1) / 2);
    }

    /** @return μ, for tests */
    double[] mean() {
        ensureFitted();
        return toDouble(params[0].toFloatArray());
    }

    /** @return Σ = LLᵀ, for tests */
    double[][] covariance() {
        ensureFitted();
        try (NDManager tmp = manager.newSubManager()) {
            attachState(tmp);
            NDArray l = cholesky();
            float[] flat = l.matMul(l.transpose()).toFloatArray();
            double[][] sigma = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    sigma[i][j] = flat[i * d + j];
                }
            }
            return sigma;
        }
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(d);
        data.writeUTF(optimizer);
        data.writeLong(steps);
        for (NDArray array : state()) {
            for (float v : array.toFloatArray()) {
                data.writeFloat(v);
            }
        }
        if (sum != null) {
            // The estimate in use may lag the sums (refits are periodic): save both, so a resumed run
            // reports the same numbers as an uninterrupted one.
            data.writeLong(seen);
            data.writeBoolean(stale);
            for (NDArray array : new NDArray[] {sum, sumOfProducts}) {
                for (double v : array.toDoubleArray()) {
                    data.writeDouble(v);
                }
            }
            data.writeBoolean(factor != null);
            if (factor != null) {
                for (float v : factor.toFloatArray()) {
                    data.writeFloat(v);
                }
            }
        }
        data.flush();
    }

    @Override
    public void load(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a saved gaussian baseline");
        }
        int savedDim = data.readInt();
        if (savedDim != d) {
            throw new IOException("saved gaussian has dimension " + savedDim + ", this one " + d);
        }
        String savedOptimizer = data.readUTF();
        if (!savedOptimizer.equals(optimizer)) {
            throw new IOException("saved gaussian used optimizer " + savedOptimizer + ", this one " + optimizer);
        }
        long savedSteps = data.readLong();
        NDArray[] state = state();
        float[][] values = new float[state.length][];
        for (int a = 0; a < state.length; a++) {
            values[a] = new float[Math.toIntExact(state[a].size())];
            for (int i = 0; i < values[a].length; i++) {
                values[a][i] = data.readFloat();
            }
        }
        long savedSeen = 0;
        boolean savedStale = false;
        double[][] sums = null;
        float[] savedFactor = null;
        if (sum != null) {
            savedSeen = data.readLong();
            savedStale = data.readBoolean();
            sums = new double[][] {new double[d], new double[d * d]};
            for (double[] values2 : sums) {
                for (int i = 0; i < values2.length; i++) {
                    values2[i] = data.readDouble();
                }
            }
            if (data.readBoolean()) {
                savedFactor = new float[d * d];
                for (int i = 0; i < savedFactor.length; i++) {
                    savedFactor[i] = data.readFloat();
                }
            }
        }
        // Only write once everything was read, so a truncated stream leaves the model untouched.
        // Copy through a native array: PyTorch's NDArray.set(float[]) makes the tensor point at a temporary
        // direct buffer without copying it, and once that buffer is garbage-collected the weights change
        // under the model (a resumed run then drifts from the uninterrupted one).
        try (NDManager tmp = manager.newSubManager()) {
            for (int a = 0; a < state.length; a++) {
                state[a].set(ALL, tmp.create(values[a], state[a].getShape()));
            }
            if (sums != null) {
                sum.set(ALL, tmp.create(sums[0], sum.getShape()));
                sumOfProducts.set(ALL, tmp.create(sums[1], sumOfProducts.getShape()));
            }
        }
        steps = savedSteps;
        seen = savedSeen;
        stale = savedStale;
        if (savedFactor != null) {
            setFactor(manager.create(savedFactor, new Shape(d, d)));
        } else if (factor != null) {
            factor.close();
            inverseFactor.close();
            factor = null;
            inverseFactor = null;
        }
    }

    /** @return the parameters, then Adam's moments if any, in save order */
    private NDArray[] state() {
        if (firstMoment == null) {
            return params.clone();
        }
        NDArray[] all = new NDArray[params.length * 3];
        for (int i = 0; i < params.length; i++) {
            all[i] = params[i];
            all[params.length + i] = firstMoment[i];
            all[2 * params.length + i] = secondMoment[i];
        }
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}
