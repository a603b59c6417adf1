package dev.genlab.core.run;

import java.util.Random;

/**
 * A {@link Random} whose state can be saved in a checkpoint and restored in place (a plugin keeps the
 * instance it was given, so restoring must not replace it). It produces exactly the sequence of
 * {@code new Random(seed)}: the same 48-bit linear congruential generator and the same polar method for
 * Gaussians, as {@link Random}'s documentation specifies them.
 */
final class StateRandom extends Random {

    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    // No initialisers: Random's constructor calls setSeed before this class's field initialisers would run.
    private long state;
    private double nextNextGaussian;
    private boolean haveNextNextGaussian;

    StateRandom(long seed) {
        super(seed);
    }

    /** The generator's full state. */
    record Snapshot(long state, boolean haveNextNextGaussian, double nextNextGaussian) {}

    synchronized Snapshot snapshot() {
        return new Snapshot(state, haveNextNextGaussian, nextNextGaussian);
    }

    synchronized void restore(Snapshot s) {
        state = s.state();
        haveNextNextGaussian = s.haveNextNextGaussian();
        nextNextGaussian = s.nextNextGaussian();
    }

    @Override
    public synchronized void setSeed(long seed) {
        state = (seed ^ MULTIPLIER) & MASK;
        haveNextNextGaussian = false;
    }

    @Override
    protected synchronized int next(int bits) {
        state = (state * MULTIPLIER + ADDEND) & MASK;
        return (int) (state >>> (48 - bits));
    }

    @Override
    public synchronized double nextGaussian() {
        if (haveNextNextGaussian) {
            haveNextNextGaussian = false;
            return nextNextGaussian;
        }
        double v1;
        double v2;
        double s;
        do {
            v1 = 2 * nextDouble() - 1;
            v2 = 2 * nextDouble() - 1;
            s = v1 * v1 + v2 * v2;
        } while (s >= 1 || s == 0);
        double multiplier = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        nextNextGaussian = v2 * multiplier;
        haveNextNextGaussian = true;
        return v1 * multiplier;
    }
}
