package dev.genlab.core.run;

/**
 * Thrown by a {@link TrialMonitor} to stop a trial as unpromising (early stopping): the trial ends KILLED,
 * tagged {@code genlab.pruned} with the reason, without a final evaluation; a sweep counts it as pruned,
 * not failed, and a resume does not run it again.
 */
public final class TrialPruned extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param reason the rule, rung, value and threshold that stopped the trial */
    public TrialPruned(String reason) {
        super(reason);
    }
}
