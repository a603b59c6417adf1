package dev.genlab.core.spec;

/** How sweep axes combine into trials. */
public enum SweepMethod {
    /** Every combination of the listed values. */
    GRID,
    /** {@code trials} independent draws from the axes' distributions. */
    RANDOM,
    /**
     * {@code trials} suggestions of a Tree-structured Parzen Estimator (Bergstra et al. 2011), each from
     * the objective values of the trials completed before it.
     */
    TPE
}
