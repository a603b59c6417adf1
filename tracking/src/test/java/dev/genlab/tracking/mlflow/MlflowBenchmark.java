package dev.genlab.tracking.mlflow;

import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Throughput of the MLflow tracker against a real local {@code mlflow server} (not a test; run it with
 * {@code scripts/mlflow-bench}). Prints:
 * <ul>
 *   <li>metric values per second delivered to the server (logged two per call, as a training loop does,
 *       timed until the server has them all), and how fast the caller could log them;</li>
 *   <li>the per-trial overhead the caller sees with MLflow against the local store alone (a trial of 300
 *       steps with two losses each, 6 params, 9 tags, 4 small artifacts), and the time until the server has
 *       the whole sweep.</li>
 * </ul>
 * Arguments: the Python with mlflow, then optionally the number of metric values (default 100000).
 */
public final class MlflowBenchmark {

    private MlflowBenchmark() {}

    /**
     * @param args Python with mlflow, [metric values]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        PythonMlflow python = PythonMlflow.probe(args[0]).orElseThrow(
                () -> new IllegalArgumentException(args[0] + " does not import mlflow"));
        int values = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path dir = Files.createTempDirectory("genlab-mlflow-bench");
        System.out.printf(Locale.ROOT, "mlflow %s server on loopback, sqlite in %s; %d cores%n", python.version(), dir,
                Runtime.getRuntime().availableProcessors());
        try (MlflowServer server = MlflowServer.start(python, dir.resolve("server"), 0, Duration.ofMinutes(4))) {
            MlflowSettings settings = MlflowSettings.resolve(server.uri(), k -> null);
            throughput(settings, dir.resolve("t"), values);
            overhead(settings, dir);
        }
    }

    private static void throughput(MlflowSettings settings, Path store, int values) {
        try (MlflowTracker t = MlflowTracker.open(settings, new LocalRunStore(store), MlflowOptions.DEFAULTS,
                k -> null)) {
            String run = t.startRun(t.experiment("bench-throughput"), "throughput", null, Map.of());
            t.flush();
            long t0 = System.nanoTime();
            long ts = System.currentTimeMillis();
            for (int step = 0; step < values / 2; step++) {
                t.logMetrics(run, List.of(new MetricPoint("train/loss_d", 1.0 / (step + 1), step, ts + step),
                        new MetricPoint("train/loss_g", 2.0 / (step + 1), step, ts + step)));
            }
            long logged = System.nanoTime();
            t.endRun(run, RunStatus.FINISHED);
            t.flush();
            long done = System.nanoTime();
            MlflowWriter.Stats s = t.stats();
            System.out.printf(Locale.ROOT, "throughput: %d metric values (2 per call): caller logged them at %.0f values/s "
                    + "(local journal first); the server had all of them after %.2f s = %.0f values/s "
                    + "(%d log-batch requests, %.0f values per request)%n", values,
                    values / ((logged - t0) / 1e9), (done - t0) / 1e9, values / ((done - t0) / 1e9), s.batches(),
                    s.batches() == 0 ? 0.0 : (double) s.metricPoints() / s.batches());
        }
    }

    private static void overhead(MlflowSettings settings, Path dir) throws Exception {
        int trials = 8;
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Path art = Files.write(work.resolve("samples.png"), new byte[20_000]);
        // Warm up both paths (JIT, connections) before measuring.
        try (LocalRunStore local = new LocalRunStore(dir.resolve("warm-local"))) {
            sweep(local, "warm", 2, art);
        }
        try (MlflowTracker t = MlflowTracker.open(settings, new LocalRunStore(dir.resolve("warm-mlflow")),
                MlflowOptions.DEFAULTS, k -> null)) {
            sweep(t, "warm", 2, art);
        }
        double localMs;
        try (LocalRunStore local = new LocalRunStore(dir.resolve("local"))) {
            localMs = sweep(local, "bench-local", trials, art);
        }
        double mlflowMs;
        long t0;
        MlflowTracker t = MlflowTracker.open(settings, new LocalRunStore(dir.resolve("mlflow")), MlflowOptions.DEFAULTS,
                k -> null);
        try {
            t0 = System.nanoTime();
            mlflowMs = sweep(t, "bench-mlflow", trials, art);
            t.flush();
        } finally {
            t.close();
        }
        double allMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "per-trial overhead (300 steps x 2 losses, 6 params, 9 tags, 4 artifacts of "
                + "20 kB, %d trials): local store %.1f ms/trial, MLflow tracker %.1f ms/trial as the caller sees it "
                + "(+%.1f ms); the server had the whole sweep %.0f ms after it started (%.0f ms/trial)%n", trials,
                localMs, mlflowMs, mlflowMs - localMs, allMs, allMs / trials);
    }

    /** Logs a sweep like a training loop would; returns the caller's mean time per trial in ms. */
    private static double sweep(Tracker t, String experiment, int trials, Path artifact) {
        String exp = t.experiment(experiment);
        String parent = t.startRun(exp, experiment + " sweep", null, Map.of("genlab.trials", "" + trials));
        long t0 = System.nanoTime();
        for (int i = 0; i < trials; i++) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (String k : List.of("paradigm", "plugin", "dataset", "seed", "trial_hash", "java", "os", "cpus", "threads")) {
                tags.put("genlab." + k, k + i);
            }
            String run = t.startRun(exp, "gan lr=2e-4 seed=" + i, parent, tags);
            t.logParams(run, Map.of("paradigm", "gan", "seed", "" + i, "gan.lr", "2e-4", "dataset.name", "ring8",
                    "train.steps", "300", "train.batch_size", "256"));
            long ts = System.currentTimeMillis();
            for (int s = 0; s < 300; s++) {
                t.logMetrics(run, List.of(new MetricPoint("train/loss_d", 0.69 + s * 1e-4, s, ts + s),
                        new MetricPoint("train/loss_g", 0.71 - s * 1e-4, s, ts + s)));
            }
            for (String dir : List.of("", "plots", "eval", "more")) {
                t.logArtifact(run, artifact, dir);
            }
            t.endRun(run, RunStatus.FINISHED);
        }
        double perTrial = (System.nanoTime() - t0) / 1e6 / trials;
        t.endRun(parent, RunStatus.FINISHED);
        return perTrial;
    }
}
