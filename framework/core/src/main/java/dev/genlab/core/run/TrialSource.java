package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

/**
 * Decides which trial a worker of a shared sweep trains next: the hook for sweep methods. Workers ask it
 * whenever they are free; the runner then claims the first candidate that has not ended and that no live
 * process holds (a claim in the shared store, see {@code docs/scale.md}), so a source never has to know
 * about other processes, and any number of workers may ask at once.
 *
 * <p>Grid and random search hand out the fixed plan in order ({@link #planOrder}), or, with early stopping,
 * in a seeded shuffled order ({@link #shuffled}). TPE ({@link TpeSource}) hands out its slots in order, and
 * chooses a slot's configuration from {@link SweepView#ended()} when the slot is first claimed
 * ({@link #claimed}). Whether a running trial continues (median stopping, ASHA) is the pruner's decision.
 */
@FunctionalInterface
public interface TrialSource {

    /**
     * @param view the sweep as the shared record holds it now
     * @return trials this worker may train now, most wanted first; trials that ended or are held elsewhere
     *     are skipped by the caller; an empty list (or only such trials) means this worker is done
     */
    List<Trial> candidates(SweepView view);

    /**
     * The trial to train, once this worker holds the claim on a planned one. Methods that fix the whole
     * plan up front return it as planned; TPE settles a slot's configuration here (chooses it, or reads the
     * choice made before), keeping the planned trial's hash.
     *
     * @param planned a candidate this worker claimed
     * @param view the sweep as the shared record holds it now
     * @return the trial to train
     */
    default Trial claimed(Trial planned, SweepView view) {
        return planned;
    }

    /**
     * @param planned a trial of the plan
     * @return the trial as the record says it was trained, for results read back from the record (the
     *     planned one by default, and for a slot whose configuration is not chosen yet)
     */
    default Trial recorded(Trial planned) {
        return planned;
    }

    /**
     * The plan in order, or the trials of one static shard of it ({@code --shard i/n}).
     *
     * @param shard the static part of the plan this worker may take, or null for all of it
     * @return the source
     */
    static TrialSource planOrder(Shard shard) {
        return view -> shard == null ? view.plan() : shard.select(view.plan());
    }

    /**
     * The plan, or one static shard of it, in an order shuffled by {@code seed}: the same order in every
     * process, so workers and resumes agree on it. Early-stopped sweeps use it because their rules judge a
     * trial against the trials that reached a rung before it: a grid in plan order sends a whole block of
     * similar configurations (say every run at the lowest learning rate) first, and they pass their rungs
     * compared only with each other (docs/early-stopping.md, "Trial order").
     *
     * @param shard the static part of the plan this worker may take, or null for all of it
     * @param seed the shuffle's seed (the spec's seed)
     * @return the source
     */
    static TrialSource shuffled(Shard shard, long seed) {
        return view -> {
            List<Trial> order = new ArrayList<>(view.plan());
            Collections.shuffle(order, new Random(seed));
            if (shard == null) {
                return order;
            }
            List<Trial> mine = shard.select(view.plan());
            order.retainAll(new HashSet<>(mine));
            return order;
        };
    }
}
