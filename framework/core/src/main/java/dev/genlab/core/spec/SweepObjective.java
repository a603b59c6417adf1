package dev.genlab.core.spec;

import dev.genlab.core.metrics.MetricKeys;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a sweep optimises ({@code sweep.objective}): one evaluation metric of the trial's own evaluation and
 * whether more or less of it is better. Model-based samplers and early-stopping rules read it.
 *
 * @param metric the metric's short name, e.g. {@code high_quality_pct}
 * @param mode whether larger or smaller values are better
 */
public record SweepObjective(String metric, Mode mode) {

    /** The direction of improvement. */
    public enum Mode {
        /** Larger is better. */
        MAX,
        /** Smaller is better. */
        MIN;

        /** @return the spec's spelling, {@code max} or {@code min} */
        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks the name. */
    public SweepObjective {
        if (metric == null || metric.isBlank() || mode == null) {
            throw new IllegalArgumentException("an objective needs a metric and a mode");
        }
    }

    /** @return the key the metric is logged under, e.g. {@code eval/quality/high_quality_pct} */
    public String key() {
        return MetricKeys.eval(metric);
    }

    /**
     * Reads the objective from a trial's metrics: the last logged values by key (a run's latest metrics in
     * the store: the final evaluation's, or for a trial stopped early its last periodic evaluation's), or a
     * trial result's metrics by short name.
     *
     * @param metrics logged key (or short name) to value
     * @return the objective's value, or empty if it is absent or not a number
     */
    public OptionalDouble read(Map<String, Double> metrics) {
        for (String k : new String[] {key(), MetricKeys.EVAL + metric, metric}) { // eval/<metric>: older stores
            Double v = metrics.get(k);
            if (v != null && !v.isNaN()) {
                return OptionalDouble.of(v);
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * @param value a value of the metric
     * @return the value oriented so that larger is better (negated for {@code min})
     */
    public double score(double value) {
        return mode == Mode.MAX ? value : -value;
    }

    /** @return whether {@code a} is strictly better than {@code b} */
    public boolean better(double a, double b) {
        return score(a) > score(b);
    }
}
