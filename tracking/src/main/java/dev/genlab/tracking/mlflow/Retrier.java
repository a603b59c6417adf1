package dev.genlab.tracking.mlflow;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Retries retryable {@link RemoteFailure}s with exponential backoff and full jitter, within a time budget.
 * Non-retryable failures (credentials, refusals) pass through at once.
 */
final class Retrier {

    private static final Logger LOG = LogManager.getLogger(Retrier.class);

    private final MlflowOptions options;
    private final BooleanSupplier giveUp;
    private final AtomicLong retries = new AtomicLong();

    /**
     * @param options budget and backoff
     * @param giveUp checked before each retry: true stops retrying (e.g. the close deadline has passed)
     */
    Retrier(MlflowOptions options, BooleanSupplier giveUp) {
        this.options = options;
        this.giveUp = giveUp;
    }

    /** @return retries made so far (for statistics and fault tests) */
    long retries() {
        return retries.get();
    }

    /**
     * Runs an action until it succeeds, fails for good, or the budget is spent.
     *
     * @param what description for logs
     * @param action the request; it may be called several times
     * @return its result
     * @throws RemoteFailure the last failure
     */
    <T> T run(String what, Supplier<T> action) {
        long deadline = System.nanoTime() + options.retryBudget().toNanos();
        long delay = Math.max(1, options.initialBackoff().toMillis());
        while (true) {
            try {
                return action.get();
            } catch (RemoteFailure f) {
                if (!f.retryable()) {
                    throw f;
                }
                long sleep = ThreadLocalRandom.current().nextLong(delay / 2, delay + 1);
                if (giveUp.getAsBoolean() || System.nanoTime() + sleep * 1_000_000L > deadline) {
                    throw f;
                }
                retries.incrementAndGet();
                LOG.debug("{} failed ({}); retrying in {} ms", what, f.getMessage(), sleep);
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw f;
                }
                delay = Math.min(delay * 2, Math.max(1, options.maxBackoff().toMillis()));
            }
        }
    }

    /** Runs an action without a result. */
    void run(String what, Runnable action) {
        run(what, () -> {
            action.run();
            return null;
        });
    }
}
