package dev.genlab.core.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the training loop observed.
 *
 * @param history every step's value of every reported loss, in step order
 * @param steps steps completed
 * @param stepSeconds mean wall time of one step
 */
record TrainingOutcome(Map<String, List<Double>> history, int steps, double stepSeconds) {

    TrainingOutcome {
        history = Collections.unmodifiableMap(new LinkedHashMap<>(history));
    }

    Map<String, Double> finalLosses() {
        Map<String, Double> last = new LinkedHashMap<>();
        history.forEach((k, v) -> {
            if (!v.isEmpty()) {
                last.put(k, v.get(v.size() - 1));
            }
        });
        return last;
    }
}
