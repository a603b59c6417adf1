package dev.genlab.core.inject;

import com.google.inject.AbstractModule;
import dev.genlab.core.run.RunOptions;
import dev.genlab.core.run.TrackerFactory;
import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Path;

/**
 * Chooses where runs are recorded. Today: the local run store (the embedded default, no server needed);
 * a spec naming a tracking URI is rejected until the MLflow tracker lands.
 */
public final class TrackingModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(TrackerFactory.class).toInstance(TrackingModule::open);
    }

    private static Tracker open(TrackingSpec spec, RunOptions options) {
        if (spec.uri() != null) {
            throw new IllegalStateException("tracking.uri '" + spec.uri()
                    + "' needs the MLflow tracker, which this build does not have yet; remove tracking.uri "
                    + "to record runs in the local store");
        }
        Path root = options.runStore() != null ? options.runStore() : Path.of(spec.localDir());
        return new LocalRunStore(root);
    }
}
