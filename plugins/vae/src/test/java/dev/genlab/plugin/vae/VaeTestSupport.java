package dev.genlab.plugin.vae;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.StepResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Shared helpers: defaulted parameters, seeded creation, and framework-like steps. */
final class VaeTestSupport {

    private VaeTestSupport() {}

    /** @return the schema's defaults with the overrides applied, as the framework would pass them */
    static Params params(Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new VaeProvider().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        return new Params(values);
    }

    /** Seeds the engine as the framework does before {@code create}, then creates the paradigm. */
    static VaeParadigm create(NDManager manager, DataShape shape, Map<String, Object> overrides, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        return assertInstanceOf(VaeParadigm.class, new VaeProvider().create(
                new ParadigmSetup(params(overrides), shape, manager, Device.cpu(), seed, new Random(seed))));
    }

    /** One step on the given values, with the batch closed afterwards as the framework does. */
    static StepResult step(NDManager manager, VaeParadigm p, float[] values, Shape shape, int[] labels) {
        try (NDManager batch = manager.newSubManager()) {
            return p.trainStep(new Batch(batch.create(values, shape), labels == null ? null : batch.create(labels)));
        }
    }

    /** @return n points drawn from 4 Gaussians of std 0.05 at (±1, ±1), row-major */
    static float[] fourModes(Random random, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            int mode = random.nextInt(4);
            xy[2 * i] = (float) ((mode % 2 == 0 ? 1 : -1) + 0.05 * random.nextGaussian());
            xy[2 * i + 1] = (float) ((mode / 2 == 0 ? 1 : -1) + 0.05 * random.nextGaussian());
        }
        return xy;
    }

    /**
     * @return n binary "images" of d pixels made from 4 prototypes with 5 % of pixels flipped, in {0, 1};
     *     {@code labels[i]} receives the prototype index
     */
    static float[] binaryPrototypes(Random random, int n, int d, int[] labels) {
        boolean[][] prototypes = new boolean[4][d];
        Random fixed = new Random(99);
        for (boolean[] p : prototypes) {
            for (int j = 0; j < d; j++) {
                p[j] = fixed.nextBoolean();
            }
        }
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(4);
            if (labels != null) {
                labels[i] = k;
            }
            for (int j = 0; j < d; j++) {
                boolean bit = prototypes[k][j] ^ (random.nextDouble() < 0.05);
                out[i * d + j] = bit ? 1f : 0f;
            }
        }
        return out;
    }
}
