package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import java.util.List;

/**
 * Decides which trial a worker of a shared sweep trains next: the hook for sweep methods. Workers ask it
 * whenever they are free; the runner then claims the first candidate that has not ended and that no live
 * process holds (a claim in the shared store, see {@code docs/scale.md}), so a source never has to know
 * about other processes, and any number of workers may ask at once.
 *
 * <p>Grid and random search hand out the fixed plan in order ({@link #planOrder}). TPE ({@link TpeSource})
 * hands out its slots in order too, and chooses a slot's configuration from {@link SweepView#ended()} when
 * the slot is first claimed ({@link #claimed}).
 * Whether a running trial should continue (median stopping, ASHA) is not decided here yet.
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
}
