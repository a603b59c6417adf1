package dev.genlab.plugin.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.genlab.api.DataShape;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.ParamType;
import java.util.Map;
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
        // no empty latent space, holdout at most half the data.
        assertTrue(schema.get("lr").orElseThrow().min() > 0);
        assertEquals(0.0, schema.get("beta").orElseThrow().min());
        assertEquals(0.0, schema.get("free_bits").orElseThrow().min());
        assertEquals(1.0, schema.get("latent_dim").orElseThrow().min());
        assertEquals(1.0, schema.get("iwae_samples").orElseThrow().min());
        assertEquals(0.5, schema.get("holdout").orElseThrow().max());
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
        e = assertThrows(IllegalArgumentException.class,
                () -> VaeTestSupport.create(manager, DataShape.points(2), Map.of("heldout_every", 100), 0));
        assertTrue(e.getMessage().contains("holdout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> VaeTestSupport.create(manager, DataShape.points(2), Map.of("holdout", 0.1), 0));
        assertTrue(e.getMessage().contains("heldout_every"), e.getMessage());
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
