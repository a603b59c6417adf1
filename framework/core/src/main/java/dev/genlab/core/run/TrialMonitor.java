package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import java.util.Map;

/**
 * Reads each periodic evaluation of a trial as it happens ({@code train.eval_every}) and may end the
 * trial's training there, e.g. an early-stopping or pruning rule. The trial then gets its final
 * evaluation at that step, as if {@code train.steps} had been that step.
 *
 * <p>Called on the trial's thread (trials run in parallel call it at once), with values that depend only on
 * the trial's configuration and the step (see {@link TrialRunner}), so a rule that depends only on them
 * decides the same way after a resume. A rule with memory (patience) must rebuild it after a resume from
 * the run's logged values: periodic evaluations before the checkpoint are not repeated.
 */
public interface TrialMonitor {

    /** Continue or stop after a periodic evaluation. */
    enum Decision {
        /** Train on. */
        CONTINUE,
        /** End training at this step. */
        STOP
    }

    /** Never stops a trial. */
    TrialMonitor NONE = (trial, step, values) -> Decision.CONTINUE;

    /**
     * Called once the trial's run exists (started, or continued by a resume), before training: a rule that
     * records its decisions on the run keeps the id.
     *
     * @param trial the trial
     * @param runId its run
     */
    default void started(Trial trial, String runId) {}

    /**
     * @param trial the trial
     * @param step the training steps completed
     * @param values the periodic evaluation's metrics and diagnostics by short name ({@code modes_covered},
     *     {@code precision}, ...; logged under the keys of {@link dev.genlab.core.metrics.MetricKeys})
     * @return whether to train on
     * @throws TrialPruned to end the trial as pruned (KILLED, no final evaluation) rather than stop it
     */
    Decision evaluated(Trial trial, int step, Map<String, Double> values);
}
