package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.genlab.tracking.RunStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * genlab's own HTTP client speaks HTTP/1.1 to MLflow and never offers an h2c upgrade on plain http (MLflow's
 * uvicorn answers every such offer with "Unsupported upgrade request" in its log). Checked against a loopback
 * server that records each request's protocol and upgrade headers.
 */
class MlflowHttpVersionTest {

    /** What one request looked like on the wire. */
    record Seen(String method, String path, String protocol, String upgrade, String connection, String http2Settings) {}

    @TempDir
    Path tmp;

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getProtocol(),
                ex.getRequestHeaders().getFirst("Upgrade"), ex.getRequestHeaders().getFirst("Connection"),
                ex.getRequestHeaders().getFirst("HTTP2-Settings")));
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void assertPlainHttp11(Seen s) {
        assertEquals("HTTP/1.1", s.protocol(), s.toString());
        assertEquals(null, s.upgrade(), "no Upgrade: h2c offer: " + s);
        assertEquals(null, s.http2Settings(), "no HTTP2-Settings header: " + s);
        assertFalse(s.connection() != null && s.connection().toLowerCase().contains("upgrade"),
                "no Connection: Upgrade: " + s);
    }

    @Test
    void artifactPutsUseHttp11WithoutAnH2cUpgrade() throws Exception {
        Path file = Files.writeString(tmp.resolve("summary.json"), "{\"a\": 1}");
        RemoteRun run = new RemoteRun("r1", "mlflow-artifacts:/1/r1/artifacts", RunStatus.RUNNING, 0, Map.of(),
                Map.of(), Set.of(), 0);
        try (MlflowRemote remote = new MlflowRemote(MlflowSettings.resolve(uri(), k -> null), Duration.ofSeconds(5),
                k -> null)) {
            // Several uploads: a client that upgrades does so on each new connection, not only the first.
            remote.uploadArtifact(run, "summary.json", file);
            remote.uploadArtifact(run, "report/summary.json", file);
            remote.ping();
        }
        List<Seen> puts = seen.stream().filter(s -> s.method().equals("PUT")).toList();
        assertEquals(2, puts.size(), seen.toString());
        assertTrue(puts.get(0).path().endsWith("/api/2.0/mlflow-artifacts/artifacts/1/r1/artifacts/summary.json"),
                puts.get(0).toString());
        assertTrue(seen.size() >= 3, "the ping (MLflow's Java client) was seen too: " + seen);
        seen.forEach(MlflowHttpVersionTest::assertPlainHttp11);
    }

    @Test
    void theServerHealthCheckClientUsesHttp11Too() throws Exception {
        HttpResponse<String> r = MlflowRemote.http11(Duration.ofSeconds(2)).build().send(
                HttpRequest.newBuilder(URI.create(uri() + "/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(1, seen.size());
        assertPlainHttp11(seen.get(0));
    }
}
