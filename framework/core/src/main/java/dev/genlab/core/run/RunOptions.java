package dev.genlab.core.run;

import java.nio.file.Path;
import java.util.List;

/**
 * How the user asked a sweep to run (command-line switches), as opposed to what to run (the spec).
 *
 * @param quiet suppress progress on stderr
 * @param pluginDirs folders searched for third-party plugin jars
 * @param runStore the local run store's root folder, or null to use the spec's {@code tracking.local_dir}
 * @param parallel trials trained at once in this process (at least 1)
 * @param resume skip trials that already finished and continue unfinished ones from their checkpoints
 * @param shard the part of the plan this process runs, or null for all of it
 */
public record RunOptions(boolean quiet, List<Path> pluginDirs, Path runStore, int parallel, boolean resume,
        Shard shard) {

    /** Copies the list and checks the worker count. */
    public RunOptions {
        pluginDirs = List.copyOf(pluginDirs);
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        }
    }

    /** One trial at a time, the whole plan, no resume. */
    public RunOptions(boolean quiet, List<Path> pluginDirs, Path runStore) {
        this(quiet, pluginDirs, runStore, 1, false, null);
    }

    /** Progress on, no plugin folders, the spec's store. */
    public static final RunOptions DEFAULTS = new RunOptions(false, List.of(), null);

    /**
     * @return true if earlier records of the sweep are looked up (resume, or a shard of a sweep that other
     *     processes share)
     */
    public boolean ledger() {
        return resume || shard != null;
    }
}
