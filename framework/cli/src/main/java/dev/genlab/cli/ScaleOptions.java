package dev.genlab.cli;

import dev.genlab.core.run.Shard;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** {@code genlab run}'s options for running sweeps at scale: parallel trials, resume, sharding. */
final class ScaleOptions {

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Trials trained at once in this process (default: ${DEFAULT-VALUE}). PyTorch's "
                    + "intra-op threads (--threads) are divided among them.")
    int parallel;

    @Option(names = "--resume",
            description = "Skip trials that already have a FINISHED run (by trial hash) and continue "
                    + "unfinished ones in their own run, from their last checkpoint.")
    boolean resume;

    @Option(names = "--shard", paramLabel = "i/n",
            description = "Run only part i of n of the plan (i from 0). Default: from SLURM_ARRAY_TASK_ID/"
                    + "SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX (Kubernetes Indexed Job).")
    String shard;

    @Option(names = "--shards", paramLabel = "N",
            description = "Number of shards when the scheduler does not say (Kubernetes: the Job's "
                    + "completions); also GENLAB_SHARDS.")
    Integer shards;

    /**
     * @param env environment lookup
     * @return the shard this process runs, or null for the whole plan
     */
    Shard shard(Function<String, String> env) {
        if (parallel < 1) {
            throw new UserError("--parallel must be at least 1, got " + parallel);
        }
        if (shards != null && shards < 1) {
            throw new UserError("--shards must be at least 1, got " + shards);
        }
        try {
            if (shard != null) {
                Shard s = Shard.parse(shard);
                if (shards != null && shards != s.count()) {
                    throw new UserError("--shard " + shard + " disagrees with --shards " + shards);
                }
                return s;
            }
            Shard fromScheduler = Shard.fromEnvironment(env, shards);
            if (fromScheduler == null && shards != null) {
                throw new UserError("--shards " + shards + " needs a shard index: --shard i/" + shards + ", or "
                        + Shard.K8S_INDEX + " / " + Shard.SLURM_ID + " from the scheduler");
            }
            return fromScheduler;
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
