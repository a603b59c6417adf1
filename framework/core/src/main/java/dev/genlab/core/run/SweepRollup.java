package dev.genlab.core.run;

import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What the sweep's parent run says about its trials, so that the parent is a useful row of the runs table:
 * the params every trial shares (the same names as on the trials), and per configuration the mean and
 * sample standard deviation over seeds of each final evaluation metric, as
 * {@code summary/<metric>/<config>_mean} and {@code ..._std} (see docs/mlflow.md, "The sweep run").
 */
final class SweepRollup {

    /** The first segment of every aggregate key. */
    static final String PREFIX = "summary/";

    private static final Logger LOG = LogManager.getLogger(SweepRollup.class);
    /** What MLflow allows in a metric key besides letters and digits ({@code :} not on Windows servers). */
    private static final Pattern NOT_IN_KEY = Pattern.compile("[^A-Za-z0-9_.\\- ]");

    private SweepRollup() {}

    /**
     * The experiment's description ({@code mlflow.note.content}) and tags, from the spec of its latest
     * sweep: what it compares on which data, and the spec's name and file.
     */
    static Map<String, String> experimentTags(ExperimentSpec spec) {
        String paradigms = spec.paradigms().stream()
                .map(p -> p.name().equals(p.plugin()) ? p.name() : p.name() + " (" + p.plugin() + ")")
                .collect(java.util.stream.Collectors.joining(", "));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("mlflow.note.content", "genlab experiment '" + spec.name() + "': " + paradigms + " on "
                + spec.dataset().name() + ", " + spec.train().steps() + " steps at batch " + spec.train().batchSize()
                + (spec.source() == null ? "" : "; spec " + spec.source().getFileName()));
        tags.put("genlab.spec_name", spec.name());
        tags.put("genlab.dataset", spec.dataset().name());
        tags.put("genlab.paradigms", paradigms);
        return tags;
    }

    /** Logs the shared params and the per-configuration aggregates to the parent run. */
    static void log(Tracker tracker, String parentRunId, List<TrialResult> results) {
        Map<String, String> shared = sharedParams(results.stream().map(TrialResult::trial).toList());
        try {
            tracker.logParams(parentRunId, shared);
        } catch (IllegalArgumentException e) {
            // A resumed sweep re-summarised after its spec changed: the first values stay.
            LOG.warn("sweep run {}: shared params not updated: {}", parentRunId, e.getMessage());
        }
        tracker.logMetrics(parentRunId, aggregates(results, System.currentTimeMillis()));
    }

    /** The trial params (see {@link TrialRunner#params}) that have one value in every trial. */
    static Map<String, String> sharedParams(List<Trial> trials) {
        Map<String, String> shared = null;
        for (Trial t : trials) {
            Map<String, String> p = TrialRunner.params(t);
            if (shared == null) {
                shared = new LinkedHashMap<>(p);
            } else {
                shared.entrySet().removeIf(e -> !Objects.equals(p.get(e.getKey()), e.getValue()));
            }
        }
        return shared == null ? Map.of() : shared;
    }

    /**
     * Mean and standard deviation (n - 1; 0 for one seed) over the finished trials of each configuration
     * ({@link SweepSummary#config}, an evaluation variant adding its name), of every final metric.
     */
    static List<MetricPoint> aggregates(List<TrialResult> results, long timestampMs) {
        Map<String, Map<String, List<Double>>> byGroup = new LinkedHashMap<>();
        for (TrialResult r : results) {
            if (r.status() != RunStatus.FINISHED) {
                continue;
            }
            String config = SweepSummary.config(r.trial());
            r.metrics().forEach((key, value) -> {
                int slash = key.indexOf('/');
                String first = slash < 0 ? null : key.substring(0, slash);
                boolean variant = first != null && r.trial().variants().containsKey(first);
                String group = variant ? config + " " + first : config;
                String metric = variant ? key.substring(slash + 1) : key;
                byGroup.computeIfAbsent(metric, m -> new LinkedHashMap<>())
                        .computeIfAbsent(group, g -> new ArrayList<>()).add(value);
            });
        }
        List<MetricPoint> out = new ArrayList<>();
        byGroup.forEach((metric, groups) -> groups.forEach((group, values) -> {
            // MLflow makes a chart section of each key's prefix up to its last '/': one section per metric,
            // holding that metric's configurations side by side.
            String base = PREFIX + metric + "/" + keyPart(group) + "_";
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            double std = values.size() < 2 ? 0 : Math.sqrt(ss / (values.size() - 1));
            out.add(new MetricPoint(base + "mean", mean, 0, timestampMs));
            out.add(new MetricPoint(base + "std", std, 0, timestampMs));
        }));
        return out;
    }

    /** A configuration as one segment of a metric key: {@code gan lr_g=0.001} becomes {@code gan lr_g_0.001}. */
    static String keyPart(String config) {
        return NOT_IN_KEY.matcher(config).replaceAll("_");
    }
}
