package dev.genlab.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one optimisation step reports: named scalar losses and diagnostics (e.g. {@code loss},
 * {@code loss_d}, {@code loss_g}, {@code elbo}, {@code kl}). The framework logs each as
 * {@code train/<name>} and treats a NaN or infinite value as divergence.
 *
 * @param values name to value, in insertion order
 */
public record StepResult(Map<String, Double> values) {

    /** Makes an unmodifiable, order-keeping copy and rejects an empty result. */
    public StepResult {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a step must report at least one value");
        }
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * @param name loss name
     * @param value loss value
     * @return a result with one value
     */
    public static StepResult of(String name, double value) {
        return new StepResult(Map.of(name, value));
    }
}
