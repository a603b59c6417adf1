package dev.genlab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.cli.Main;
import dev.genlab.core.data.Ring8Provider;
import dev.genlab.core.metrics.FeatureSet;
import dev.genlab.core.metrics.MetricsProbe;
import dev.genlab.plugin.diffusion.DiffusionProvider;
import dev.genlab.plugin.gan.GanProvider;
import dev.genlab.plugin.vae.VaeProvider;
import ai.djl.Device;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The Java side of {@code scripts/bench}: a long-lived process that runs one timed repetition per command
 * read from standard input and answers with one JSON line on standard output, so the driver can alternate
 * genlab and the reference repetition by repetition in the same run (the machine's load then hits both
 * alike). Models are built once per case and warmed up on first use; every timing excludes set-up.
 *
 * <p>Commands (one per line, space separated):
 * <ul>
 *   <li>{@code train mlp|dcgan BATCH STEPS}: seconds per training step of the diffusion MLP denoiser on
 *       2-D points or the DCGAN-style GAN (one D and one G update) on 1×28×28 images;</li>
 *   <li>{@code matmul N REPS}: seconds per N×N float matrix product (the peak probe);</li>
 *   <li>{@code prdc|fd FILE_PREFIX N D}: the metric on {@code PREFIX.real.f32} and {@code PREFIX.fake.f32}
 *       (little-endian float32, row-major N×D), with its value;</li>
 *   <li>{@code sample ddpm|ddim|gan|vae N}: seconds to draw N 2-D samples;</li>
 *   <li>{@code trial STEPS DIR} and {@code bare STEPS}: wall seconds of one diffusion trial through
 *       {@code genlab run} (local store in DIR) and of the same work as a bare loop over the plugin.</li>
 * </ul>
 */
public final class BenchServer {

    private static final int WARMUP_STEPS = 10;
    private static final long SEED = 7;

    private final Map<String, Case> cases = new HashMap<>();
    private final NDManager root = NDManager.newBaseManager();

    /** A paradigm and a fixed batch it trains or samples with. */
    private record Case(Paradigm paradigm, NDManager manager, Batch batch) {}

