package dev.genlab.core.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which built-in metric provider computes which value. Metric plugins do not declare their value names in
 * this API version, so a spec that names a single value (a sweep's {@code objective}) is checked against
 * this table: the value must exist, and its provider must be evaluated where the spec needs it.
 */
public final class MetricSources {

    private static final Map<String, String> PROVIDER = table();

    private MetricSources() {}

    private static Map<String, String> table() {
        Map<String, String> t = new LinkedHashMap<>();
        for (String v : List.of("modes_covered", "high_quality_pct", "reverse_kl")) {
            t.put(v, "modes");
        }
        for (String v : List.of("precision", "recall", "f1", "density", "coverage")) {
            t.put(v, "prdc");
            t.put(v + "_lenet", "prdc"); // the same values in LeNet feature space (MNIST)
        }
        for (String v : List.of("classes_covered", "label_entropy", "inception_score", "conditional_accuracy")) {
            t.put(v, "classifier");
        }
        for (String v : List.of("fd", "kid", "kid_std")) {
            t.put(v, "frechet");
            t.put(v + "_lenet", "frechet");
        }
        for (String v : List.of("nll_nats_per_dim", "nll_bits_per_dim", "nll_nats")) {
            t.put(v, "likelihood");
        }
        for (String v : List.of("samples_per_second", "evaluations_per_sample", "train_step_ms", "params_total")) {
            t.put(v, "speed");
        }
        t.put("diverged", "stability");
        return Collections.unmodifiableMap(t);
    }

    /**
     * @param value a metric value's short name, e.g. {@code high_quality_pct}
     * @return the metric provider that computes it ({@code modes}), or empty if no built-in one does
     */
    public static Optional<String> provider(String value) {
        return Optional.ofNullable(PROVIDER.get(value));
    }

    /** @return every known value name, in provider order */
    public static List<String> values() {
        return new ArrayList<>(PROVIDER.keySet());
    }
}
