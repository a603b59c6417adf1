package dev.genlab.core.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.Diagnostics;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A deliberately small paradigm for framework tests: an isotropic Gaussian whose mean is fitted by
 * gradient steps on the squared error, with real DJL arrays. {@code nan_at} makes step N report NaN,
 * which exercises divergence handling; {@code noise} adds random noise to the update so that results
 * depend on the engine seed (reproducibility tests need randomness to be meaningful).
 *
 * <p>It also has the version-2 capabilities, with values a test can recompute independently:
 * {@link LikelihoodModel} (the exact Gaussian NLL per dimension), {@link Diagnostics} ({@code mean_0},
 * {@code mean_1}, … and a figure {@code walk}: 2 paths of 3 points from the mean to the first two held-out
 * examples), and {@code std} as a sampling parameter that evaluation variants may override.
 */
public final class MeanFitProvider implements ParadigmProvider {

    @Override
    public String name() {
        return "meanfit";
    }

    @Override
    public String description() {
        return "test paradigm: Gaussian with a fitted mean";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addDouble("lr", 0.1, 1e-6, 1.0, "step size")
                .addDouble("std", 0.5, 1e-3, 10.0, "sampling standard deviation")
                .addDouble("noise", 0.01, 0.0, 1.0, "noise added to each update")
                .addInt("nan_at", 0, 0, 1_000_000, "report NaN at this step (0 = never)")
                .build();
    }

    @Override
    public Set<String> samplingParameters() {
        return Set.of("std");
    }

    /**
     * System property naming a seed whose trials fail at creation while it is set: a failure that is not
     * part of the trial's configuration, so a later resume of the same trial can succeed.
     */
    public static final String FAIL_SEED = "genlab.test.meanfit.fail_seed";

    @Override
    public Paradigm create(ParadigmSetup setup) {
        String failSeed = System.getProperty(FAIL_SEED);
        if (failSeed != null && Long.parseLong(failSeed) == setup.seed()) {
            throw new IllegalArgumentException("told to fail for seed " + failSeed + " (" + FAIL_SEED + ")");
        }
        return new MeanFit(setup);
    }

    private static final class MeanFit implements Paradigm, LikelihoodModel, Diagnostics {
        private final NDManager manager;
        private final int dim;
        private final double lr;
        private final double std;
        private final double noise;
        private final long nanAt;
        private NDArray mean;
        private long step;

        MeanFit(ParadigmSetup setup) {
            this.manager = setup.manager().newSubManager();
            this.dim = setup.shape().size();
            this.lr = setup.params().getDouble("lr");
            this.std = setup.params().getDouble("std");
            this.noise = setup.params().getDouble("noise");
            this.nanAt = setup.params().getLong("nan_at");
            this.mean = manager.randomNormal(new Shape(dim));
        }

        @Override
        public StepResult trainStep(Batch batch) {
            step++;
            NDArray x = batch.data().reshape(batch.size(), dim);
            NDArray diff = x.sub(mean);
            double loss = diff.square().sum(new int[] {1}).mean().getFloat();
            NDArray update = diff.mean(new int[] {0}).mul(lr)
                    .add(batch.data().getManager().randomNormal(new Shape(dim)).mul(noise));
            NDArray next = mean.add(update);
            next.attach(manager);
            mean.close();
            mean = next;
            return StepResult.of("loss", step == nanAt ? Double.NaN : loss);
        }

        @Override
        public Samples sample(SampleRequest request) {
            Map<String, Object> options = request.options().values();
            double s = options.containsKey("std") ? ((Number) options.get("std")).doubleValue() : std;
            NDArray z = manager.randomNormal(new Shape(request.n(), dim)).mul(s).add(mean);
            return new Samples(z, null, 1);
        }

        @Override
        public double nllNatsPerDim(Batch batch) {
            NDArray x = batch.data().reshape(batch.size(), dim);
            double squared = x.sub(mean).square().sum().getFloat() / ((double) batch.size() * dim);
            return 0.5 * Math.log(2 * Math.PI * std * std) + squared / (2 * std * std);
        }

        @Override
        public Map<String, Double> diagnose(Batch heldOut) {
            Map<String, Double> out = new LinkedHashMap<>();
            float[] m = mean.toFloatArray();
            for (int i = 0; i < m.length; i++) {
                out.put("mean_" + i, (double) m[i]);
            }
            return out;
        }

        @Override
        public Map<String, NDArray> figures(Batch heldOut, NDManager owner) {
            NDArray ends = heldOut.data().reshape(heldOut.size(), dim).get("0:2");
            NDArray t = owner.create(new float[] {0f, 0.5f, 1f}).reshape(1, 3, 1);
            NDArray start = mean.reshape(1, 1, dim);
            NDArray walk = start.add(ends.reshape(2, 1, dim).sub(start).mul(t));
            walk.attach(owner);
            return Map.of("walk", walk);
        }

        @Override
        public Map<String, Long> parameterCounts() {
            return Map.of("mean", (long) dim);
        }

        @Override
        public void save(OutputStream out) throws java.io.IOException {
            DataOutputStream data = new DataOutputStream(out);
            for (float v : mean.toFloatArray()) {
                data.writeFloat(v);
            }
            data.flush();
        }

        @Override
        public void load(InputStream in) throws java.io.IOException {
            DataInputStream data = new DataInputStream(in);
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = data.readFloat();
            }
            mean.close();
            mean = manager.create(v);
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
