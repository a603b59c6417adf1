package dev.genlab.tracking.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A Python interpreter that has the {@code mlflow} package: what {@code genlab ui} needs to start a server
 * and what artifact stores other than the server's proxied one need for uploads.
 *
 * <p>Looked for in this order: the system property {@code genlab.mlflow.python}, the environment variable
 * {@code GENLAB_MLFLOW_PYTHON}, a {@code .venv} in the working directory, then {@code python3} and
 * {@code python} on the {@code PATH}.
 */
public final class PythonMlflow {

    /** Environment variable naming the Python to use. */
    public static final String ENV_PYTHON = "GENLAB_MLFLOW_PYTHON";
    /** System property naming the Python to use (wins over the environment variable). */
    public static final String PROPERTY_PYTHON = "genlab.mlflow.python";
    /** The MLflow version genlab is tested with (the pin in {@code scripts/mlflow-requirements.txt}). */
    public static final String TESTED_VERSION = "3.17.2";

    private static final Logger LOG = LogManager.getLogger(PythonMlflow.class);

    private final Path python;
    private final String version;

    private PythonMlflow(Path python, String version) {
        this.python = python;
        this.version = version;
    }

    /** @return the one command that installs the tested MLflow */
    public static String installHint() {
        return "python3 -m pip install 'mlflow==" + TESTED_VERSION + "'";
    }

    /**
     * Finds a Python with {@code mlflow}.
     *
     * @param env environment lookup, e.g. {@code System::getenv}
     * @return the first candidate that imports {@code mlflow}, or empty
     */
    public static Optional<PythonMlflow> find(Function<String, String> env) {
        Set<String> candidates = new LinkedHashSet<>();
        String prop = System.getProperty(PROPERTY_PYTHON);
        String named = prop != null && !prop.isBlank() ? prop : env.apply(ENV_PYTHON);
        if (named != null && !named.isBlank()) {
            // An explicit choice is the only candidate: silently using another Python would surprise.
            Optional<PythonMlflow> p = probe(named);
            if (p.isEmpty()) {
                LOG.warn("{} does not run a Python with mlflow", named);
            }
            return p;
        }
        Path venv = Path.of(".venv", "bin", "python");
        if (Files.isExecutable(venv)) {
            candidates.add(venv.toAbsolutePath().toString());
        }
        candidates.add("python3");
        candidates.add("python");
        for (String c : candidates) {
            Optional<PythonMlflow> p = probe(c);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /**
     * Checks one interpreter.
     *
     * @param python path or command name
     * @return it, with its mlflow version, if it imports mlflow
     */
    public static Optional<PythonMlflow> probe(String python) {
        Objects.requireNonNull(python, "python");
        try {
            Process p = new ProcessBuilder(python, "-c", "import mlflow; print(mlflow.__version__)")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                return Optional.empty();
            }
            String[] lines = out.split("\\R");
            return Optional.of(new PythonMlflow(Path.of(python), lines[lines.length - 1].strip()));
        } catch (IOException e) {
            return Optional.empty(); // no such interpreter
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return the interpreter */
    public Path python() {
        return python;
    }

    /** @return the installed mlflow version */
    public String version() {
        return version;
    }

    /**
     * A process running {@code python -m mlflow ARGS}.
     *
     * @param mlflowArgs the mlflow command line, e.g. {@code server --port 5000}
     * @return a process builder (not started)
     */
    public ProcessBuilder command(String... mlflowArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python.toString());
        cmd.add("-m");
        cmd.add("mlflow");
        cmd.addAll(List.of(mlflowArgs));
        return new ProcessBuilder(cmd);
    }

    @Override
    public String toString() {
        return python + " (mlflow " + version + ")";
    }
}
