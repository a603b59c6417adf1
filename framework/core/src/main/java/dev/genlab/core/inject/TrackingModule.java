package dev.genlab.core.inject;

import com.google.inject.AbstractModule;
import dev.genlab.core.run.RunOptions;
import dev.genlab.core.run.TrackerFactory;
import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.claims.ClaimSettings;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.mlflow.MlflowOptions;
import dev.genlab.tracking.mlflow.MlflowSettings;
import dev.genlab.tracking.mlflow.MlflowTracker;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Chooses where runs are recorded: an MLflow server when the spec's {@code tracking.uri} or the
 * environment's {@code MLFLOW_TRACKING_URI} names one (the spec wins), with the local run store as its
 * write-ahead journal; otherwise the local run store alone (the embedded default, no server needed).
 */
public final class TrackingModule extends AbstractModule {

    private final Function<String, String> env;

    /** Reads the process environment. */
    public TrackingModule() {
        this(System::getenv);
    }

    /** @param env environment lookup (tests pass a map) */
    public TrackingModule(Function<String, String> env) {
        this.env = env;
    }

    @Override
    protected void configure() {
        bind(TrackerFactory.class).toInstance(this::open);
    }

    private Tracker open(TrackingSpec spec, RunOptions options) {
        Path root = options.runStore() != null ? options.runStore() : Path.of(spec.localDir());
        boolean inSpec = spec.uri() != null && !spec.uri().isBlank();
        String fromEnv = env.apply(MlflowSettings.ENV_URI);
        ClaimSettings claims = ClaimSettings.fromEnvironment(env);
        if (!inSpec && (fromEnv == null || fromEnv.isBlank())) {
            return new LocalRunStore(root, claims);
        }
        // Bad URIs and refused credentials fail here, before any training (MlflowTrackingException); the
        // message names where the URI came from (the spec or MLFLOW_TRACKING_URI).
        MlflowSettings settings = MlflowSettings.resolve(inSpec ? spec.uri() : null, env);
        return MlflowTracker.open(settings, new LocalRunStore(root, claims), MlflowOptions.DEFAULTS, env);
    }
}
