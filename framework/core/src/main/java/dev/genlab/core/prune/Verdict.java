package dev.genlab.core.prune;

/**
 * A rule's decision at one evaluation.
 *
 * @param stop whether the trial stops here
 * @param reason what was compared: rule, rung, value and threshold
 */
public record Verdict(boolean stop, String reason) {

    private static final String STOP = "stop: ";
    private static final String CONTINUE = "continue: ";

    /** @return the decision as recorded on the run: {@code stop: <reason>} or {@code continue: <reason>} */
    public String recorded() {
        return (stop ? STOP : CONTINUE) + reason;
    }

    /**
     * @param recorded a value written by {@link #recorded()}
     * @return the decision it records
     */
    public static Verdict parse(String recorded) {
        if (recorded.startsWith(STOP)) {
            return new Verdict(true, recorded.substring(STOP.length()));
        }
        return new Verdict(false, recorded.startsWith(CONTINUE) ? recorded.substring(CONTINUE.length()) : recorded);
    }
}
