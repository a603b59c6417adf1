package dev.genlab.plugin.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.ParamType;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VaeProviderTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void everyNumericParameterHasARangeContainingItsDefault() {
        ParamSchema schema = new VaeProvider().parameters();
        for (ParamSpec p : schema.params()) {
            if (p.type() == ParamType.INT || p.type() == ParamType.DOUBLE) {
                assertNotNull(p.min(), p.name());
                assertNotNull(p.max(), p.name());
                double v = ((Number) p.defaultValue()).doubleValue();
                assertTrue(v >= p.min() && v <= p.max(), p.name() + " default " + v + " outside " + p.allowed());
            }
            assertFalse(p.description().isBlank(), p.name());
        }
        // The ranges the framework's validator enforces: no zero learning rate, no negative β or free bits,
        // no empty latent space.
        assertTrue(schema.get("lr").orElseThrow().min() > 0);
        assertEquals(0.0, schema.get("beta").orElseThrow().min());
        assertEquals(0.0, schema.get("free_bits").orElseThrow().min());
        assertEquals(1.0, schema.get("latent_dim").orElseThrow().min());
        assertEquals(1.0, schema.get("iwae_samples").orElseThrow().min());
        assertTrue(schema.get("decoder").orElseThrow().choices().containsAll(java.util.List.of("gaussian", "bernoulli")));
    }

    @Test
    void contradictoryParametersAreRejectedAtCreation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeTestSupport.create(manager, DataShape.points(2), Map.of("conditional", true), 0));
        assertTrue(e.getMessage().contains("labelled"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> VaeTestSupport.create(manager, DataShape.points(2), Map.of("architecture", "conv"), 0));
        assertTrue(e.getMessage().contains("divisible by 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VaeTestSupport.create(manager,
                DataShape.image(1, 30, 30, 0), Map.of("architecture", "conv"), 0));
        assertTrue(e.getMessage().contains("[1, 30, 30]"), e.getMessage());
    }

    @Test
    void samplingParametersAreDeclaredAndDoNotChangeTraining() {
        VaeProvider provider = new VaeProvider();
        assertEquals(Set.of("sample_mode"), provider.samplingParameters());
        for (String name : provider.samplingParameters()) {
            assertTrue(provider.parameters().get(name).isPresent(), name);
        }
        // Same seed, different sample_mode: the same losses and weights, step for step.
        Random random = new Random(3);
        float[] data = VaeTestSupport.fourModes(random, 1280);
        Map<String, Object> small = Map.of("hidden", 16, "latent_dim", 2);
        double[][] losses = new double[2][5];
        float[][] codes = new float[2][];
        String[] modes = {"mean", "draw"};
        for (int m = 0; m < 2; m++) {
            Map<String, Object> params = new java.util.HashMap<>(small);
            params.put("sample_mode", modes[m]);
            try (VaeParadigm p = VaeTestSupport.create(manager, DataShape.points(2), params, 3)) {
                for (int s = 0; s < 5; s++) {
                    losses[m][s] = VaeTestSupport.step(manager, p, Arrays.copyOfRange(data, 256 * s, 256 * (s + 1)),
                            new Shape(128, 2), null).values().get("loss");
                }
                try (NDArray x = manager.create(Arrays.copyOf(data, 64), new Shape(32, 2))) {
                    codes[m] = p.codec().encode(x).toFloatArray();
                }
            }
        }
        assertArrayEquals(losses[0], losses[1]);
        assertArrayEquals(codes[0], codes[1]);
    }

    @Test
    void autoArchitectureFollowsTheDataShape() {
        // 30×30 is not divisible by 4: auto falls back to an MLP on the flattened image instead of failing.
        try (VaeParadigm p = VaeTestSupport.create(manager, DataShape.image(1, 30, 30, 0),
                Map.of("hidden", 8, "latent_dim", 2, "layers", 1), 0)) {
            // MLP: (900→8) + (8→4) encoder.
            assertEquals(900 * 8 + 8 + 8 * 4 + 4, p.parameterCounts().get("encoder"));
        }
        VaeConfig c = VaeConfig.from(VaeTestSupport.params(Map.of()), DataShape.image(1, 28, 28, 10));
        assertTrue(c.conv());
        assertFalse(c.sampleDraw(), "images default to decoder means");
        VaeConfig points = VaeConfig.from(VaeTestSupport.params(Map.of("beta", 4.0, "warmup_steps", 10)),
                DataShape.points(2));
        assertFalse(points.conv());
        assertTrue(points.sampleDraw(), "points default to draws from p(x|z)");
        assertEquals(0.4, points.betaAt(1), 1e-12);
        assertEquals(4.0, points.betaAt(50), 1e-12);
    }
}
