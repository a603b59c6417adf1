package dev.genlab.core.spec;

/** How sweep axes combine into trials. */
public enum SweepMethod {
    /** Every combination of the listed values. */
    GRID,
    /** {@code trials} independent draws from the axes' distributions. */
    RANDOM
}
