package dev.genlab.tracking.mlflow;

/**
 * A failed request to the MLflow server, classified for the writer's retry logic. Messages never contain
 * credentials (the server's error text is included; it does not echo request headers).
 */
final class RemoteFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What the writer should do about a failure. */
    enum Kind {
        /** I/O error, timeout, HTTP 429 or 5xx: retry with backoff, then assume an outage. */
        RETRYABLE,
        /** HTTP 401/403: credentials are wrong; retrying will not help. */
        AUTH,
        /** HTTP 404 or MLflow's RESOURCE_DOES_NOT_EXIST. */
        NOT_FOUND,
        /** Any other refusal (e.g. an invalid value): this request will never succeed; others may. */
        REJECTED
    }

    private final Kind kind;
    private final int status;
    private final boolean ambiguous;

    /**
     * @param kind classification
     * @param status HTTP status, or 0 for an I/O error or timeout
     * @param ambiguous true when the server may have applied the request although it failed (a timeout or
     *     5xx after sending): a retry must first check what exists
     * @param message description without secrets
     * @param cause underlying exception, or null
     */
    RemoteFailure(Kind kind, int status, boolean ambiguous, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.ambiguous = ambiguous;
    }

    Kind kind() {
        return kind;
    }

    int status() {
        return status;
    }

    boolean ambiguous() {
        return ambiguous;
    }

    boolean retryable() {
        return kind == Kind.RETRYABLE;
    }
}
