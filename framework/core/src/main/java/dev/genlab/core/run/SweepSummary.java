package dev.genlab.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.RunStatus;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders a sweep's results: per configuration (paradigm + swept values, seeds pooled), mean ± sample
 * standard deviation of each metric over its finished seeds. An evaluation variant gets a row of its own,
 * {@code config [variant]}, with the metrics it measured (the same trained models, sampled its way). The
 * terminal table shows the headline metrics; the Markdown and JSON forms carry all of them.
 */
public final class SweepSummary {

    /** Metrics shown first (and, in the terminal, only these when present). */
    private static final List<String> HEADLINE = List.of("modes_covered", "high_quality_pct", "reverse_kl",
            "precision", "recall", "fd", "fd_lenet", "samples_per_second");
    private static final int TERMINAL_COLUMNS = 6;

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Creates the renderer. */
    @Inject
    public SweepSummary() {}

    /**
     * One row: a configuration (or one of its evaluation variants) and its seeds' results.
     *
     * @param variant the evaluation variant whose {@code <variant>/<metric>} values the row shows, or null
     */
    record Group(String config, String variant, List<TrialResult> results) {
        String label() {
            return variant == null ? config : config + " [" + variant + "]";
        }

        long finished() {
            return results.stream().filter(r -> r.status() == RunStatus.FINISHED).count();
        }

        long pruned() {
            return results.stream().filter(TrialResult::pruned).count();
        }

        /** {@code finished/trials}, plus how many were pruned if any. */
        String seedsOk() {
            long p = pruned();
            return finished() + "/" + results.size() + (p > 0 ? " (" + p + " pruned)" : "");
        }

        double[] stats(String metric) {
            String key = variant == null ? metric : variant + "/" + metric;
            List<Double> values = results.stream().filter(r -> r.status() == RunStatus.FINISHED)
                    .map(r -> r.metrics().get(key)).filter(v -> v != null).toList();
            if (values.isEmpty()) {
                return null;
            }
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = 0;
            for (double v : values) {
                var += (v - mean) * (v - mean);
            }
            double std = values.size() > 1 ? Math.sqrt(var / (values.size() - 1)) : 0;
            return new double[] {mean, std, values.size()};
        }
    }

    /**
     * @param result a sweep result
     * @return what {@code genlab run} prints at the end: the headline table, a line per trial that did not
     *     finish, {@code report: <path>} (the local copy of the sweep's report, when one was written), when
     *     the runs went to MLflow {@code MLflow experiment: <runs table>}, and a last line with the counts,
     *     the experiment and the sweep run's local id (and MLflow's id and page)
     */
    public String table(SweepResult result) {
        List<Group> groups = groups(result);
        List<String> metrics = metrics(result);
        List<String> shown = metrics.stream().filter(HEADLINE::contains).limit(TERMINAL_COLUMNS).toList();
        if (shown.isEmpty()) {
            shown = metrics.stream().limit(TERMINAL_COLUMNS).toList();
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("config", "seeds ok"));
        header.addAll(shown);
        rows.add(header);
        for (Group g : groups) {
            List<String> row = new ArrayList<>();
            row.add(g.label());
            row.add(g.seedsOk());
            for (String m : shown) {
                row.add(cell(g.stats(m)));
            }
            rows.add(row);
        }
        StringBuilder out = new StringBuilder(align(rows));
        for (TrialResult r : result.trials()) {
            if (r.status() != RunStatus.FINISHED) {
                // KILLED (interrupted, resumable) reads differently from FAILED (an error), and PRUNED (stopped
                // by the sweep's early-stopping rule, done) from both.
                out.append(r.pruned() ? "PRUNED" : r.status().name()).append(' ').append(r.trial().runName()).append(": ").append(r.failure())
                        .append('\n');
            }
        }
        if (result.report() != null) {
            out.append("report: ").append(shown(result.report())).append('\n');
        }
        Optional<RemoteLink> sweep = result.link(result.parentRunId());
        sweep.ifPresent(l -> out.append("MLflow experiment: ").append(l.experimentUrl()).append('\n'));
        out.append(String.format(Locale.ROOT, "%d trial(s), %s%d failed, %.1fs; experiment '%s', sweep run %s%s%n",
                result.trials().size(), result.pruned() > 0 ? result.pruned() + " pruned, " : "", result.failures(),
                result.wallSeconds(), result.experimentName(),
                result.parentRunId(), sweep.map(l -> " (MLflow run " + l.runId() + ": " + l.runUrl() + ")").orElse("")));
        return out.toString();
    }

