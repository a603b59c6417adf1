package dev.genlab.core.prune;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One trial's objective at its periodic evaluations, as a rule sees it.
 *
 * @param index the trial's index in the plan (Hyperband's bracket follows from it)
 * @param completed whether the trial trained to its last step (its run ended FINISHED)
 * @param values step to objective value, periodic evaluations only
 */
public record TrialCurve(int index, boolean completed, NavigableMap<Integer, Double> values) {

    /** Copies the values. */
    public TrialCurve {
        values = Collections.unmodifiableNavigableMap(new TreeMap<>(values));
    }

    /**
     * @param step a step
     * @return the value of the first periodic evaluation at or after it, or null if the trial has none
     */
    Double firstAtOrAfter(int step) {
        var e = values.ceilingEntry(step);
        return e == null ? null : e.getValue();
    }
}
