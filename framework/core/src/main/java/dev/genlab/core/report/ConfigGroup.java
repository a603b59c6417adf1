package dev.genlab.core.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of the report: a configuration (paradigm plus swept values) and its seeds' runs.
 *
 * @param config the label, see {@link ReportRun#config()}
 * @param paradigm the paradigm's name
 * @param swept the swept values shared by the runs
 * @param runs the runs, one per seed (failed and unfinished ones included)
 */
public record ConfigGroup(String config, String paradigm, Map<String, String> swept, List<ReportRun> runs) {

    /** Copies the collections. */
    public ConfigGroup {
        swept = Map.copyOf(swept);
        runs = List.copyOf(runs);
    }

    /** @return the evaluation variant of the group's rows, or null for the main evaluation */
    public String variant() {
        return runs.isEmpty() ? null : runs.get(0).variant();
    }

    /** @return the finished runs */
    public List<ReportRun> finished() {
        return runs.stream().filter(ReportRun::finished).toList();
    }

    /**
     * @param metric a metric name
     * @return its statistics over the finished runs, or null if none has a finite value
     */
    public Stat stat(String metric) {
        return Stat.of(finished().stream().map(r -> r.metrics().get(metric)).toList());
    }

    /**
     * The seed-averaged curve of one training loss: at each step, the mean over the finished runs that
     * logged it there.
     *
     * @param loss the loss name (without {@code train/})
     * @return {steps, means}; empty arrays if no finished run logged the loss
     */
    public double[][] meanLoss(String loss) {
        TreeMap<Double, double[]> sums = new TreeMap<>();
        for (ReportRun r : finished()) {
            for (double[] p : r.losses().getOrDefault(loss, List.of())) {
                if (Double.isFinite(p[1])) {
                    double[] acc = sums.computeIfAbsent(p[0], k -> new double[2]);
                    acc[0] += p[1];
                    acc[1]++;
                }
            }
        }
        List<double[]> pts = new ArrayList<>();
        sums.forEach((step, acc) -> pts.add(new double[] {step, acc[0] / acc[1]}));
        double[] xs = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] ys = pts.stream().mapToDouble(p -> p[1]).toArray();
        return new double[][] {xs, ys};
    }
}