    /**
     * @param result a sweep result
     * @return a Markdown table with every metric as mean ± std
     */
    public String markdown(SweepResult result) {
        List<String> metrics = metrics(result);
        StringBuilder out = new StringBuilder();
        out.append("| config | seeds ok |");
        metrics.forEach(m -> out.append(' ').append(m).append(" |"));
        out.append("\n|---|---|");
        metrics.forEach(m -> out.append("---|"));
        out.append('\n');
        for (Group g : groups(result)) {
            out.append("| ").append(g.label()).append(" | ").append(g.seedsOk()).append(" |");
            metrics.forEach(m -> out.append(' ').append(cell(g.stats(m))).append(" |"));
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * @param result a sweep result
     * @return JSON with every trial and every group's statistics
     */
    public String json(SweepResult result) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("experiment", result.experimentName());
        root.put("parent_run_id", result.parentRunId());
        result.link(result.parentRunId()).ifPresent(l -> {
            root.put("parent_mlflow_run_id", l.runId());
            root.put("parent_mlflow_url", l.runUrl());
            root.put("mlflow_experiment_url", l.experimentUrl());
        });
        root.put("wall_seconds", result.wallSeconds());
        List<Map<String, Object>> trials = new ArrayList<>();
        for (TrialResult r : result.trials()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("run_id", r.runId());
            result.link(r.runId()).ifPresent(l -> {
                t.put("mlflow_run_id", l.runId());
                t.put("mlflow_url", l.runUrl());
            });
            t.put("run_name", r.trial().runName());
            t.put("trial_hash", r.trial().hash());
            t.put("status", r.status().name());
            t.put("failure", r.failure());
            if (r.pruned()) {
                t.put("pruned", true);
            }
            t.put("metrics", r.metrics());
            t.put("final_losses", r.finalLosses());
            t.put("wall_seconds", r.wallSeconds());
            trials.add(t);
        }
        root.put("trials", trials);
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Group g : groups(result)) {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("config", g.config());
            if (g.variant() != null) {
                gm.put("variant", g.variant());
            }
            gm.put("finished", g.finished());
            if (g.pruned() > 0) {
                gm.put("pruned", g.pruned());
            }
            gm.put("trials", g.results().size());
            Map<String, Object> stats = new LinkedHashMap<>();
            for (String m : metrics(result)) {
                double[] s = g.stats(m);
                if (s != null) {
                    stats.put(m, Map.of("mean", s[0], "std", s[1], "n", (int) s[2]));
                }
            }
            gm.put("metrics", stats);
            groups.add(gm);
        }
        root.put("groups", groups);
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String config(Trial t) {
        String axes = t.swept().entrySet().stream()
                .map(e -> (e.getKey().startsWith(t.paradigm() + ".") ? e.getKey().substring(t.paradigm().length() + 1)
                        : e.getKey()) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return t.paradigm() + (axes.isEmpty() ? "" : " " + axes);
    }

    private static List<Group> groups(SweepResult result) {
        Map<String, List<TrialResult>> byConfig = new LinkedHashMap<>();
        for (TrialResult r : result.trials()) {
            byConfig.computeIfAbsent(config(r.trial()), k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        byConfig.forEach((config, results) -> {
            groups.add(new Group(config, null, results));
            Set<String> variants = new LinkedHashSet<>();
            results.forEach(r -> variants.addAll(r.trial().variants().keySet()));
            variants.forEach(v -> groups.add(new Group(config, v, results)));
        });
        return groups;
    }

    /** Metric names without variant prefixes: a variant's {@code ddim50/fd} is column {@code fd} of its row. */
    private static List<String> metrics(SweepResult result) {
        Set<String> seen = new LinkedHashSet<>();
        result.trials().forEach(r -> r.metrics().keySet().forEach(k -> {
            String prefix = k.contains("/") ? k.substring(0, k.indexOf('/')) : null;
            seen.add(prefix != null && r.trial().variants().containsKey(prefix) ? k.substring(prefix.length() + 1) : k);
        }));
        List<String> ordered = new ArrayList<>();
        HEADLINE.stream().filter(seen::contains).forEach(ordered::add);
        seen.stream().filter(m -> !ordered.contains(m)).forEach(ordered::add);
        return ordered;
    }

    /** A path as a user would type it: relative when it is under the working directory, else absolute. */
    static Path shown(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath().normalize();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs) : abs;
    }

    private static String cell(double[] s) {
        if (s == null) {
            return "-";
        }
        return s[2] > 1 ? fmt(s[0]) + " ± " + fmt(s[1]) : fmt(s[0]);
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3g", v);
    }

    private static String align(List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int c = 0; c < cols; c++) {
                out.append(c == 0 ? String.format("%-" + width[c] + "s", row.get(c))
                        : "  " + String.format("%" + width[c] + "s", row.get(c)));
            }
            out.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                out.append("-".repeat(total - 2)).append('\n');
            }
        }
        return out.toString();
    }
}
