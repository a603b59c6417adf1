package dev.genlab.core.metrics;

/**
 * A sample file for {@code genlab metrics} that cannot be used as given; the message names the file, the
 * place in it and the fix.
 */
public final class SampleFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, where, and how to fix it
     */
    public SampleFileException(String message) {
        super(message);
    }
}
