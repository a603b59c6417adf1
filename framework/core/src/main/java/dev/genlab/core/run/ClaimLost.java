package dev.genlab.core.run;

/**
 * Thrown in a trial whose claim another process took over (this one looked gone to it): the trial stops
 * at once, writes no checkpoint and does not end its run, which now belongs to the new holder.
 */
final class ClaimLost extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ClaimLost(String message) {
        super(message);
    }
}
