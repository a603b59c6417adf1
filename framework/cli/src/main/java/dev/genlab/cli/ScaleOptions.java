package dev.genlab.cli;

import dev.genlab.core.run.Shard;
import dev.genlab.tracking.claims.ClaimSettings;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** {@code genlab run}'s options for running sweeps at scale: parallel trials, resume, sharding. */
final class ScaleOptions {

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Worker processes training trials at once (default: ${DEFAULT-VALUE}), each with its "
                    + "own engine, sharing the run store through trial claims; --threads is divided among them. "
                    + "With --resume or --shard they join that sweep; else they run a new one.")
    int parallel;

    /** Set by {@code --parallel N} on the worker processes it starts: the new sweep's parent run. */
    @Option(names = "--sweep-parent", paramLabel = "RUN_ID", hidden = true)
    String sweepParent;

    /** Set by {@code --parallel N} on its workers: progress as events on stdout, and SIGINT left to it. */
    @Option(names = "--worker-events", hidden = true)
    boolean workerEvents;

    @Option(names = "--resume",
            description = "Join the sweep as one of any number of workers: skip trials that already have a "
                    + "FINISHED run (by trial hash), claim the others one at a time in the run store (never one "
                    + "that another live process holds), and continue unfinished ones from their last checkpoint.")
    boolean resume;

    @Option(names = "--shard", paramLabel = "i/n|none",
            description = "Claim trials only from part i of n of the plan (i from 0). Default: from "
                    + "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX (Kubernetes Indexed "
                    + "Job). 'none': no static part even under a scheduler; claim from the whole plan (the "
                    + "workers must share one store).")
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
        if (sweepParent != null && (resume || shard != null || !sweepParent.matches("[0-9a-f]{32}"))) {
            throw new UserError("--sweep-parent is set by --parallel for its worker processes only");
        }
        if (shards != null && shards < 1) {
            throw new UserError("--shards must be at least 1, got " + shards);
        }
        try {
            ClaimSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        if (none()) {
            if (shards != null) {
                throw new UserError("--shard none disagrees with --shards " + shards + ": drop one of them");
            }
            return null;
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

    /** @return true for {@code --shard none}: no static part, claim from the whole plan */
    boolean none() {
        return shard != null && shard.trim().equalsIgnoreCase("none");
    }
}
