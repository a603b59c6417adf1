package dev.genlab.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.spec.SpecTestPlugins;
import dev.genlab.core.spec.TrainSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrialPlanPrinterTest {

    private static Trial trial(int index, String paradigm, Map<String, Object> swept, long seed, String hash) {
        return new Trial(index, paradigm, "gan", Map.of("lr", 1e-4), new DatasetSpec("ring8", Map.of()),
                new TrainSpec(3000, 256, 0, 10), EvaluateSpec.DEFAULTS, seed, swept, hash);
    }

    @Test
    void rendersAnAlignedTableWithASummary() {
        String table = new TrialPlanPrinter().render(List.of(
                trial(0, "gan", Map.of("gan.lr", 1e-4), 0, "0123456789abcdef"),
                trial(1, "gan", Map.of("gan.lr", 1e-4), 1, "fedcba9876543210"),
                trial(10, "g", Map.of(), 1, "fedcba9876543210")));
        assertEquals(String.join("\n",
                " #  hash              run                   plugin  dataset  steps  batch",
                " 0  0123456789abcdef  gan lr=1.0E-4 seed=0  gan     ring8     3000    256",
                " 1  fedcba9876543210  gan lr=1.0E-4 seed=1  gan     ring8     3000    256",
                "10  fedcba9876543210  g seed=1              gan     ring8     3000    256",
                "3 trials (2 paradigms, 2 seeds); 1 trial(s) repeat an identical configuration (same hash)",
                ""), table);
    }

    @Test
    void headingNamesTheExperimentAndItsSweep() throws Exception {
        Path file = Path.of(TrialPlanPrinterTest.class.getResource("/specs/hash/block.yaml").toURI());
        ExperimentSpec spec = new SpecLoader(SpecTestPlugins.registry(), k -> null).load(file);
        List<Trial> trials = new SweepPlanner().plan(spec);
        String table = new TrialPlanPrinter().render(spec, trials);
        assertTrue(table.startsWith("experiment hash-block: dataset ring8, grid sweep over gan.lr, train.steps\n"
                + " #  hash"), table);
        assertTrue(table.contains(trials.get(11).hash()), table);
        assertTrue(table.endsWith("12 trials (2 paradigms, 2 seeds)\n"), table);
    }

    @Test
    void emptyPlan() {
        assertTrue(new TrialPlanPrinter().render(List.of()).endsWith("0 trials (0 paradigms, 0 seeds)\n"));
    }
}
