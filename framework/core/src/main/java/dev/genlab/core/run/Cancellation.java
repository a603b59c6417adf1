package dev.genlab.core.run;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request to stop a sweep (Ctrl-C, SIGTERM): the training loop checks it between steps, ends the
 * running trials KILLED after checkpointing them, and the sweep starts no further trial.
 */
public final class Cancellation {

    private final AtomicBoolean requested = new AtomicBoolean();

    /** Asks the sweep to stop. */
    public void request() {
        requested.set(true);
    }

    /** @return true once a stop was requested */
    public boolean requested() {
        return requested.get();
    }
}
