package dev.genlab.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import dev.genlab.core.inject.CoreModule;
import dev.genlab.core.inject.TrackingModule;
import dev.genlab.core.run.Progress;
import dev.genlab.core.run.RunOptions;
import dev.genlab.core.run.Shard;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

/** Options every subcommand shares, and the Guice wiring they imply. */
final class CommonOptions {

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Folder of third-party plugin jars (repeatable). Default: $GENLAB_PLUGINS_DIR, "
                    + "else plugins/ next to the distribution.")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "Log at DEBUG level.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress output on stderr.")
    boolean quiet;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}). One is fastest for the 2-D "
                    + "toys, whose tensors are too small to split; try the core count for image models. With "
                    + "--parallel N: the total, divided among the workers (default: one each).")
    int threads;

    @Option(names = "--store", paramLabel = "DIR",
            description = "Local run store folder (overrides the spec's tracking.local_dir).")
    Path store;

    Injector injector() {
        return injector(false, null, null, null);
    }

    /**
     * @param resume continue unfinished trials, skip finished ones
     * @param shard the part of the plan to run, or null
     * @param sweepParent the new sweep's parent run a worker of {@code --parallel} joins, or null
     * @param progress where progress goes instead of the console (a worker's events), or null
     */
    Injector injector(boolean resume, Shard shard, String sweepParent, Progress progress) {
        if (verbose) {
            Configurator.setLevel("dev.genlab", Level.DEBUG);
        }
        if (threads < 1) {
            throw new UserError("--threads must be at least 1, got " + threads);
        }
        // Read by DJL when the engine starts, which happens later (first use), so setting it here works.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        RunOptions options = new RunOptions(quiet, resolvePluginDirs(), store, resume, shard, sweepParent);
        Module core = new CoreModule(options);
        if (progress != null) {
            core = Modules.override(core).with(binder -> binder.bind(Progress.class).toInstance(progress));
        }
        return Guice.createInjector(core, new TrackingModule());
    }

    private List<Path> resolvePluginDirs() {
        if (!pluginDirs.isEmpty()) {
            for (Path dir : pluginDirs) {
                if (!Files.isDirectory(dir)) {
                    throw new UserError("--plugins-dir " + dir + " is not a folder");
                }
            }
            return pluginDirs;
        }
        String env = System.getenv("GENLAB_PLUGINS_DIR");
        if (env != null && !env.isBlank()) {
            List<Path> dirs = new ArrayList<>();
            for (String part : env.split(File.pathSeparator)) {
                if (!part.isBlank()) {
                    Path dir = Path.of(part);
                    if (!Files.isDirectory(dir)) {
                        throw new UserError("GENLAB_PLUGINS_DIR entry " + dir + " is not a folder");
                    }
                    dirs.add(dir);
                }
            }
            return dirs;
        }
        String home = System.getProperty("genlab.home");
        if (home != null) {
            Path dir = Path.of(home, "plugins");
            if (Files.isDirectory(dir)) {
                return List.of(dir);
            }
        }
        return List.of();
    }
}
