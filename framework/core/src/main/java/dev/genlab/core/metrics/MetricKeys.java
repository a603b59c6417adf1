package dev.genlab.core.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one naming scheme of the keys genlab logs, grouped by what a value means so that a tracker's UI
 * (MLflow groups charts by key prefix) shows related values together:
 *
 * <ul>
 *   <li>{@code train/loss}: the paradigm's headline training loss, the same key for every paradigm, and
 *       {@code train/<name>} for each value a training step reports;
 *   <li>{@code diagnostics/train/<name>}: step values that describe the optimiser rather than the
 *       objective ({@code grad_norm}, {@code skipped_updates}, ...);
 *   <li>{@code eval/<group>/<metric>} for evaluation metrics, group {@code quality}, {@code coverage},
 *       {@code likelihood}, {@code cost} or {@code other}, and {@code eval/<variant>/<group>/<metric>} for
 *       an evaluation variant;
 *   <li>{@code diagnostics/<name>}: the paradigm's own evaluation diagnostics and training-stability
 *       statistics.
 * </ul>
 *
 * Inside genlab (trial results, the summary, the report) a metric keeps its short name
 * ({@code precision}); only logged keys carry the hierarchy, and {@link #parse} reads both these keys and
 * the flat ones of stores written before it ({@code eval/<metric>}, {@code eval/<variant>/<metric>}).
 */
public final class MetricKeys {

    /** Prefix of training-step values. */
    public static final String TRAIN = "train/";
    /** Prefix of evaluation metrics. */
    public static final String EVAL = "eval/";
    /** Prefix of diagnostics. */
    public static final String DIAGNOSTICS = "diagnostics/";
    /** Prefix of step values that are optimiser diagnostics. */
    public static final String STEP_DIAGNOSTICS = DIAGNOSTICS + "train/";
    /** The headline training loss, one key for every paradigm. */
    public static final String TRAIN_LOSS = TRAIN + "loss";

    /** What an evaluation value is about. */
    public enum Group {
        /** Fidelity of the samples. */
        QUALITY,
        /** Diversity: how much of the data the samples cover. */
        COVERAGE,
        /** Likelihood of held-out data. */
        LIKELIHOOD,
        /** Time and memory. */
        COST,
        /** Training stability and the paradigm's own diagnostics. */
        DIAGNOSTICS,
        /** Metrics of other metric plugins. */
        OTHER;

        /** @return the group's key segment */
        public String segment() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Map<String, Group> BY_NAME = Map.ofEntries(
            Map.entry("precision", Group.QUALITY),
            Map.entry("density", Group.QUALITY),
            Map.entry("f1", Group.QUALITY),
            Map.entry("high_quality_pct", Group.QUALITY),
            Map.entry("fd", Group.QUALITY),
            Map.entry("kid", Group.QUALITY),
            Map.entry("kid_std", Group.QUALITY),
            Map.entry("inception_score", Group.QUALITY),
            Map.entry("conditional_accuracy", Group.QUALITY),
            Map.entry("recall", Group.COVERAGE),
            Map.entry("coverage", Group.COVERAGE),
            Map.entry("modes_covered", Group.COVERAGE),
            Map.entry("reverse_kl", Group.COVERAGE),
            Map.entry("classes_covered", Group.COVERAGE),
            Map.entry("label_entropy", Group.COVERAGE),
            Map.entry("nll_nats_per_dim", Group.LIKELIHOOD),
            Map.entry("nll_bits_per_dim", Group.LIKELIHOOD),
            Map.entry("nll_nats", Group.LIKELIHOOD),
            Map.entry("samples_per_second", Group.COST),
            Map.entry("evaluations_per_sample", Group.COST),
            Map.entry("train_step_ms", Group.COST),
            Map.entry("params_total", Group.COST),
            Map.entry("diverged", Group.DIAGNOSTICS));

    /**
     * Step values that describe the optimiser or the model's state, not the objective (and a VAE's
     * per-unit {@code kl_dim_<u>}).
     */
    private static final Set<String> STEP_DIAGNOSTIC_NAMES = Set.of("grad_norm", "skipped_updates", "beta",
            "d_real", "d_fake", "active_units", "mi");

    /**
     * Which step value stands for {@code train/loss} when a paradigm reports no {@code loss}: the first
     * present, else the first value the step reports that is not a diagnostic.
     */
    private static final List<String> HEADLINE_LOSSES = List.of("loss", "nll", "loss_g", "loss_dec");

    private static final Set<String> GROUP_SEGMENTS = Set.of("quality", "coverage", "likelihood", "cost",
            "diagnostics", "other");

    private MetricKeys() {}

    /**
     * @param metric a metric's short name, e.g. {@code precision_lenet}
     * @return its group (feature-space suffixes such as {@code _lenet} do not change it)
     */
    public static Group group(String metric) {
        String base = metric.endsWith("_lenet") ? metric.substring(0, metric.length() - "_lenet".length()) : metric;
        Group g = BY_NAME.get(base);
        if (g != null) {
            return g;
        }
        if (base.startsWith("params_")) {
            return Group.COST;
        }
        if (base.endsWith("_std") || base.endsWith("_oscillation")) {
            return Group.DIAGNOSTICS; // stability statistics of a loss history
        }
        return Group.OTHER;
    }

    /**
     * @param metric a metric's short name
     * @return its logged key: {@code eval/<group>/<metric>}, or {@code diagnostics/<metric>} for
     *     stability statistics
     */
    public static String eval(String metric) {
        Group g = group(metric);
        return g == Group.DIAGNOSTICS ? DIAGNOSTICS + metric : EVAL + g.segment() + "/" + metric;
    }

    /**
     * @param variant an evaluation variant's name
     * @param metric a metric's short name
     * @return {@code eval/<variant>/<group>/<metric>}
     */
    public static String eval(String variant, String metric) {
        return EVAL + variant + "/" + group(metric).segment() + "/" + metric;
    }

    /** @return the logged key of one of the paradigm's evaluation diagnostics */
    public static String diagnostic(String name) {
        return DIAGNOSTICS + name;
    }

    /** @return the logged key of a value a training step reports */
    public static String step(String name) {
        return (isStepDiagnostic(name) ? STEP_DIAGNOSTICS : TRAIN) + name;
    }

    private static boolean isStepDiagnostic(String name) {
        return STEP_DIAGNOSTIC_NAMES.contains(name) || name.startsWith("kl_dim_");
    }

    /**
     * @param stepValues the names of the values a paradigm's training step reports
     * @return the one that {@code train/loss} shows, or empty if the step reports nothing but diagnostics
     */
    public static Optional<String> headlineLoss(Collection<String> stepValues) {
        for (String h : HEADLINE_LOSSES) {
            if (stepValues.contains(h)) {
                return Optional.of(h);
            }
        }
        return stepValues.stream().filter(n -> !isStepDiagnostic(n)).findFirst();
    }

    /** @return whether a group name could be mistaken for an evaluation variant's name in a key */
    public static boolean isGroupSegment(String name) {
        return GROUP_SEGMENTS.contains(name);
    }

    /** What a logged key holds. */
    public enum Kind {
        /** A training step's value ({@code train/...}). */
        STEP,
        /** An optimiser diagnostic of a training step ({@code diagnostics/train/...}). */
        STEP_DIAGNOSTIC,
        /** An evaluation value: a metric or an evaluation diagnostic. */
        EVALUATION
    }

    /**
     * A logged key read back.
     *
     * @param kind what it holds
     * @param variant the evaluation variant, "" for the trial's own evaluation and for step values
     * @param name the short name
     */
    public record Parsed(Kind kind, String variant, String name) {}

    /**
     * Reads a logged key, in this scheme or the flat one of earlier stores.
     *
     * @param key a logged key
     * @return what it holds, or empty for a key genlab does not write
     */
    public static Optional<Parsed> parse(String key) {
        if (key.startsWith(STEP_DIAGNOSTICS)) {
            return Optional.of(new Parsed(Kind.STEP_DIAGNOSTIC, "", key.substring(STEP_DIAGNOSTICS.length())));
        }
        if (key.startsWith(DIAGNOSTICS)) {
            return Optional.of(new Parsed(Kind.EVALUATION, "", key.substring(DIAGNOSTICS.length())));
        }
        if (key.startsWith(TRAIN)) {
            return Optional.of(new Parsed(Kind.STEP, "", key.substring(TRAIN.length())));
        }
        if (!key.startsWith(EVAL)) {
            return Optional.empty();
        }
        String[] parts = key.substring(EVAL.length()).split("/", -1);
        return switch (parts.length) {
            case 1 -> Optional.of(new Parsed(Kind.EVALUATION, "", parts[0])); // before groups: eval/<metric>
            case 2 -> Optional.of(GROUP_SEGMENTS.contains(parts[0])
                    ? new Parsed(Kind.EVALUATION, "", parts[1])
                    : new Parsed(Kind.EVALUATION, parts[0], parts[1])); // before groups: eval/<variant>/<metric>
            case 3 -> Optional.of(new Parsed(Kind.EVALUATION, parts[0], parts[2]));
            default -> Optional.empty();
        };
    }
}
