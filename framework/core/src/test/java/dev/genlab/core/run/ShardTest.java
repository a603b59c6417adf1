package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void slurmArraysMayStartAtOne() {
        Map<String, String> env = Map.of("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "4");
        assertEquals(new Shard(3, 4), Shard.fromEnvironment(env::get, null));
        Map<String, String> zero = Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_COUNT", "2");
        assertEquals(new Shard(0, 2), Shard.fromEnvironment(zero::get, null));
    }

    @Test
    void kubernetesIndexNeedsACount() {
        Map<String, String> env = Map.of("JOB_COMPLETION_INDEX", "2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shard.fromEnvironment(env::get, null));
        assertTrue(e.getMessage().contains("--shards"), e.getMessage());
        assertEquals(new Shard(2, 5), Shard.fromEnvironment(env::get, 5));
        Map<String, String> withTotal = Map.of("JOB_COMPLETION_INDEX", "2", "GENLAB_SHARDS", "3");
        assertEquals(new Shard(2, 3), Shard.fromEnvironment(withTotal::get, null));
        assertThrows(IllegalArgumentException.class, () -> Shard.fromEnvironment(withTotal::get, 2));
    }

    @Test
    void noSchedulerNoShard() {
        assertNull(Shard.fromEnvironment(name -> null, null));
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
