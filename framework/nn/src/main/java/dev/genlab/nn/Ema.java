package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * An exponential moving average of a scope's trainable arrays (Polyak averaging; the sampling weights of
 * diffusion models and of GAN generators). The averages are {@link Parameters#buffer buffers} of another scope,
 * named like their sources, so the checkpoint of the parameter set saves them and a forward pass runs on
 * {@link #averages()} exactly as on {@link Parameters#stored()} (same order).
 */
public final class Ema {

    private final NDArray[] source;
    private final NDArray[] average;

    /**
     * Starts the averages as copies of the current trainable arrays.
     *
     * @param source the scope averaged, e.g. {@code params.scope("denoiser")}
     * @param into the scope that holds the averages, e.g. {@code params.scope("ema")}; its buffers are named
     *     like the source's entries relative to the source's prefix
     */
    public Ema(Parameters source, Parameters into) {
        this.source = source.stored();
        List<String> names = source.names();
        average = new NDArray[this.source.length];
        for (int i = 0; i < average.length; i++) {
            // A copy of the detached data: never part of a graph, whatever the source's gradient mode.
            NDArray copy;
            try (NDArray detached = this.source[i].stopGradient()) {
                copy = detached.duplicate();
            }
            average[i] = into.buffer(names.get(i).substring(source.prefix().length()), copy);
        }
    }

    /** @return the averages, in the source's {@link Parameters#stored()} order */
    public NDArray[] averages() {
        return average.clone();
    }

    /**
     * One in-place update a ← d·a + (1 − d)·w of every average.
     *
     * @param decay d in [0, 1]
     */
    public void update(double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decay);
        }
        if (average.length == 0) {
            return;
        }
        // Two scalar arrays for all tensors: a Java number operand would make (and free) one per operation.
        try (NDManager tmp = average[0].getManager().newSubManager()) {
            NDArray keep = tmp.create((float) decay);
            NDArray take = tmp.create((float) (1 - decay));
            for (int i = 0; i < average.length; i++) {
                try (NDArray scaled = source[i].mul(take)) {
                    average[i].muli(keep).addi(scaled);
                }
            }
        }
    }

    /**
     * The usual warm-up of the decay, so early averages are not stuck at the initialisation.
     *
     * @param decay the target decay d
     * @param updates n, the updates made so far (including the one being averaged)
     * @return min(d, (1 + n)/(10 + n))
     */
    public static double rampedDecay(double decay, long updates) {
        return Math.min(decay, (1.0 + updates) / (10.0 + updates));
    }
}
