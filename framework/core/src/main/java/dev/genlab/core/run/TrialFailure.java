package dev.genlab.core.run;

/** A trial ended abnormally; the message is the user-facing reason recorded on its run. */
final class TrialFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TrialFailure(String message) {
        super(message);
    }

    TrialFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
