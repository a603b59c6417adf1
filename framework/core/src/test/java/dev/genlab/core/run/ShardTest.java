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
    void steppedSlurmArraysGiveConsecutiveShards() {
        // --array=0-4:2: tasks 0, 2, 4 of 3 (the task 4 used to be "shard 4/3").
        for (int id : new int[] {0, 2, 4}) {
            Map<String, String> env = Map.of("SLURM_ARRAY_TASK_ID", Integer.toString(id), "SLURM_ARRAY_TASK_MIN", "0",
                    "SLURM_ARRAY_TASK_STEP", "2", "SLURM_ARRAY_TASK_COUNT", "3");
            assertEquals(new Shard(id / 2, 3), Shard.fromEnvironment(env::get, null));
        }
        Map<String, String> fromOne = Map.of("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_STEP", "3", "SLURM_ARRAY_TASK_COUNT", "3");
        assertEquals(new Shard(2, 3), Shard.fromEnvironment(fromOne::get, null));
        // One index re-submitted alone (sbatch --array=1): the whole plan, shared with the others by claims.
        Map<String, String> alone = Map.of("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "1");
        assertEquals(new Shard(0, 1), Shard.fromEnvironment(alone::get, null));
    }

    @Test
    void listedSlurmArraysAreRefusedWithTheFix() {
        // --array=1,5,7: ids that no (min, step, count) describes.
        Map<String, String> env = Map.of("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shard.fromEnvironment(env::get, null));
        assertTrue(e.getMessage().contains("SLURM_ARRAY_TASK_ID=5"), e.getMessage());
        assertTrue(e.getMessage().contains("--array=0-3"), e.getMessage());
        assertTrue(e.getMessage().contains("--shard none"), e.getMessage());
        Map<String, String> offStep = Map.of("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0",
                "SLURM_ARRAY_TASK_STEP", "2", "SLURM_ARRAY_TASK_COUNT", "3");
        assertThrows(IllegalArgumentException.class, () -> Shard.fromEnvironment(offStep::get, null));
        Map<String, String> below = Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "3");
        assertThrows(IllegalArgumentException.class, () -> Shard.fromEnvironment(below::get, null));
        Map<String, String> k8s = Map.of("JOB_COMPLETION_INDEX", "3", "GENLAB_SHARDS", "3");
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> Shard.fromEnvironment(k8s::get, null));
        assertTrue(k.getMessage().contains("GENLAB_SHARDS") && k.getMessage().contains("--shard none"),
                k.getMessage());
    }

    @Test
    void impossibleShardsSayWhatIsPossible() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("3/3"));
        assertTrue(e.getMessage().contains("0/3 ... 2/3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("0/0"));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Shard.parse("x"));
        assertTrue(e.getMessage().contains("i/n") && e.getMessage().contains("none"), e.getMessage());
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
