package dev.genlab.core.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one evaluation plus the host copies of what was compared, for plots.
 *
 * @param metrics metric name to value
 * @param generated generated samples, row-major
 * @param reference reference examples, row-major
 */
record Evaluation(Map<String, Double> metrics, float[] generated, float[] reference) {

    Evaluation {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
