package dev.genlab.core.spec;

/**
 * The training budget, owned by the framework's loop.
 *
 * @param steps optimisation steps per trial (default 1000)
 * @param batchSize minibatch size (default 256)
 * @param evalEvery evaluate every this many steps, 0 for only at the end (default 0)
 * @param logEvery log step metrics every this many steps (default 10)
 * @param checkpointEvery save a resumable checkpoint every this many steps, 0 for never (default 500); it
 *     does not change results, so it is not part of the trial hash
 */
public record TrainSpec(int steps, int batchSize, int evalEvery, int logEvery, int checkpointEvery) {

    /** The default checkpoint cadence. */
    public static final int DEFAULT_CHECKPOINT_EVERY = 500;

    /** The defaults used for keys a spec omits. */
    public static final TrainSpec DEFAULTS = new TrainSpec(1000, 256, 0, 10, DEFAULT_CHECKPOINT_EVERY);

    /** A budget with the default checkpoint cadence. */
    public TrainSpec(int steps, int batchSize, int evalEvery, int logEvery) {
        this(steps, batchSize, evalEvery, logEvery, DEFAULT_CHECKPOINT_EVERY);
    }
}
