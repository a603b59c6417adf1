package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.tracking.local.LocalRunStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tracking URIs, credentials from the environment, and the errors a user sees before any training. */
class MlflowSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void credentialsComeFromMlflowsEnvironmentVariablesAndAreNeverPrinted() {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "https://mlflow.example.org/prefix/",
                "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "hunter2",
                "MLFLOW_TRACKING_INSECURE_TLS", "true");
        MlflowSettings s = MlflowSettings.resolve(null, env::get);
        assertEquals("https://mlflow.example.org/prefix", s.uri());
        assertTrue(s.insecureTls());
        assertEquals("Basic YWxpY2U6aHVudGVyMg==", s.authorization().orElseThrow());
        assertFalse(s.toString().contains("hunter2"), s.toString());
        assertTrue(s.toString().contains("alice"));

        MlflowSettings token = MlflowSettings.resolve("http://127.0.0.1:5000",
                Map.of("MLFLOW_TRACKING_TOKEN", "tok-123")::get);
        assertEquals("Bearer tok-123", token.authorization().orElseThrow());
        assertFalse(token.toString().contains("tok-123"));
        assertTrue(MlflowSettings.resolve("http://h:1", k -> null).authorization().isEmpty());
    }

    @Test
    void aSpecUriWinsOverTheEnvironment() {
        MlflowSettings s = MlflowSettings.resolve("http://spec:1", Map.of("MLFLOW_TRACKING_URI", "http://env:2")::get);
        assertEquals("http://spec:1", s.uri());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "file:///tmp/mlruns|is not an MLflow server",
        "sqlite:///mlflow.db|is not an MLflow server",
        "./mlruns|is not an MLflow server",
        "localhost:5000|unsupported scheme 'localhost'",
        "htp://host:5000|unsupported scheme 'htp'",
        "databricks|is not an MLflow server",
        "databricks://profile|Databricks workspaces are not supported",
        "http://|not a valid URI",
        "http://host:5000/?x=1|must not have a query",
        "http://exa mple.org|not a valid URI"
    })
    void badUrisAreRejectedWithAMessageThatSaysWhatToDo(String uri, String expected) {
        MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                () -> MlflowSettings.resolve(uri, k -> null));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aUriWithAPasswordIsRejectedWithoutEchoingIt() {
        MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                () -> MlflowSettings.resolve("http://bob:pa55word@host:5000", k -> null));
        assertFalse(e.getMessage().contains("pa55word"), e.getMessage());
        assertTrue(e.getMessage().contains("MLFLOW_TRACKING_USERNAME"), e.getMessage());
    }

    @Test
    void usernameWithoutPasswordIsAnError() {
        MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                () -> MlflowSettings.resolve("http://h:1", Map.of("MLFLOW_TRACKING_USERNAME", "alice")::get));
        assertTrue(e.getMessage().contains("must be set together"), e.getMessage());
    }

    @Test
    void noUriAnywhereSaysHowToGiveOne() {
        MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                () -> MlflowSettings.resolve(null, k -> null));
        assertTrue(e.getMessage().contains("MLFLOW_TRACKING_URI"), e.getMessage());
    }

    @Test
    void anUnknownHostFailsBeforeAnyRunIsRecorded() {
        Path store = tmp.resolve("runs");
        MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                () -> MlflowTracker.open(MlflowSettings.resolve("http://no-such-host.invalid:5000", k -> null),
                        new LocalRunStore(store), SweepFixture.FAST, k -> null));
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
        assertFalse(Files.exists(store), "nothing was recorded");
    }

    @Test
    void aUriThatIsNotAnMlflowServerFailsBeforeAnyRunIsRecorded() throws Exception {
        Path store = tmp.resolve("runs");
        // A web server that answers 404 to everything, like a wrong path prefix behind a proxy would.
        com.sun.net.httpserver.HttpServer web = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        web.createContext("/", ex -> {
            byte[] b = "<html>not here</html>".getBytes();
            ex.sendResponseHeaders(404, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        web.start();
        try {
            String uri = "http://127.0.0.1:" + web.getAddress().getPort() + "/wrong-prefix";
            MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                    () -> MlflowTracker.open(MlflowSettings.resolve(uri, k -> null), new LocalRunStore(store),
                            SweepFixture.FAST, k -> null));
            assertTrue(e.getMessage().contains("does not serve MLflow's REST API"), e.getMessage());
            assertFalse(Files.exists(store), "nothing was recorded");
        } finally {
            web.stop(0);
        }
    }

    @Test
    void artifactUrlsFollowMlflowsProxyRules() {
        assertEquals(URI.create("http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/plots/losses.png"),
                MlflowRemote.artifactUrl("http://h:5000", URI.create("mlflow-artifacts:/1/abc/artifacts"),
                        "plots/losses.png"));
        assertEquals(URI.create("https://gw/ml/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/a%20b.png"),
                MlflowRemote.artifactUrl("https://gw/ml", URI.create("mlflow-artifacts:/1/abc/artifacts"), "a b.png"));
        assertEquals(URI.create("http://other:6000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x"),
                MlflowRemote.artifactUrl("http://h:5000", URI.create("mlflow-artifacts://other:6000/1/abc/artifacts"),
                        "x"));
    }

    @Test
    void failuresAreClassifiedForRetrying() {
        assertEquals(RemoteFailure.Kind.AUTH, MlflowRemote.classifyStatus("x", 401, "").kind());
        assertEquals(RemoteFailure.Kind.AUTH, MlflowRemote.classifyStatus("x", 403, "").kind());
        RemoteFailure rate = MlflowRemote.classifyStatus("x", 429, "");
        assertTrue(rate.retryable() && !rate.ambiguous());
        RemoteFailure err = MlflowRemote.classifyStatus("x", 502, "");
        assertTrue(err.retryable() && err.ambiguous());
        assertEquals(RemoteFailure.Kind.NOT_FOUND, MlflowRemote.classifyStatus("x", 404, "").kind());
        assertEquals(RemoteFailure.Kind.REJECTED,
                MlflowRemote.classifyStatus("x", 400, "INVALID_PARAMETER_VALUE: too long").kind());
        assertEquals("RESOURCE_DOES_NOT_EXIST: no run",
                MlflowRemote.serverMessage("{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"no run\"}"));
    }
}
