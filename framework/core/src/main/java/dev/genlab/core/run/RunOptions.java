package dev.genlab.core.run;

import java.nio.file.Path;
import java.util.List;

/**
 * How the user asked a sweep to run (command-line switches), as opposed to what to run (the spec).
 *
 * @param quiet suppress progress on stderr
 * @param pluginDirs folders searched for third-party plugin jars
 * @param runStore the local run store's root folder, or null to use the spec's {@code tracking.local_dir}
 */
public record RunOptions(boolean quiet, List<Path> pluginDirs, Path runStore) {

    /** Copies the list. */
    public RunOptions {
        pluginDirs = List.copyOf(pluginDirs);
    }

    /** Progress on, no plugin folders, the spec's store. */
    public static final RunOptions DEFAULTS = new RunOptions(false, List.of(), null);
}
