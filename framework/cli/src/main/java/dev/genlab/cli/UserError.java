package dev.genlab.cli;

/** A mistake on the command line that the message alone explains (e.g. a missing file). */
final class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }
}
