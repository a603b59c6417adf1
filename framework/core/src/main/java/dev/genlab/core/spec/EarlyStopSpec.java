package dev.genlab.core.spec;

import java.util.Locale;

/**
 * How a sweep stops unpromising trials early ({@code sweep.early_stop}), judged on the sweep's objective at
 * the periodic evaluations ({@code train.eval_every}). See docs/spec-reference.md, "Early stopping".
 *
 * @param type the rule
 * @param graceSteps no trial is stopped before this many steps; the first rung of ASHA and Hyperband
 * @param reductionFactor ASHA/Hyperband: rungs are {@code grace_steps * rf^k} and a rung keeps the top
 *     {@code 1/rf} of its values
 * @param minTrials median rule: it stops nothing until this many trials of the sweep have completed
 * @param brackets Hyperband: the number of brackets; 0 means as many as the steps allow
 */
public record EarlyStopSpec(Type type, int graceSteps, int reductionFactor, int minTrials, int brackets) {

    /** The rule. */
    public enum Type {
        /** Median stopping rule (Golovin et al. 2017). */
        MEDIAN,
        /** Asynchronous successive halving (Li et al. 2020). */
        ASHA,
        /** Asynchronous Hyperband: brackets of ASHA with growing minimum resource (Li et al. 2018). */
        HYPERBAND;

        /** @return the spec's spelling */
        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default {@code reduction_factor}. */
    public static final int DEFAULT_REDUCTION_FACTOR = 3;
    /** The default {@code min_trials} of the median rule. */
    public static final int DEFAULT_MIN_TRIALS = 5;

    /** Checks the ranges the validator already enforces, for specs built in code. */
    public EarlyStopSpec {
        if (type == null || graceSteps < 1 || reductionFactor < 2 || minTrials < 1 || brackets < 0) {
            throw new IllegalArgumentException("bad early_stop settings: " + type + ", grace_steps " + graceSteps
                    + ", reduction_factor " + reductionFactor + ", min_trials " + minTrials + ", brackets "
                    + brackets);
        }
    }
}
