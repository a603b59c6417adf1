package dev.genlab.plugin.flow;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.Params;
import dev.genlab.api.StepResult;
import java.util.Map;
import java.util.Random;

/** Shared helpers: seeded creation, framework-like steps, data, and a plain-Java reference of the flow. */
final class FlowTestSupport {

    private FlowTestSupport() {}

    /** @return the schema's defaults with the overrides applied, as the framework would pass them */
    static Params params(Map<String, Object> overrides) {
        return FlowConfig.withDefaults(new Params(overrides));
    }

    /** Seeds the engine as the framework does before {@code create}, then creates the paradigm. */
    static FlowParadigm create(NDManager manager, DataShape shape, Map<String, Object> overrides, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        return assertInstanceOf(FlowParadigm.class, new FlowProvider().create(
                new ParadigmSetup(params(overrides), shape, manager, Device.cpu(), seed, new Random(seed))));
    }

    /** One step on the given rows, with the batch closed afterwards as the framework does. */
    static StepResult step(NDManager manager, FlowParadigm p, float[] values, Shape shape) {
        try (NDManager batch = manager.newSubManager()) {
            return p.trainStep(new Batch(batch.create(values, shape), null));
        }
    }

    /** @return n points from 4 Gaussians of std 0.05 at (±1, ±1), row-major */
    static float[] fourModes(Random random, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            int mode = random.nextInt(4);
            xy[2 * i] = (float) ((mode % 2 == 0 ? 1 : -1) + 0.05 * random.nextGaussian());
            xy[2 * i + 1] = (float) ((mode / 2 == 0 ? 1 : -1) + 0.05 * random.nextGaussian());
        }
        return xy;
    }

    /** Replaces every weight (the zero-initialised last layers and ActNorm too) by N(0, std²) draws. */
    static void randomize(FlowParadigm p, double std, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        for (NDArray w : p.weights().stored()) {
            try (NDManager tmp = w.getManager().newSubManager()) {
                w.set(new NDIndex("..."), tmp.randomNormal(0f, (float) std, w.getShape(), DataType.FLOAT32));
            }
        }
    }

    /**
     * log p(y) of one example under the flow, recomputed in double precision from the stored weights with
     * no DJL operation: the independent reference of {@link FlowModel#logProb}.
     *
     * @param mask the first coupling's mask m (the next ones alternate with 1 − m)
     */
    static double referenceLogProb(FlowParadigm p, FlowConfig config, float[] mask, double[] y) {
        int d = y.length;
        double[] h = y.clone();
        double logDet = 0;
        for (int k = 0; k < config.layers(); k++) {
            if (config.actnorm()) {
                float[] b = get(p, "actnorm" + k + ".bias");
                float[] s = get(p, "actnorm" + k + ".log_scale");
                for (int i = 0; i < d; i++) {
                    h[i] = (h[i] + b[i]) * Math.exp(s[i]);
                    logDet += s[i];
                }
            }
            if (config.rotate()) {
                float[] q = get(p, "rotation" + k); // h ← h·Q, Q [d, d] row-major
                double[] r = new double[d];
                for (int j = 0; j < d; j++) {
                    for (int i = 0; i < d; i++) {
                        r[j] += h[i] * q[i * d + j];
                    }
                }
                h = r;
            }
            double[] m = new double[d];
            double[] in = new double[d];
            for (int i = 0; i < d; i++) {
                m[i] = k % 2 == 0 ? mask[i] : 1 - mask[i];
                in[i] = h[i] * m[i];
            }
            for (int layer = 0; layer <= config.depth(); layer++) {
                float[] w = get(p, "coupling" + k + "." + layer + ".weight");
                float[] b = get(p, "coupling" + k + "." + layer + ".bias");
                double[] out = new double[b.length];
                for (int o = 0; o < out.length; o++) {
                    double sum = b[o];
                    for (int i = 0; i < in.length; i++) {
                        sum += w[o * in.length + i] * in[i];
                    }
                    out[o] = layer < config.depth() ? Math.max(0, sum) : sum;
                }
                in = out;
            }
            for (int i = 0; i < d; i++) {
                double s = config.scaleBound() * Math.tanh(in[i] / config.scaleBound()) * (1 - m[i]);
                double t = in[d + i] * (1 - m[i]);
                h[i] = h[i] * Math.exp(s) + t;
                logDet += s;
            }
        }
        double quadratic = 0;
        for (double z : h) {
            quadratic += z * z;
        }
        return -0.5 * quadratic - 0.5 * d * Math.log(2 * Math.PI) + logDet;
    }

    private static float[] get(FlowParadigm p, String name) {
        return p.weights().get("flow." + name).toFloatArray();
    }
}
