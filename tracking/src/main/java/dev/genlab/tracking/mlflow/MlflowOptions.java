package dev.genlab.tracking.mlflow;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the MLflow tracker's background writer. The defaults suit a training process on a laptop or a
 * cluster node; tests shorten the timeouts.
 *
 * @param requestTimeout longest wait for one HTTP request before it is aborted and retried
 * @param retryBudget how long one request is retried (with exponential backoff) before the writer assumes
 *     an outage and falls back to the local journal
 * @param initialBackoff first retry delay; it doubles up to {@code maxBackoff}, with jitter
 * @param maxBackoff longest delay between retries and between probes of a server that is down
 * @param linger how long the writer waits to fill a batch before sending it (not for run starts and ends)
 * @param queueCapacity most records (metric points, params and tags) held in memory; past it, records are
 *     read back from the local journal later instead (memory stays bounded, training never waits)
 * @param closeTimeout how long closing waits for the server to receive what is still queued
 */
public record MlflowOptions(Duration requestTimeout, Duration retryBudget, Duration initialBackoff,
        Duration maxBackoff, Duration linger, int queueCapacity, Duration closeTimeout) {

    /** 15 s requests, 30 s of retries, 0.25 s to 15 s backoff, 200 ms linger, 200,000 records, 60 s close. */
    public static final MlflowOptions DEFAULTS = new MlflowOptions(Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMillis(250), Duration.ofSeconds(15), Duration.ofMillis(200), 200_000, Duration.ofSeconds(60));

    /** Rejects nulls and non-positive values. */
    public MlflowOptions {
        for (Duration d : new Duration[] {requestTimeout, retryBudget, initialBackoff, maxBackoff, linger,
            closeTimeout}) {
            Objects.requireNonNull(d, "durations must not be null");
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative duration: " + d);
            }
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
    }
}
