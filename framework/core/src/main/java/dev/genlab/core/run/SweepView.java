package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import java.util.List;

/** What a {@link TrialSource} may look at: the sweep's plan and, on demand, its results so far. */
public interface SweepView {

    /** @return the whole plan, in order */
    List<Trial> plan();

    /**
     * Reads the shared record (the tracker), so it costs one scan of the experiment's runs per call.
     *
     * @return the trials of the plan that ended (FINISHED, FAILED or pruned) in any process, with their results, in
     *     plan order
     */
    List<TrialResult> ended();
}
