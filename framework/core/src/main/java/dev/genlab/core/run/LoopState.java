package dev.genlab.core.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop's own state at a step boundary: what, besides the model, a checkpoint must hold so
 * that the steps after it see the same batches and produce the same history as an uninterrupted run.
 *
 * @param step steps completed
 * @param order the batch-order generator
 * @param permutation the current epoch's example order
 * @param cursor the next position in {@code permutation}
 * @param history every step's losses so far
 * @param stepNanos training time so far
 */
record LoopState(int step, StateRandom.Snapshot order, int[] permutation, int cursor,
        Map<String, List<Double>> history, long stepNanos) {

    /** Deep-copies the mutable parts. */
    LoopState {
        permutation = permutation.clone();
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        history.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        history = copy;
    }

    /** @return a mutable copy of the history, to continue appending to */
    Map<String, List<Double>> mutableHistory() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        history.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        return copy;
    }
}
