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

    @Option(names = "--shard", paramLabel = "i/n",
            description = "Claim trials only from part i of n of the plan (i from 0): a static split, for "
                    + "workers that cannot share one store. Without it, workers (--resume, Slurm array tasks, "
                    + "Kubernetes Indexed Job pods) claim from the whole plan.")
    String shard;

    /**
     * @param env environment lookup
     * @return the static shard this process runs ({@code --shard}), or null for the whole plan
     */
    Shard shard(Function<String, String> env) {
        if (parallel < 1) {
            throw new UserError("--parallel must be at least 1, got " + parallel);
        }
        if (sweepParent != null && (resume || shard != null || !sweepParent.matches("[0-9a-f]{32}"))) {
            throw new UserError("--sweep-parent is set by --parallel for its worker processes only");
        }
        try {
            ClaimSettings.fromEnvironment(env);
            return shard == null ? null : Shard.parse(shard);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * @param env environment lookup
     * @return true if this process joins a shared sweep as a worker: {@code --resume}, or a scheduler's array
     *     task, whose tasks all claim from the sweep's one store ({@code --shard} makes it a worker too)
     */
    boolean worker(Function<String, String> env) {
        return resume || Shard.schedulerTask(env);
    }
}
