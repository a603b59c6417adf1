package dev.genlab.core.metrics;

import ai.djl.ndarray.NDManager;
import dev.genlab.core.data.MnistArchive;
import java.nio.file.Path;
import java.util.Random;

/**
 * Manual benchmark (not a test): times the heavy metric paths at full size. Run from framework/core with
 * the test class path, e.g.
 * {@code java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.genlab.core.metrics.MetricsBenchmark}.
 */
public final class MetricsBenchmark {

    private MetricsBenchmark() {}

    /**
     * @param args optional: number of points (default 10000) and feature dimension (default 64)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        long t0 = System.nanoTime();
        MnistArchive archive = MnistArchive.bundled();
        System.out.printf("MNIST read + SHA-256 + decode: %.0f ms (%d images)%n", ms(t0), archive.size());
        FeatureSet real = PrdcKidTest.gaussian(new Random(1), n, d, 0);
        FeatureSet fake = PrdcKidTest.gaussian(new Random(2), n, d, 0.1);
        try (NDManager manager = NDManager.newBaseManager()) {
            Prdc.compute(manager, real.select(range(500)), fake.select(range(500)), 3, 5); // warm-up
            ms(System.nanoTime());
            t0 = System.nanoTime();
            Prdc.Result r = Prdc.compute(manager, real, fake, 3, 5);
            System.out.printf("PRDC %d x %d x %d: %.0f ms  %s%n", n, n, d, ms(t0), r);
            t0 = System.nanoTime();
            double fd = Frechet.distance(real, fake);
            System.out.printf("FD %d x %d (x2): %.0f ms  fd=%.6f%n", n, d, ms(t0), fd);
            t0 = System.nanoTime();
            Kid.Result kid = Kid.compute(manager, real, fake);
            System.out.printf("KID %d subsets of %d, d=%d: %.0f ms  %s%n", Kid.SUBSETS,
                    Math.min(Kid.SUBSET_SIZE, n), d, ms(t0), kid);
        }
        if (args.length > 2) {
            DigitClassifierStore store = new DigitClassifierStore(Path.of(args[2]), () -> archive);
            t0 = System.nanoTime();
            DigitClassifier c = store.get();
            System.out.printf("classifier get (train or load): %.1f s%n", ms(t0) / 1000);
            t0 = System.nanoTime();
            System.out.printf("held-out accuracy %.4f (%.0f ms)%n", store.heldOutAccuracy(), ms(t0));
            float[] images = archive.unitImages(archive.indices(MnistArchive.Split.ALL));
            t0 = System.nanoTime();
            c.features(images);
            System.out.printf("LeNet features of 10,000 images: %.0f ms%n", ms(t0));
        }
    }

    private static long cpu0;

    /** Wall milliseconds since t0; also prints the process CPU time used since the previous call. */
    private static double ms(long t0) {
        double wall = (System.nanoTime() - t0) / 1e6;
        long cpu = ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        System.out.printf("  [process CPU %.0f ms, load average %.1f]%n", (cpu - cpu0) / 1e6,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        cpu0 = cpu;
        return wall;
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
