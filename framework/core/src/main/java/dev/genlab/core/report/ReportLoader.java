package dev.genlab.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.ArtifactRecord;
import dev.genlab.tracking.local.ExperimentRecord;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the trial runs of a sweep from the local run store: either a sweep's parent run (by id) or the
 * latest sweep of an experiment (by name) that has a finished trial.
 */
public final class ReportLoader {

    private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{32}");
    /** Params that identify a trial rather than configure it, never swept axes. */
    private static final Set<String> NOT_AXES = Set.of("seed", "paradigm", "plugin", "variant");
    /** The tag of an evaluation variant's run (a child of its trial's run). */
    private static final String VARIANT_TAG = "genlab.variant";
    /** The tag of a trial the sweep's early-stopping rule stopped (see dev.genlab.core.prune). */
    private static final String PRUNED_TAG = "genlab.pruned";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Creates the (stateless) loader. */
    @Inject
    public ReportLoader() {
        // nothing to configure
    }

    /**
     * @param store the local run store
     * @param selector a sweep's parent run id (a trial's run id selects its sweep), or an experiment name
     *     (its most recently started sweep with a finished trial, else its most recent sweep)
     * @return the sweep's runs
     * @throws IllegalArgumentException if nothing matches, with the known experiments in the message
     */
    public ReportData load(LocalRunStore store, String selector) {
        if (RUN_ID.matcher(selector).matches()) {
            Optional<RunRecord> run = store.readRun(selector);
            if (run.isPresent()) {
                RunRecord sweep = run.get();
                if (sweep.parentRunId() != null) {
                    sweep = store.readRun(sweep.parentRunId()).orElseThrow(() -> new IllegalArgumentException(
                            "run " + selector + " belongs to sweep " + run.get().parentRunId() + ", which is missing"));
                }
                String experiment = experimentName(store, sweep.experimentId());
                return fromSweep(experiment, sweep, store.readRuns(experiment));
            }
        }
        if (store.readExperiment(selector).isEmpty()) {
            List<String> known = store.readExperiments().stream().map(ExperimentRecord::name).sorted().toList();
            throw new IllegalArgumentException("no experiment or run '" + selector + "' in " + store.root()
                    + (known.isEmpty() ? " (the store is empty)" : "; experiments: " + String.join(", ", known)));
        }
        List<RunRecord> all = store.readRuns(selector);
        Set<String> parents = new HashSet<>();
        Set<String> finishedParents = new HashSet<>();
        for (RunRecord r : all) {
            parents.add(r.parentRunId());
            if (r.status() == RunStatus.FINISHED) {
                finishedParents.add(r.parentRunId());
            }
        }
        // The latest sweep with a finished trial: a sweep that has just started would give an empty report.
        Comparator<RunRecord> order = Comparator.comparing((RunRecord r) -> finishedParents.contains(r.id()))
                .thenComparingLong(RunRecord::startTimeMs);
        RunRecord latest = all.stream().filter(r -> r.parentRunId() == null && parents.contains(r.id()))
                .max(order)
                .orElseThrow(() -> new IllegalArgumentException("experiment '" + selector + "' has no sweep with trials"));
        return fromSweep(selector, latest, all);
    }

    private static String experimentName(LocalRunStore store, String experimentId) {
        return store.readExperiments().stream().filter(e -> e.id().equals(experimentId)).findFirst()
                .map(ExperimentRecord::name)
                .orElseThrow(() -> new IllegalArgumentException("experiment " + experimentId + " is missing"));
    }

    private static ReportData fromSweep(String experiment, RunRecord sweep, List<RunRecord> all) {
        List<RunRecord> trials = new ArrayList<>(all.stream().filter(r -> sweep.id().equals(r.parentRunId())).toList());
        // A sweep resumed from an edited spec skips the trials that an earlier sweep already FINISHED; they
        // are children of that sweep, but this sweep's summary lists them as its own, and so does its report.
        Set<String> listed = summaryRunIds(sweep);
        Set<String> included = new HashSet<>(trials.stream().map(RunRecord::id).toList());
        all.stream().filter(r -> listed.contains(r.id()) && included.add(r.id())).forEach(trials::add);
        trials.sort(Comparator.comparingInt(ReportLoader::trialIndex).thenComparingLong(RunRecord::startTimeMs));
        Map<String, List<String>> axes = axes(trials);
        List<ReportRun> runs = new ArrayList<>();
        for (RunRecord r : trials) {
            String paradigm = paradigm(r);
            Map<String, String> swept = new LinkedHashMap<>();
            for (String key : axes.getOrDefault(paradigm, List.of())) {
                String value = r.params().get(fullKey(paradigm, key, r));
                if (value != null) {
                    swept.put(key, value);
                }
            }
            Map<String, Map<String, Double>> metrics = evalMetrics(r);
            boolean pruned = r.status() == RunStatus.KILLED && r.tags().containsKey(PRUNED_TAG);
            String failure = r.tags().get(pruned ? PRUNED_TAG : "genlab.failure");
            runs.add(new ReportRun(r.id(), r.name(), paradigm, seed(r), r.status(), swept,
                    metrics.getOrDefault("", Map.of()), losses(r), artifact(r, "samples.png"),
                    artifact(r, SamplePoints.fileName(null)), seconds(r), failure, null, pruned));
            // Evaluation variants are child runs of their trial (older stores: eval/<variant>/ keys on it).
            for (RunRecord child : all) {
                String variant = child.tags().get(VARIANT_TAG);
                if (variant != null && r.id().equals(child.parentRunId())) {
                    metrics.put(variant, evalMetrics(child).getOrDefault("", Map.of()));
                }
            }
            metrics.forEach((variant, values) -> {
                if (!variant.isEmpty()) { // same training, so no loss curves of its own
                    runs.add(new ReportRun(r.id(), r.name(), paradigm, seed(r), r.status(), swept, values, Map.of(),
                            artifact(r, "samples_" + variant + ".png"), artifact(r, SamplePoints.fileName(variant)),
                            seconds(r), failure, variant, pruned));
                }
            });
        }
        double wall = seconds(sweep);
        if (sweep.endTimeMs() == null) { // the end-of-sweep report is written before its sweep run ends
            wall = trials.stream().filter(r -> r.endTimeMs() != null)
                    .mapToDouble(r -> (r.endTimeMs() - sweep.startTimeMs()) / 1000.0).max().orElse(0);
        }
        return new ReportData(experiment, sweep.id(), wall, axes, runs);
    }

