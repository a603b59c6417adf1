package dev.genlab.core.run;

/** Thrown by the training loop when the sweep was cancelled; the trial ends KILLED. */
final class TrialCancelled extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TrialCancelled(int step) {
        super("interrupted after step " + step);
    }
}
