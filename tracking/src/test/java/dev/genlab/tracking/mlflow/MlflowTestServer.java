package dev.genlab.tracking.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real {@code mlflow server} for the tests: the pinned MLflow is installed into a venv by the project's
 * own {@code scripts/mlflow-venv} (once; cached), then one server per test JVM is started on a free
 * loopback port with a sqlite backend and {@code --serve-artifacts}, and stopped (whole process tree) when
 * the JVM's tests end.
 *
 * <p>Under {@code CI=true} these tests are mandatory: a missing Python or a failed install fails them.
 * Elsewhere they are skipped with a loud message. {@code GENLAB_MLFLOW_PYTHON} may name a Python that
 * already has mlflow (the venv is then not built).
 */
public final class MlflowTestServer implements BeforeAllCallback, ParameterResolver {

    /** The module folder (surefire's working directory). */
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path REPO = MODULE.getParent();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MlflowTestServer.class);

    /** The shared server and the Python that reads it back. */
    public static final class Handle implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final PythonMlflow python;
        final MlflowServer server;

        Handle(PythonMlflow python, MlflowServer server) {
            this.python = python;
            this.server = server;
        }

        /** @return the server's URI */
        public String uri() {
            return server.uri();
        }

        /** @return the server process */
        public MlflowServer server() {
            return server;
        }

        /** @return the Python with mlflow */
        public PythonMlflow python() {
            return python;
        }

        /**
         * Reads an experiment back with MLflow's Python client ({@code readback.py}).
         *
         * @param uri the server (or a proxy in front of it)
         * @param experiment experiment name
         * @return the JSON it prints
         */
        public JsonNode readBack(String uri, String experiment) {
            try {
                Path script = Files.createTempFile("readback", ".py");
                try (InputStream in = MlflowTestServer.class.getResourceAsStream("readback.py")) {
                    Files.write(script, in.readAllBytes());
                }
                ProcessBuilder pb = new ProcessBuilder(python.python().toString(), script.toString(), uri, experiment);
                pb.environment().remove(MlflowSettings.ENV_USERNAME);
                pb.environment().remove(MlflowSettings.ENV_PASSWORD);
                pb.environment().remove(MlflowSettings.ENV_TOKEN);
                Path err = Files.createTempFile("readback", ".err");
                pb.redirectError(err.toFile());
                Process p = pb.start();
                p.getOutputStream().close();
                byte[] out;
                try (InputStream in = p.getInputStream()) {
                    out = in.readAllBytes();
                }
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("readback.py failed: " + Files.readString(err));
                }
                Files.deleteIfExists(script);
                Files.deleteIfExists(err);
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        handle(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == Handle.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return handle(e);
    }

    private static Handle handle(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        Object h = store.getOrComputeIfAbsent("server", k -> {
            try {
                return startServer();
            } catch (RuntimeException e) {
                return e;
            }
        });
        if (h instanceof RuntimeException e) {
            unavailable(e.getMessage());
        }
        return (Handle) h;
    }

    private static Handle startServer() {
        PythonMlflow python = python();
        Path data = MODULE.resolve("target").resolve("mlflow-test-server-" + ProcessHandle.current().pid());
        deleteTree(data);
        MlflowServer server = MlflowServer.start(python, data, 0, Duration.ofMinutes(4));
        System.err.println("[mlflow-test-server] " + python + " serving " + server.uri() + " from " + data);
        return new Handle(python, server);
    }

    /** The venv's Python (built by scripts/mlflow-venv) or GENLAB_MLFLOW_PYTHON. */
    static PythonMlflow python() {
        String named = System.getenv(PythonMlflow.ENV_PYTHON);
        if (named != null && !named.isBlank()) {
            return PythonMlflow.probe(named).orElseThrow(() -> new IllegalStateException(
                    PythonMlflow.ENV_PYTHON + "=" + named + " does not import mlflow"));
        }
        Path script = REPO.resolve("scripts").resolve("mlflow-venv");
        try {
            Path log = Files.createTempFile("mlflow-venv", ".log");
            Process p = new ProcessBuilder(script.toString()).redirectError(log.toFile()).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("scripts/mlflow-venv failed: " + Files.readString(log).strip());
            }
            String[] lines = out.split("\\R");
            String py = lines[lines.length - 1].strip();
            return PythonMlflow.probe(py).orElseThrow(
                    () -> new IllegalStateException(py + " (from scripts/mlflow-venv) does not import mlflow"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Fails under CI (these tests are mandatory there), skips loudly elsewhere. */
    static void unavailable(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("MLflow server tests are mandatory under CI=true, but no server: " + why);
        }
        String banner = "\n*** SKIPPING MLflow server tests: " + why + "\n*** (they run when python3 >= 3.10 with "
                + "pip can install scripts/mlflow-requirements.txt; mandatory under CI=true)\n";
        System.err.println(banner);
        Assumptions.abort(banner.strip());
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
