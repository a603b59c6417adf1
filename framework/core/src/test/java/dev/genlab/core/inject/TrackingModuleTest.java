package dev.genlab.core.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.genlab.core.run.RunOptions;
import dev.genlab.core.run.TrackerFactory;
import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.mlflow.MlflowTracker;
import dev.genlab.tracking.mlflow.MlflowTrackingException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tracker a spec and the environment select. */
class TrackingModuleTest {

    @TempDir
    Path tmp;

    private TrackerFactory factory(Map<String, String> env) {
        return Guice.createInjector(new TrackingModule(env::get)).getInstance(TrackerFactory.class);
    }

    private RunOptions options() {
        return new RunOptions(true, List.of(), tmp.resolve("store"));
    }

    @Test
    void withoutAUriRunsGoToTheLocalStore() {
        try (Tracker t = factory(Map.of()).open(TrackingSpec.DEFAULTS, options())) {
            LocalRunStore local = assertInstanceOf(LocalRunStore.class, t);
            assertEquals(tmp.resolve("store").toAbsolutePath().normalize(), local.root());
        }
    }

    @Test
    void mlflowTrackingUriInTheEnvironmentSelectsMlflow() throws IOException {
        String uri = "http://127.0.0.1:" + closedPort();
        // Nothing listens there: the tracker starts in outage mode (training would go on locally).
        try (Tracker t = factory(Map.of("MLFLOW_TRACKING_URI", uri)).open(TrackingSpec.DEFAULTS, options())) {
            MlflowTracker m = assertInstanceOf(MlflowTracker.class, t);
            assertEquals(uri, m.settings().uri());
            assertEquals(tmp.resolve("store").toAbsolutePath().normalize(), m.localStore().root());
        }
    }

    @Test
    void theSpecUriWinsOverTheEnvironment() throws IOException {
        String spec = "http://127.0.0.1:" + closedPort();
        TrackingSpec tracking = new TrackingSpec(spec, null, "genlab-runs");
        try (Tracker t = factory(Map.of("MLFLOW_TRACKING_URI", "file:///ignored")).open(tracking, options())) {
            assertEquals(spec, assertInstanceOf(MlflowTracker.class, t).settings().uri());
        }
    }

    @Test
    void aBadUriFailsBeforeAnythingIsRecorded() {
        TrackerFactory f = factory(Map.of("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"));
        MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                () -> f.open(TrackingSpec.DEFAULTS, options()));
        assertTrue(e.getMessage().contains("MLFLOW_TRACKING_URI") && e.getMessage().contains("not an MLflow server"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("store")));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
