package dev.genlab.tracking;

/** Life-cycle state of a run, with MLflow's names. */
public enum RunStatus {
    /** Started and not yet ended (or its process died before ending it). */
    RUNNING,
    /** Completed normally. */
    FINISHED,
    /** Ended by an error, e.g. a diverged loss. */
    FAILED,
    /** Ended by the user (Ctrl-C) or a scheduler. */
    KILLED;

    /** @return true for every state but {@link #RUNNING} */
    public boolean terminal() {
        return this != RUNNING;
    }
}