    /**
     * @param args none; commands come on standard input
     */
    public static void main(String[] args) throws IOException {
        // The protocol owns stdout: anything a library prints goes to stderr instead.
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BenchServer server = new BenchServer();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        protocol.println("{\"ready\": true, \"engine\": \"" + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + "\", \"threads\": \""
                + System.getProperty("ai.djl.pytorch.num_threads", "default") + "\"}");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            if (line.equals("quit")) {
                break;
            }
            String reply;
            try {
                reply = server.handle(line.trim().split("\\s+"));
            } catch (Exception e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                System.err.println(trace);
                reply = "{\"error\": " + quote(e.toString()) + "}";
            }
            protocol.println(reply);
        }
    }

    private String handle(String[] c) throws IOException {
        switch (c[0]) {
            case "train":
                return train(c[1], Integer.parseInt(c[2]), Integer.parseInt(c[3]));
            case "matmul":
                return matmul(Integer.parseInt(c[1]), Integer.parseInt(c[2]));
            case "prdc":
            case "fd":
                return metric(c[0], c[1], Integer.parseInt(c[2]), Integer.parseInt(c[3]));
            case "sample":
                return sample(c[1], Integer.parseInt(c[2]));
            case "trial":
                return trial(Integer.parseInt(c[1]), Path.of(c[2]));
            case "bare":
                return bare(Integer.parseInt(c[1]));
            default:
                throw new IllegalArgumentException("unknown command " + c[0]);
        }
    }

    // ------------------------------------------------------------------ training steps

    private String train(String model, int batch, int steps) {
        Case k = cases.computeIfAbsent("train:" + model + ":" + batch, key -> {
            Case made = model.equals("mlp") ? diffusionCase(batch, Map.of()) : dcganCase(batch);
            for (int i = 0; i < WARMUP_STEPS; i++) {
                made.paradigm().trainStep(made.batch());
            }
            return made;
        });
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        for (int i = 0; i < steps; i++) {
            k.paradigm().trainStep(k.batch());
        }
        double seconds = (System.nanoTime() - t0) / 1e9 / steps;
        double cpu = (cpuNanos() - c0) / 1e9 / steps;
        return "{\"seconds\": " + seconds + ", \"cpu\": " + cpu + ", \"params\": " + counts(k.paradigm()) + "}";
    }

    private Case diffusionCase(int batch, Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>(overrides);
        p.put("conditional", false);
        return create(new DiffusionProvider(), DataShape.points(2), p, ring(batch));
    }

    private Case dcganCase(int batch) {
        float[] images = new float[batch * 28 * 28];
        Random random = new Random(SEED);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat() * 2 - 1;
        }
        return create(new GanProvider(), DataShape.image(1, 28, 28, 0), Map.of("architecture", "conv"),
                new Data(images, new Shape(batch, 1, 28, 28)));
    }

    private record Data(float[] values, Shape shape) {}

    /** n points of 8 Gaussians (std 0.01) on the unit circle, like ring8. */
    private static Data ring(int n) {
        Random random = new Random(SEED);
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = 2 * Math.PI * random.nextInt(8) / 8;
            xy[2 * i] = (float) (Math.cos(angle) + 0.01 * random.nextGaussian());
            xy[2 * i + 1] = (float) (Math.sin(angle) + 0.01 * random.nextGaussian());
        }
        return new Data(xy, new Shape(n, 2));
    }

    private Case create(ParadigmProvider provider, DataShape shape, Map<String, Object> overrides, Data data) {
        NDManager manager = root.newSubManager();
        Engine.getInstance().setRandomSeed((int) SEED);
        Paradigm paradigm = provider.create(new ParadigmSetup(params(provider, overrides), shape, manager,
                Device.cpu(), SEED, new Random(SEED)));
        NDArray x = manager.create(data.values(), data.shape());
        return new Case(paradigm, manager, new Batch(x, null));
    }

    /** The provider's defaults with the given overrides, typed the way the framework hands them over. */
    static Params params(ParadigmProvider provider, Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : provider.parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        overrides.forEach((k, v) -> {
            if (!values.containsKey(k)) {
                throw new IllegalArgumentException(provider.name() + " has no parameter " + k);
            }
            values.put(k, v instanceof Integer i ? Long.valueOf(i) : v);
        });
        return new Params(values);
    }

    private static String counts(Paradigm paradigm) {
        StringBuilder b = new StringBuilder("{");
        paradigm.parameterCounts().forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(quote(k))
                .append(": ").append(v));
        return b.append('}').toString();
    }

    // ------------------------------------------------------------------ peak probe and metrics

    private String matmul(int n, int reps) {
        try (NDManager m = root.newSubManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            a.matMul(b).close(); // warm-up
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            for (int i = 0; i < reps; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // force completion
                }
            }
            return "{\"seconds\": " + (System.nanoTime() - t0) / 1e9 / reps + ", \"cpu\": "
                    + (cpuNanos() - c0) / 1e9 / reps + "}";
        }
    }

    private String metric(String kind, String prefix, int n, int d) throws IOException {
        FeatureSet real = FeatureSet.ofFloats(n, d, floats(Path.of(prefix + ".real.f32"), n * d));
        FeatureSet fake = FeatureSet.ofFloats(n, d, floats(Path.of(prefix + ".fake.f32"), n * d));
        long t0 = System.nanoTime();
        String values;
        if (kind.equals("prdc")) {
            try (NDManager m = root.newSubManager()) {
                double[] r = MetricsProbe.prdc(m, real, fake, 5);
                values = "[" + r[0] + ", " + r[1] + ", " + r[2] + ", " + r[3] + "]";
            }
        } else {
            values = "[" + MetricsProbe.frechet(real, fake) + "]";
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return "{\"seconds\": " + seconds + ", \"values\": " + values + "}";
    }

    private static float[] floats(Path file, int count) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        bytes.asFloatBuffer().get(out);
        return out;
    }

    // ------------------------------------------------------------------ sampling

    private String sample(String kind, int n) {
        Case k = cases.computeIfAbsent("sample:" + kind, key -> {
            Case made = switch (kind) {
                case "ddpm" -> diffusionCase(256, Map.of("sampler", "ddpm", "sample_batch", n));
                case "ddim" -> diffusionCase(256, Map.of("sampler", "ddim", "sample_steps", 50, "sample_batch", n));
                case "gan" -> create(new GanProvider(), DataShape.points(2), Map.of(), ring(256));
                case "vae" -> create(new VaeProvider(), DataShape.points(2), Map.of(), ring(256));
                default -> throw new IllegalArgumentException("unknown sampler " + kind);
            };
            for (int i = 0; i < WARMUP_STEPS; i++) {
                made.paradigm().trainStep(made.batch());
            }
            made.paradigm().sample(SampleRequest.of(Math.min(n, 100))).data().close(); // warm-up
            return made;
        });
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        Samples s = k.paradigm().sample(SampleRequest.of(n));
        s.data().getFloat(0, 0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - c0) / 1e9;
        s.data().close();
        return "{\"seconds\": " + seconds + ", \"cpu\": " + cpu + ", \"evaluations_per_sample\": "
                + s.evaluationsPerSample() + "}";
    }

    // ------------------------------------------------------------------ framework overhead

    /** Samples the overhead trial evaluates (and the bare loop draws). */
    private static final int TRIAL_SAMPLES = 500;
    private static final int TRIAL_BATCH = 256;
    private static final int TRIAL_POINTS = 20_000;

    private String trial(int steps, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path spec = dir.resolve("overhead.yaml");
        Files.writeString(spec, String.join("\n",
                "name: bench-overhead",
                "seed: 0",
                "dataset:",
                "  name: ring8",
                "  params: {n: " + TRIAL_POINTS + "}",
                "train:",
                "  steps: " + steps,
                "  batch_size: " + TRIAL_BATCH,
                "  log_every: 10",
                "evaluate:",
                "  samples: " + TRIAL_SAMPLES,
                "  metrics: [speed]",
                "paradigms:",
                "  - name: ddim",
                "    plugin: diffusion",
                "    params: {conditional: false}",
                ""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "run", spec.toString(), "--quiet",
                "--threads", System.getProperty("ai.djl.pytorch.num_threads", "1"), "--store",
                dir.resolve("store").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - c0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("genlab run exited " + code + ": " + err);
        }
        return "{\"seconds\": " + seconds + ", \"cpu\": " + cpu + "}";
    }

    /**
     * The same trial without the framework: ring8 data from the same provider, the same seeded batching,
     * the plugin's train step in a per-step scope, the losses read, and the same number of samples.
     */
    private String bare(int steps) {
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        try (NDManager trial = root.newSubManager()) {
            Ring8Provider ring8 = new Ring8Provider();
            Map<String, Object> dataParams = new LinkedHashMap<>();
            for (ParamSpec p : ring8.parameters().params()) {
                dataParams.put(p.name(), p.defaultValue());
            }
            dataParams.put("n", (long) TRIAL_POINTS);
            DatasetProvider provider = ring8;
            Dataset data = provider.load(new DatasetSetup(new Params(dataParams), trial, 0));
            float[] host = data.data().toFloatArray();
            int n = data.size();
            Engine.getInstance().setRandomSeed(0);
            DiffusionProvider diffusion = new DiffusionProvider();
            double lossSum = 0;
            try (Paradigm paradigm = diffusion.create(new ParadigmSetup(params(diffusion, Map.of("conditional", false)),
                    DataShape.points(2), trial, Device.cpu(), 0, new Random(0)))) {
                Random order = new Random(17);
                int[] permutation = new int[n];
                for (int i = 0; i < n; i++) {
                    permutation[i] = i;
                }
                int cursor = n;
                float[] rows = new float[TRIAL_BATCH * 2];
                for (int step = 1; step <= steps; step++) {
                    if (cursor + TRIAL_BATCH > n) {
                        for (int i = n - 1; i > 0; i--) {
                            int j = order.nextInt(i + 1);
                            int t = permutation[i];
                            permutation[i] = permutation[j];
                            permutation[j] = t;
                        }
                        cursor = 0;
                    }
                    for (int r = 0; r < TRIAL_BATCH; r++) {
                        int src = permutation[cursor + r];
                        rows[2 * r] = host[2 * src];
                        rows[2 * r + 1] = host[2 * src + 1];
                    }
                    cursor += TRIAL_BATCH;
                    try (NDManager scope = trial.newSubManager()) {
                        NDArray x = scope.create(rows, new Shape(TRIAL_BATCH, 2));
                        lossSum += paradigm.trainStep(new Batch(x, null)).values().get("loss");
                    }
                }
                try (NDArray s = paradigm.sample(SampleRequest.of(TRIAL_SAMPLES)).data()) {
                    s.getFloat(0, 0);
                }
            }
            if (!Double.isFinite(lossSum)) {
                throw new IllegalStateException("bare loop diverged");
            }
        }
        return "{\"seconds\": " + (System.nanoTime() - t0) / 1e9 + ", \"cpu\": " + (cpuNanos() - c0) / 1e9 + "}";
    }

    /**
     * CPU time of the whole process (every thread: the engine's workers, JIT and GC too). On a machine shared
     * with other work it measures the work done, where wall time also measures the waiting.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
