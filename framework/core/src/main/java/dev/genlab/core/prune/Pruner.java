package dev.genlab.core.prune;

import dev.genlab.core.run.TrialMonitor;
import dev.genlab.core.run.TrialPruned;
import dev.genlab.core.spec.EarlyStopSpec;
import dev.genlab.core.spec.SweepObjective;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.Tracker;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Applies a sweep's {@code early_stop} rule at each periodic evaluation of its trials: judges the trial on
 * the sweep's records, writes the decision on the trial's run ({@value #DECISION_TAG}{@code <step>}) and
 * stops a losing trial with {@link TrialPruned}. A decision already on the run (a resumed trial reaching
 * a step it was judged at) is replayed, not made again.
 */
public final class Pruner implements TrialMonitor {

    private static final Logger LOG = LogManager.getLogger(Pruner.class);

    /** Prefix of the tags holding decisions, followed by the evaluation's step. */
    public static final String DECISION_TAG = "genlab.early_stop.";

    private final EarlyStopSpec spec;
    private final SweepObjective objective;
    private final Tracker tracker;
    private final SweepRecords records;
    private final Map<String, String> runIds = new ConcurrentHashMap<>();
    private final Set<String> missing = ConcurrentHashMap.newKeySet();

    /**
     * @param spec the rule
     * @param objective what it judges
     * @param tracker where decisions are recorded (the sweep's tracker)
     * @param records the sweep's records, as every process sees them
     */
    public Pruner(EarlyStopSpec spec, SweepObjective objective, Tracker tracker, SweepRecords records) {
        this.spec = spec;
        this.objective = objective;
        this.tracker = tracker;
        this.records = records;
    }

    @Override
    public void started(Trial trial, String runId) {
        runIds.put(trial.hash(), runId);
    }

    @Override
    public Decision evaluated(Trial trial, int step, Map<String, Double> values) {
        String runId = runIds.get(trial.hash());
        if (step < spec.graceSteps() || runId == null) {
            return Decision.CONTINUE;
        }
        String tag = DECISION_TAG + step;
        String earlier = records.tags(runId).get(tag);
        Verdict verdict;
        if (earlier != null) {
            verdict = Verdict.parse(earlier);
            LOG.info("trial {}: step {}: replaying the recorded decision: {}", trial.runName(), step,
                    verdict.recorded());
        } else {
            OptionalDouble value = objective.read(values);
            if (value.isEmpty()) {
                if (missing.add(trial.hash())) {
                    LOG.warn("trial {}: its periodic evaluation has no {}, so early stopping cannot judge it",
                            trial.runName(), objective.metric());
                }
                return Decision.CONTINUE;
            }
            verdict = judge(trial, runId, step, value.getAsDouble());
            if (verdict == null) {
                return Decision.CONTINUE; // no rung at this evaluation
            }
            tracker.setTags(runId, Map.of(tag, verdict.recorded()));
            LOG.info("trial {}: {}", trial.runName(), verdict.recorded());
        }
        if (verdict.stop()) {
            throw new TrialPruned(verdict.reason());
        }
        return Decision.CONTINUE;
    }

    /** The rule's verdict at this evaluation, or null if the rule judges nothing here. */
    private Verdict judge(Trial trial, String runId, int step, double value) {
        int steps = trial.train().steps();
        if (spec.type() == EarlyStopSpec.Type.MEDIAN) {
            NavigableMap<Integer, Double> own = new TreeMap<>(records.own(runId));
            own.put(step, value);
            return Rules.median(objective, spec.minTrials(), step, own, records.others(runId));
        }
        int brackets = spec.type() == EarlyStopSpec.Type.HYPERBAND ? Rules.brackets(spec, steps) : 1;
        int bracket = Rules.bracketOf(trial.index(), brackets);
        List<Integer> rungs = Rules.rungs(spec.graceSteps(), spec.reductionFactor(), bracket, steps);
        List<Map.Entry<Integer, Integer>> reached =
                Rules.reached(rungs, Math.max(0, step - trial.train().evalEvery()), step);
        if (reached.isEmpty()) {
            return null;
        }
        String rule = spec.type() == EarlyStopSpec.Type.ASHA ? "asha" : "hyperband bracket " + bracket;
        List<TrialCurve> others = records.others(runId);
        Verdict verdict = null;
        for (Map.Entry<Integer, Integer> rung : reached) {
            List<Double> competing = Rules.rungValues(others, rung.getValue(),
                    i -> Rules.bracketOf(i, brackets) == bracket);
            verdict = Rules.asha(objective, spec.reductionFactor(), rule, rung.getKey(), rung.getValue(), value,
                    competing);
            if (verdict.stop()) {
                break;
            }
        }
        return verdict;
    }
}
