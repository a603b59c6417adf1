package dev.genlab.core.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one evaluation plus the host copies of what was compared, for plots.
 *
 * @param metrics metric name to value (the trial's own sampling settings)
 * @param diagnostics the paradigm's own diagnostics on held-out data, name to value
 * @param generated generated samples, row-major
 * @param reference reference examples, row-major
 * @param figures the paradigm's figures by name (see {@link dev.genlab.api.Diagnostics#figures})
 * @param variants per evaluation variant, its metrics and samples on the same trained model
 */
record Evaluation(Map<String, Double> metrics, Map<String, Double> diagnostics, float[] generated, float[] reference,
        Map<String, Figure> figures, Map<String, Variant> variants) {

    Evaluation {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        diagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
    }

    /** @return the metrics and the diagnostics in one map (their names never collide, see the evaluator) */
    Map<String, Double> values() {
        Map<String, Double> all = new LinkedHashMap<>(metrics);
        all.putAll(diagnostics);
        return all;
    }

    /**
     * A figure's values on the host.
     *
     * @param values row-major values
     * @param shape {@code [rows, cols, ...example shape]}
     */
    record Figure(float[] values, long[] shape) {}

    /**
     * One evaluation variant's results.
     *
     * @param metrics its sample-based metrics
     * @param generated its samples, row-major
     */
    record Variant(Map<String, Double> metrics, float[] generated) {

        Variant {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }
}
