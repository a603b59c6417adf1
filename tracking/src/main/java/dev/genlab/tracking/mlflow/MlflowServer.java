package dev.genlab.tracking.mlflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A local {@code mlflow server} process on the loopback interface, with a sqlite backend and the proxied
 * artifact store ({@code --serve-artifacts}), for {@code genlab ui}, the tests and the benchmark.
 *
 * <p>{@code mlflow server} starts a process tree (the web server, and job runners unless disabled);
 * {@link #stop} and {@link #kill} end the whole tree, so nothing is left behind.
 */
public final class MlflowServer implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(MlflowServer.class);

    private final PythonMlflow python;
    private final Path dataDir;
    private final int port;
    private final Path log;
    private Process process;

    private MlflowServer(PythonMlflow python, Path dataDir, int port) {
        this.python = python;
        this.dataDir = dataDir;
        this.port = port;
        this.log = dataDir.resolve("server.log");
    }

    /**
     * Starts a server and waits until it answers.
     *
     * @param python a Python with mlflow
     * @param dataDir folder for {@code mlflow.db}, {@code artifacts/} and {@code server.log}
     * @param port the port, or 0 for a free one
     * @param startTimeout how long to wait for the server to answer
     * @return the running server
     * @throws IllegalStateException if it exits or does not answer in time (the message has its log's tail)
     */
    public static MlflowServer start(PythonMlflow python, Path dataDir, int port, Duration startTimeout) {
        Objects.requireNonNull(python, "python");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir, e);
        }
        MlflowServer s = new MlflowServer(python, dataDir.toAbsolutePath().normalize(), port == 0 ? freePort() : port);
        s.launch(startTimeout);
        return s;
    }

    /** @return a port that is free on the loopback interface right now */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** @return {@code http://127.0.0.1:<port>} */
    public String uri() {
        return "http://127.0.0.1:" + port;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the data folder */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the server's log file */
    public Path logFile() {
        return log;
    }

    /** @return true while the server process runs */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts the server again on the same port and data (after {@link #stop} or {@link #kill}).
     *
     * @param startTimeout how long to wait for it to answer
     */
    public synchronized void restart(Duration startTimeout) {
        if (isRunning()) {
            throw new IllegalStateException("the server is running");
        }
        launch(startTimeout);
    }

    private synchronized void launch(Duration startTimeout) {
        List<String> args = new ArrayList<>(List.of("server",
                "--backend-store-uri", "sqlite:///" + dataDir.resolve("mlflow.db"),
                "--serve-artifacts", "--artifacts-destination", dataDir.resolve("artifacts").toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "1"));
        ProcessBuilder pb = python.command(args.toArray(String[]::new))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // GenAI job runners (seven extra Python processes in MLflow 3) are of no use to genlab.
        pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        // The server must never pick up a client-side tracking URI or credentials of the caller.
        pb.environment().remove(MlflowSettings.ENV_URI);
        try {
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + python.python() + " -m mlflow server", e);
        }
        LOG.debug("started mlflow server (pid {}) on port {}", process.pid(), port);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        HttpClient http = MlflowRemote.http11(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(uri() + "/health")).timeout(Duration.ofSeconds(5))
                .GET().build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mlflow server exited with code " + process.exitValue()
                        + " before answering; its log ends with:\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("interrupted while waiting for mlflow server", e);
            }
            if (System.nanoTime() - deadline >= 0) {
                kill();
                throw new IllegalStateException("mlflow server did not answer on " + uri() + " within "
                        + startTimeout.toSeconds() + " s; its log ends with:\n" + tail());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("interrupted while waiting for mlflow server", e);
            }
        }
    }

    /** Stops the server gracefully (SIGTERM to its process tree, SIGKILL after 10 s). */
    public synchronized void stop() {
        end(false);
    }

    /** Kills the server at once (SIGKILL to its process tree), as a crash would. */
    public synchronized void kill() {
        end(true);
    }

    private void end(boolean forcibly) {
        if (process == null) {
            return;
        }
        // Collect the tree first: once the parent is gone its children are re-parented and unreachable.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        for (ProcessHandle h : tree) {
            if (forcibly) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : tree) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                h.onExit().get(left, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        process = null;
    }

    /** @return the last 40 lines of the server's log */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server. */
    @Override
    public void close() {
        stop();
    }
}
