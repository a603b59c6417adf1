package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void shardsPartitionThePlanRoundRobin() {
        List<Integer> plan = IntStream.range(0, 10).boxed().toList();
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.addAll(new Shard(i, 3).select(plan));
        }
        assertEquals(10, all.size());
        assertEquals(Set.copyOf(plan), new HashSet<>(all));
        assertEquals(List.of(1, 4, 7), new Shard(1, 3).select(plan));
        assertEquals(List.of(), new Shard(4, 5).select(List.of(0, 1)));
    }

    @Test
    void parsesIOverN() {
        assertEquals(new Shard(2, 3), Shard.parse("2/3"));
        assertEquals(new Shard(0, 1), Shard.parse(" 0 / 1 "));
        for (String bad : List.of("3/3", "-1/3", "1", "a/b", "1/0", "1/2/3")) {
            assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
        }
    }

    @Test
    void impossibleShardsSayWhatIsPossible() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("3/3"));
        assertTrue(e.getMessage().contains("0/3 ... 2/3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("0/0"));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("x"));
        assertTrue(e.getMessage().contains("i/n") && e.getMessage().contains("leave --shard out"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("none"));
        assertTrue(e.getMessage().contains("'none'"), e.getMessage());
    }

    @Test
    void schedulerTasksAreWorkersOfTheWholePlanWhateverTheirIndex() {
        // Ranges, steps, lists and re-submitted single indices alike: no arithmetic on the id.
        for (String id : List.of("0", "4", "7", "1001")) {
            Map<String, String> env = Map.of("SLURM_ARRAY_TASK_ID", id);
            assertTrue(Shard.schedulerTask(env::get), id);
        }
        Map<String, String> k8s = Map.of("JOB_COMPLETION_INDEX", "3");
        assertTrue(Shard.schedulerTask(k8s::get));
        assertFalse(Shard.schedulerTask(name -> null));
        assertFalse(Shard.schedulerTask(Map.of("SLURM_ARRAY_TASK_ID", " ")::get));
    }

    @Test
    void stateRandomReplaysJavaUtilRandomAndRestoresInPlace() {
        StateRandom ours = new StateRandom(42);
        java.util.Random reference = new java.util.Random(42);
        for (int i = 0; i < 50; i++) {
            assertEquals(reference.nextInt(), ours.nextInt());
            assertEquals(reference.nextGaussian(), ours.nextGaussian());
            assertEquals(reference.nextDouble(), ours.nextDouble());
        }
        ours.nextGaussian(); // leaves a cached second Gaussian
        StateRandom.Snapshot saved = ours.snapshot();
        List<Double> expected = List.of(ours.nextGaussian(), ours.nextGaussian(), (double) ours.nextInt(7));
        ours.nextLong();
        ours.restore(saved);
        assertEquals(expected, List.of(ours.nextGaussian(), ours.nextGaussian(), (double) ours.nextInt(7)));
    }
}
