package dev.genlab.cli;

import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

/** The options of the commands that read a local run store without running anything (sync, ui, report). */
final class StoreOptions {

    @Option(names = "--store", paramLabel = "DIR", description = "Local run store folder (default: ./genlab-runs).")
    Path store;

    @Option(names = {"-v", "--verbose"}, description = "Log at DEBUG level.")
    boolean verbose;

    /** @return the store folder (which may not exist yet), after applying {@code --verbose} */
    Path root() {
        if (verbose) {
            Configurator.setLevel("dev.genlab", Level.DEBUG);
        }
        return store != null ? store : LocalRunStore.DEFAULT_ROOT;
    }

    /** @return the store folder, after applying {@code --verbose}; a usage error if it does not exist */
    Path existingRoot() {
        Path root = root();
        if (!Files.isDirectory(root)) {
            throw new UserError("no local run store at " + root.toAbsolutePath() + " (use --store DIR)");
        }
        return root;
    }
}