    /** @return the trial run ids in the sweep's summary.json, if it has one (written when the sweep ended) */
    private static Set<String> summaryRunIds(RunRecord sweep) {
        Optional<ArtifactRecord> summary = sweep.artifacts().stream()
                .filter(a -> a.path().equals("summary.json")).findFirst();
        if (summary.isEmpty()) {
            return Set.of();
        }
        try {
            JsonNode trials = JSON.readTree(sweep.artifactFile(summary.get()).toFile()).path("trials");
            Set<String> ids = new HashSet<>();
            trials.forEach(t -> ids.add(t.path("run_id").asText()));
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable summary.json of sweep " + sweep.id(), e);
        }
    }

    /** Per paradigm, the params that take more than one value over its runs (short keys). */
    private static Map<String, List<String>> axes(List<RunRecord> trials) {
        Map<String, Map<String, Set<String>>> values = new LinkedHashMap<>();
        for (RunRecord r : trials) {
            Map<String, Set<String>> byKey = values.computeIfAbsent(paradigm(r), k -> new LinkedHashMap<>());
            r.params().forEach((k, v) -> {
                if (!NOT_AXES.contains(k)) {
                    byKey.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v);
                }
            });
        }
        Map<String, List<String>> axes = new LinkedHashMap<>();
        values.forEach((paradigm, byKey) -> axes.put(paradigm, byKey.entrySet().stream()
                .filter(e -> e.getValue().size() > 1).map(e -> shortKey(paradigm, e.getKey())).toList()));
        return axes;
    }

    private static String shortKey(String paradigm, String key) {
        return key.startsWith(paradigm + ".") ? key.substring(paradigm.length() + 1) : key;
    }

    private static String fullKey(String paradigm, String shortKey, RunRecord r) {
        String prefixed = paradigm + "." + shortKey;
        return r.params().containsKey(prefixed) ? prefixed : shortKey;
    }

    private static String paradigm(RunRecord r) {
        String p = r.tags().get("genlab.paradigm");
        if (p == null) {
            p = r.params().get("paradigm");
        }
        if (p == null) { // a trial that failed before it started records only its name
            int space = r.name().indexOf(' ');
            p = space > 0 ? r.name().substring(0, space) : r.name();
        }
        return p;
    }

    private static long seed(RunRecord r) {
        String s = r.tags().getOrDefault("genlab.seed", r.params().get("seed"));
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int trialIndex(RunRecord r) {
        try {
            return Integer.parseInt(r.tags().getOrDefault("genlab.trial_index", "2147483647"));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * The final evaluation: the latest value of each evaluation key (periodic ones come earlier), by short
     * name and variant ("" for the main evaluation); keys as {@link MetricKeys} writes them, or the flat
     * {@code eval/<metric>} and {@code eval/<variant>/<metric>} of older stores.
     */
    private static Map<String, Map<String, Double>> evalMetrics(RunRecord r) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        out.put("", new LinkedHashMap<>());
        for (String key : r.metrics().keySet()) {
            MetricKeys.parse(key).filter(p -> p.kind() == MetricKeys.Kind.EVALUATION).ifPresent(parsed -> {
                Map<String, Double> values = out.computeIfAbsent(parsed.variant(), k -> new LinkedHashMap<>());
                r.latest(key).ifPresent(p -> values.put(parsed.name(), p.value()));
            });
        }
        return out;
    }

    /** The training-step values ({@code train/*}; optimiser diagnostics are not losses), by short name. */
    private static Map<String, List<double[]>> losses(RunRecord r) {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<MetricPoint>> e : r.metrics().entrySet()) {
            MetricKeys.parse(e.getKey()).filter(p -> p.kind() == MetricKeys.Kind.STEP).ifPresent(p -> out.put(
                    p.name(), e.getValue().stream().map(x -> new double[] {x.step(), x.value()}).toList()));
        }
        return out;
    }

    private static Path artifact(RunRecord r, String name) {
        for (ArtifactRecord a : r.artifacts()) {
            if (a.path().equals(name)) {
                Path file = r.artifactFile(a);
                return Files.isRegularFile(file) ? file : null;
            }
        }
        return null;
    }

    private static double seconds(RunRecord r) {
        return r.endTimeMs() == null ? 0 : (r.endTimeMs() - r.startTimeMs()) / 1000.0;
    }
}
