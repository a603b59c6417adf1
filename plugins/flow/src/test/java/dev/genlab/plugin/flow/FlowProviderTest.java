package dev.genlab.plugin.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.DataShape;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The provider: discoverable, documented parameters, and clear refusals. */
class FlowProviderTest {

    private final FlowProvider provider = new FlowProvider();

    @Test
    void isAServiceWithTheCurrentApiVersion() {
        assertTrue(ServiceLoader.load(ParadigmProvider.class).stream()
                .anyMatch(p -> p.type() == FlowProvider.class));
        assertEquals("flow", provider.name());
        assertEquals(GenlabApi.VERSION, provider.apiVersion());
        assertEquals(java.util.Set.of("temperature"), provider.samplingParameters());
    }

    @Test
    void everyParameterIsDocumentedAndItsDefaultIsAllowed() {
        for (ParamSpec p : provider.parameters().params()) {
            assertFalse(p.description().isBlank(), p.name());
            if (p.defaultValue() instanceof Number n) {
                assertTrue(n.doubleValue() >= p.min() && n.doubleValue() <= p.max(), p.name());
            }
        }
        assertEquals(List.of(), provider.validate(FlowTestSupport.params(Map.of())));
    }

    @Test
    void validateNamesEachBrokenRule() {
        List<String> problems = provider.validate(FlowTestSupport.params(Map.of("layers", 5L)));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("layers = 5 is odd") && problems.get(0).contains("layers: 6"),
                problems.get(0));
        problems = provider.validate(FlowTestSupport.params(Map.of("lr", 2.0, "alpha", 0.5, "mask", "stripes")));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("lr = 2.0 is outside [1.0E-6, 1.0]"), problems.get(0));
        assertTrue(problems.get(1).startsWith("mask = stripes is not one of auto, half, checkerboard"), problems.get(1));
        assertTrue(problems.get(2).startsWith("alpha = 0.5 is outside"), problems.get(2));
    }

    @Test
    void createRefusesWhatValidateRefuses() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.create(
                    new ParadigmSetup(FlowTestSupport.params(Map.of("layers", 3L)), DataShape.points(2), manager,
                            Device.cpu(), 0, new Random(0))));
            assertTrue(e.getMessage().startsWith("flow: layers = 3 is odd"), e.getMessage());
        }
    }

    @Test
    void masksAlternateHalvesOrCheckerboards() {
        FlowConfig points = FlowConfig.from(FlowTestSupport.params(Map.of()), DataShape.points(5));
        assertFalse(points.checkerboard());
        assertEquals(FlowConfig.Range.POINTS, points.range());
        assertTrue(java.util.Arrays.equals(new float[] {1, 1, 1, 0, 0}, FlowModel.mask(DataShape.points(5), false)));
        assertTrue(java.util.Arrays.equals(new float[] {1, 0, 1, 0, 1}, FlowModel.mask(DataShape.points(5), true)));
        DataShape image = DataShape.image(2, 2, 3, 10);
        FlowConfig images = FlowConfig.from(FlowTestSupport.params(Map.of()), image);
        assertTrue(images.checkerboard());
        assertEquals(FlowConfig.Range.AUTO, images.range());
        assertTrue(java.util.Arrays.equals(new float[] {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0},
                FlowModel.mask(image, true)));
    }
}
