package dev.genlab.tracking.mlflow;

/**
 * A problem with the MLflow configuration or server that the user must fix (bad URI, rejected
 * credentials, no Python {@code mlflow} for a non-proxied artifact store). The message alone explains it
 * and never contains a secret; callers show it without a stack trace.
 */
public final class MlflowTrackingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and how to fix it */
    public MlflowTrackingException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and how to fix it
     * @param cause the underlying error
     */
    public MlflowTrackingException(String message, Throwable cause) {
        super(message, cause);
    }
}
