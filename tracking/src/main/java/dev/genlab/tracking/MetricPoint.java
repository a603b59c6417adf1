package dev.genlab.tracking;

import java.util.Objects;

/**
 * One value of a metric time series.
 *
 * @param key metric name, e.g. {@code train/loss} or {@code eval/modes_covered}
 * @param value the value (NaN and infinities are kept as such)
 * @param step the training step it belongs to
 * @param timestampMs wall-clock time in milliseconds since the epoch
 */
public record MetricPoint(String key, double value, long step, long timestampMs) {

    /** Rejects a null key. */
    public MetricPoint {
        Objects.requireNonNull(key, "key");
    }
}
