package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orders in which sources hand out a plan: as planned, or shuffled by a seed for early stopping. */
class TrialSourceTest {

    @TempDir
    Path tmp;

    private List<Trial> plan;

    @BeforeEach
    void plan() throws Exception {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, """
                name: order
                dataset: {name: ring8}
                train: {steps: 10}
                paradigms:
                  - {name: fit, plugin: meanfit}
                sweep:
                  seeds: [0, 1, 2, 3]
                  parameters: {fit.lr: [0.1, 0.2, 0.3]}
                """);
        ExperimentSpec spec = new SpecLoader(new PluginLoader().load(List.of()), name -> null).load(file, List.of());
        plan = new SweepPlanner().plan(spec);
        assertEquals(12, plan.size());
    }

    private SweepView view() {
        return TpeSweepTest.view(plan, List.of());
    }

    private static List<Integer> indices(List<Trial> trials) {
        return trials.stream().map(Trial::index).toList();
    }

    @Test
    void planOrderIsThePlan() {
        assertEquals(plan, TrialSource.planOrder(null).candidates(view()));
        assertEquals(List.of(1, 4, 7, 10), indices(TrialSource.planOrder(new Shard(1, 3)).candidates(view())));
    }

    @Test
    void aShuffledOrderIsAPermutationFixedByItsSeed() {
        List<Integer> order = indices(TrialSource.shuffled(null, 7).candidates(view()));
        assertEquals(new HashSet<>(indices(plan)), new HashSet<>(order));
        assertEquals(plan.size(), order.size());
        assertNotEquals(indices(plan), order);
        // Every process (a worker, a shard, a resume) computes the same order from the same seed.
        assertEquals(order, indices(TrialSource.shuffled(null, 7).candidates(view())));
        assertNotEquals(order, indices(TrialSource.shuffled(null, 8).candidates(view())));
    }

    @Test
    void aShardOfAShuffledPlanKeepsItsTrialsInTheShuffledOrder() {
        List<Integer> whole = indices(TrialSource.shuffled(null, 7).candidates(view()));
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Integer> mine = indices(TrialSource.shuffled(new Shard(i, 3), 7).candidates(view()));
            assertEquals(new HashSet<>(indices(new Shard(i, 3).select(plan))), new HashSet<>(mine));
            assertEquals(whole.stream().filter(mine::contains).toList(), mine, "shard " + i);
            all.addAll(mine);
        }
        assertEquals(new HashSet<>(whole), new HashSet<>(all));
        assertEquals(whole.size(), all.size());
    }
}
