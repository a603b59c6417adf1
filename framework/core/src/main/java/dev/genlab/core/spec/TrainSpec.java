package dev.genlab.core.spec;

/**
 * The training budget, owned by the framework's loop.
 *
 * @param steps optimisation steps per trial (default 1000)
 * @param batchSize minibatch size (default 256)
 * @param evalEvery evaluate every this many steps, 0 for only at the end (default 0)
 * @param logEvery log step metrics every this many steps (default 10)
 */
public record TrainSpec(int steps, int batchSize, int evalEvery, int logEvery) {

    /** The defaults used for keys a spec omits. */
    public static final TrainSpec DEFAULTS = new TrainSpec(1000, 256, 0, 10);
}
