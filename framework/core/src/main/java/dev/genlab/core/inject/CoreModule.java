package dev.genlab.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.run.Cancellation;
import dev.genlab.core.run.ConsoleProgress;
import dev.genlab.core.run.Progress;
import dev.genlab.core.run.Provenance;
import dev.genlab.core.run.RunOptions;
import dev.genlab.core.spec.SpecLoader;

/**
 * Wires the framework: run options, the plugin registry (class path plus plugin folders), spec loading,
 * progress and provenance. Tracking is chosen by {@link TrackingModule}.
 */
public final class CoreModule extends AbstractModule {

    private final RunOptions options;

    /** @param options the command line's options */
    public CoreModule(RunOptions options) {
        this.options = options;
    }

    @Override
    protected void configure() {
        bind(RunOptions.class).toInstance(options);
        // One per process: the CLI's signal handler and the sweep must see the same request.
        bind(Cancellation.class).in(Singleton.class);
    }

    @Provides
    @Singleton
    PluginRegistry registry() {
        return new PluginLoader().load(options.pluginDirs());
    }

    @Provides
    @Singleton
    SpecLoader specLoader(PluginRegistry registry) {
        return new SpecLoader(registry, System::getenv);
    }

    @Provides
    @Singleton
    Progress progress() {
        return options.quiet() ? Progress.SILENT : new ConsoleProgress(System.err, System::nanoTime, 2000);
    }

    @Provides
    @Singleton
    Provenance provenance() {
        return new Provenance();
    }
}
