package dev.genlab.core.prune;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/** What a rule reads of a sweep's records: the shared store's view, the same in every process. */
public interface SweepRecords {

    /**
     * @param runId a trial's run
     * @return the sweep's other trial runs (one per trial), as curves of the objective, in trial-index order
     */
    List<TrialCurve> others(String runId);

    /**
     * @param runId a trial's run
     * @return the objective values it logged at periodic evaluations so far, by step
     */
    NavigableMap<Integer, Double> own(String runId);

    /**
     * @param runId a trial's run
     * @return its tags (earlier decisions among them)
     */
    Map<String, String> tags(String runId);
}
