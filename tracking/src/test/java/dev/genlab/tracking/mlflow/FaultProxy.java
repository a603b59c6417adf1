package dev.genlab.tracking.mlflow;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of the test MLflow server that injects faults: HTTP errors before or
 * after forwarding a request, slow answers (for client timeouts), and an authentication check. It counts
 * what it saw, so tests can say how many faults were injected and how many requests got through.
 */
final class FaultProxy implements AutoCloseable {

    /** What to do to the next {@code times} requests whose path contains {@code pathPart}. */
    record Fault(String pathPart, int status, boolean afterForward, long delayMs, AtomicInteger times) {}

    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding",
            "keep-alive", "upgrade", "expect");

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String target;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> forwarded = new ConcurrentHashMap<>();
    private final AtomicInteger injected = new AtomicInteger();
    private volatile String requiredAuthorization;
    private volatile boolean down;

    FaultProxy(String target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code status} to the next {@code times} matching requests without forwarding them. */
    FaultProxy failBefore(String pathPart, int status, int times) {
        faults.add(new Fault(pathPart, status, false, 0, new AtomicInteger(times)));
        return this;
    }

    /** Forwards the next {@code times} matching requests, then answers {@code status} instead of the reply. */
    FaultProxy failAfter(String pathPart, int status, int times) {
        faults.add(new Fault(pathPart, status, true, 0, new AtomicInteger(times)));
        return this;
    }

    /** Forwards the next {@code times} matching requests and holds the reply for {@code delayMs}. */
    FaultProxy delayAfter(String pathPart, long delayMs, int times) {
        faults.add(new Fault(pathPart, 0, true, delayMs, new AtomicInteger(times)));
        return this;
    }

    /** Answers 401 to requests without exactly this Authorization header (null: no check). */
    FaultProxy requireAuthorization(String header) {
        requiredAuthorization = header;
        return this;
    }

    /** While down, every request gets 503 (what a load balancer answers when its backend is gone). */
    FaultProxy down(boolean isDown) {
        down = isDown;
        return this;
    }

    /** @return faults injected so far */
    int injected() {
        return injected.get();
    }

    /** @return requests forwarded so far whose path contains {@code pathPart} */
    int forwarded(String pathPart) {
        return forwarded.entrySet().stream().filter(e -> e.getKey().contains(pathPart))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** @return true when every scheduled fault has fired */
    boolean exhausted() {
        return faults.stream().allMatch(f -> f.times().get() <= 0);
    }

    private Fault take(String path) {
        for (Fault f : faults) {
            if (path.contains(f.pathPart()) && f.times().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return f;
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (down) {
                reply(ex, 503, "{\"message\":\"backend down\"}");
                return;
            }
            String auth = requiredAuthorization;
            if (auth != null && !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"You are not authenticated.\"}");
                return;
            }
            Fault fault = take(path);
            if (fault != null && !fault.afterForward()) {
                injected.incrementAndGet();
                reply(ex, fault.status(), "{\"error_code\":\"INJECTED\",\"message\":\"injected " + fault.status() + "\"}");
                return;
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                    .timeout(Duration.ofSeconds(30))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase())) {
                    vs.forEach(v -> req.header(k, v));
                }
            });
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                reply(ex, 502, "{\"message\":\"bad gateway: " + e + "\"}");
                return;
            }
            forwarded.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            if (fault != null) {
                injected.incrementAndGet();
                if (fault.delayMs() > 0) {
                    Thread.sleep(fault.delayMs());
                } else {
                    reply(ex, fault.status(), "{\"error_code\":\"INJECTED\",\"message\":\"injected after forwarding\"}");
                    return;
                }
            }
            resp.headers().map().forEach((k, vs) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase()) && !k.equals(":status")) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                }
            });
            ex.sendResponseHeaders(resp.statusCode(), resp.body().length == 0 ? -1 : resp.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(resp.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout): nothing to answer
        }
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
