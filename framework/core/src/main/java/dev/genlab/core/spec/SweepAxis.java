package dev.genlab.core.spec;

import java.util.List;

/** One swept key's values (grid) or distribution (random). */
public sealed interface SweepAxis {

    /**
     * An explicit list of values; for random sweeps, drawn uniformly.
     *
     * @param values the values
     */
    record Values(List<Object> values) implements SweepAxis {
        /** Copies the list. */
        public Values {
            values = List.copyOf(values);
        }
    }

    /**
     * Uniform on {@code [low, high]}.
     *
     * @param low lower bound
     * @param high upper bound
     */
    record Uniform(double low, double high) implements SweepAxis {}

    /**
     * Log-uniform on {@code [low, high]}, both positive.
     *
     * @param low lower bound
     * @param high upper bound
     */
    record LogUniform(double low, double high) implements SweepAxis {}

    /**
     * Uniform integer on {@code [low, high]}.
     *
     * @param low lower bound
     * @param high upper bound
     */
    record IntRange(long low, long high) implements SweepAxis {}
}
