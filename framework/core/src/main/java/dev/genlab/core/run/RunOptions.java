package dev.genlab.core.run;

import java.nio.file.Path;
import java.util.List;

/**
 * How the user asked a sweep to run (command-line switches), as opposed to what to run (the spec).
 *
 * @param quiet suppress progress on stderr
 * @param pluginDirs folders searched for third-party plugin jars
 * @param runStore the local run store's root folder, or null to use the spec's {@code tracking.local_dir}
 * @param resume skip trials that already finished and continue unfinished ones from their checkpoints
 * @param shard the part of the plan this process runs, or null for all of it
 * @param sweepParent the parent run of a new sweep that several worker processes share ({@code --parallel N}
 *     without {@code --resume}): the workers claim its trials and count only the runs under it, or null
 */
public record RunOptions(boolean quiet, List<Path> pluginDirs, Path runStore, boolean resume, Shard shard,
        String sweepParent) {

    /** Copies the list. */
    public RunOptions {
        pluginDirs = List.copyOf(pluginDirs);
    }

    /** The whole plan, no resume. */
    public RunOptions(boolean quiet, List<Path> pluginDirs, Path runStore) {
        this(quiet, pluginDirs, runStore, false, null, null);
    }

    /** Progress on, no plugin folders, the spec's store. */
    public static final RunOptions DEFAULTS = new RunOptions(false, List.of(), null);

    /**
     * @return true if this process is one worker of a sweep that other processes may share (resume, a shard,
     *     or a worker of {@code --parallel N}): trials are claimed, and earlier records are looked up
     */
    public boolean ledger() {
        return resume || shard != null || sweepParent != null;
    }
}
