package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Shared helpers: defaulted params, paradigm creation with a seeded engine, synthetic batches. */
final class Fixtures {

    private Fixtures() {}

    static Params params(Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new GanProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            if (!values.containsKey(e.getKey())) {
                throw new IllegalArgumentException("no parameter " + e.getKey());
            }
            // The framework hands over longs for INT parameters.
            Object v = e.getValue() instanceof Integer i ? Long.valueOf(i) : e.getValue();
            values.put(e.getKey(), v);
        }
        return new Params(values);
    }

    /** Creates a GAN the way the framework does: the engine seeded right before. */
    static GanParadigm create(NDManager manager, DataShape shape, Map<String, Object> overrides, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return assertInstanceOf(GanParadigm.class, new GanProvider().create(
                new ParadigmSetup(params(overrides), shape, manager, Device.cpu(), seed, new Random(seed))));
    }

    /** n points from 8 Gaussians (std 0.05) on the unit circle, like ring8 but coarser. */
    static float[] ring(Random random, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = 2 * Math.PI * random.nextInt(8) / 8;
            xy[2 * i] = (float) (Math.cos(angle) + 0.05 * random.nextGaussian());
            xy[2 * i + 1] = (float) (Math.sin(angle) + 0.05 * random.nextGaussian());
        }
        return xy;
    }

    /** Trains one step on a batch that is closed afterwards, as the framework does. */
    static Map<String, Double> step(GanParadigm gan, NDManager manager, float[] data, long[] shape, int[] labels) {
        try (NDManager batchManager = manager.newSubManager()) {
            NDArray x = batchManager.create(data, new ai.djl.ndarray.types.Shape(shape));
            NDArray y = labels == null ? null : batchManager.create(labels);
            return gan.trainStep(new Batch(x, y)).values();
        }
    }
}
