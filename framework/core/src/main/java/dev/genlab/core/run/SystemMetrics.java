package dev.genlab.core.run;

import dev.genlab.tracking.MetricPoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine's and this process's load, sampled at a trial's log steps when the spec asks for it
 * ({@code tracking: {system_metrics: true}}), under {@value #PREFIX}: CPU use of the machine (MLflow's own
 * key) and of the genlab process, as a percentage of all cores; the process's resident memory (Linux) and
 * the JVM heap in use, in megabytes. Trials that run at once share the process, so its numbers are theirs
 * together.
 */
final class SystemMetrics {

    static final String PREFIX = "system/";
    static final String MACHINE_CPU = PREFIX + "cpu_utilization_percentage";
    static final String PROCESS_CPU = PREFIX + "process_cpu_percentage";
    static final String RSS = PREFIX + "process_rss_megabytes";
    static final String HEAP = PREFIX + "jvm_heap_megabytes";

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final double MB = 1024.0 * 1024.0;

    private SystemMetrics() {}

    /** @return the current values at {@code step}; a value the platform does not report is left out */
    static List<MetricPoint> sample(long step) {
        long now = System.currentTimeMillis();
        List<MetricPoint> out = new ArrayList<>(4);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double machine = os.getCpuLoad();
            double process = os.getProcessCpuLoad();
            // Negative means "not available yet" (e.g. the very first call on some platforms).
            if (machine >= 0) {
                out.add(new MetricPoint(MACHINE_CPU, 100 * machine, step, now));
            }
            if (process >= 0) {
                out.add(new MetricPoint(PROCESS_CPU, 100 * process, step, now));
            }
        }
        long rssKb = residentKb();
        if (rssKb >= 0) {
            out.add(new MetricPoint(RSS, rssKb / 1024.0, step, now));
        }
        Runtime rt = Runtime.getRuntime();
        out.add(new MetricPoint(HEAP, (rt.totalMemory() - rt.freeMemory()) / MB, step, now));
        return out;
    }

    /** VmRSS from Linux's /proc, or -1 where there is none. */
    private static long residentKb() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
