package dev.genlab.core.report;

import dev.genlab.tracking.RemoteLink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a sweep report shows: the trial runs of one sweep (or of a whole experiment) and the axes
 * that were swept.
 *
 * @param experimentName the experiment's name
 * @param sweepRunId the sweep's parent run, or null when the runs span several sweeps
 * @param wallSeconds the sweep's wall time (0 if unknown or still running)
 * @param axes per paradigm, the short names of its swept parameters (those whose value varies between its
 *     runs, the seed excepted), in first-seen order
 * @param runs the trial runs in plan order, each followed by one row per evaluation variant it has
 * @param links where the sweep run and its trial runs are on the remote tracking server (MLflow), by local
 *     run id; empty for a report of local runs only
 */
public record ReportData(String experimentName, String sweepRunId, double wallSeconds,
        Map<String, List<String>> axes, List<ReportRun> runs, Map<String, RemoteLink> links) {

    /**
     * The headline table's columns, in order: a short label and the metric keys that can fill it, best first
     * (the LeNet-space metric of image data before the raw-pixel one). A column shows when a finished run has
     * one of its keys.
     */
    static final List<Headline> HEADLINE = List.of(
            new Headline("modes", List.of("modes_covered")),
            new Headline("HQ %", List.of("high_quality_pct")),
            new Headline("precision", List.of("precision_lenet", "precision")),
            new Headline("recall", List.of("recall_lenet", "recall")),
            new Headline("density", List.of("density_lenet", "density")),
            new Headline("coverage", List.of("coverage_lenet", "coverage")),
            new Headline("FD", List.of("fd_lenet", "fd")),
            new Headline("NLL bits/dim", List.of("nll_bits_per_dim")),
            new Headline("samples/s", List.of("samples_per_second")));

    /**
     * One headline column.
     *
     * @param label the column's header
     * @param keys the metrics that can fill it, best first
     */
    record Headline(String label, List<String> keys) {}

    /**
     * A headline column of this report.
     *
     * @param label the column's header
     * @param metric the metric it shows
     */
    public record Column(String label, String metric) {}

    /** Copies the collections, keeping their order. */
    public ReportData {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        axes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        axes = Collections.unmodifiableMap(copy);
        runs = List.copyOf(runs);
        links = Collections.unmodifiableMap(new LinkedHashMap<>(links));
    }

    /** Report data without remote links. */
    public ReportData(String experimentName, String sweepRunId, double wallSeconds, Map<String, List<String>> axes,
            List<ReportRun> runs) {
        this(experimentName, sweepRunId, wallSeconds, axes, runs, Map.of());
    }

    /**
     * @param remote where the runs are on the remote tracking server, by local run id
     * @return the same data with those links
     */
    public ReportData withLinks(Map<String, RemoteLink> remote) {
        return new ReportData(experimentName, sweepRunId, wallSeconds, axes, runs, remote);
    }

    /** @return one group per configuration, in order of first appearance */
    public List<ConfigGroup> groups() {
        Map<String, List<ReportRun>> byConfig = new LinkedHashMap<>();
        for (ReportRun r : runs) {
            byConfig.computeIfAbsent(r.config(), k -> new ArrayList<>()).add(r);
        }
        List<ConfigGroup> out = new ArrayList<>();
        byConfig.forEach((config, rs) -> out.add(new ConfigGroup(config, rs.get(0).paradigm(), rs.get(0).swept(), rs)));
        return out;
    }

    /** @return the trial runs themselves, without the rows of their evaluation variants */
    public List<ReportRun> trials() {
        return runs.stream().filter(r -> r.variant() == null).toList();
    }

    /** @return every final metric of a finished run: the headline ones first, the others in first-seen order */
    public List<String> metrics() {
        Set<String> seen = new LinkedHashSet<>();
        runs.stream().filter(ReportRun::finished).forEach(r -> seen.addAll(r.metrics().keySet()));
        List<String> ordered = new ArrayList<>();
        headline().forEach(c -> ordered.add(c.metric()));
        seen.stream().filter(m -> !ordered.contains(m)).forEach(ordered::add);
        return ordered;
    }

    /** @return the headline columns some finished run has a metric for, in {@link #HEADLINE} order */
    public List<Column> headline() {
        Set<String> seen = new LinkedHashSet<>();
        runs.stream().filter(ReportRun::finished).forEach(r -> seen.addAll(r.metrics().keySet()));
        List<Column> out = new ArrayList<>();
        for (Headline h : HEADLINE) {
            h.keys().stream().filter(seen::contains).findFirst().ifPresent(k -> out.add(new Column(h.label(), k)));
        }
        return out;
    }

    /** @return the metrics outside the headline table, in first-seen order */
    public List<String> otherMetrics() {
        Set<String> headline = new LinkedHashSet<>();
        headline().forEach(c -> headline.add(c.metric()));
        return metrics().stream().filter(m -> !headline.contains(m)).toList();
    }

    /** @return the paradigms in the order of their first run, i.e. in the spec's order */
    public List<String> paradigms() {
        Set<String> seen = new LinkedHashSet<>();
        runs.forEach(r -> seen.add(r.paradigm()));
        return List.copyOf(seen);
    }

    /** @return every training loss logged by a finished run, in first-seen order */
    public List<String> losses() {
        Set<String> seen = new LinkedHashSet<>();
        runs.stream().filter(ReportRun::finished).forEach(r -> seen.addAll(r.losses().keySet()));
        return List.copyOf(seen);
    }
}
