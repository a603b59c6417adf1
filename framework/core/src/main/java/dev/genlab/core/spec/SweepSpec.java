package dev.genlab.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sweep section.
 *
 * @param seeds seeds each configuration runs with; empty means the spec's {@code seed} only
 * @param method grid, random or tpe
 * @param trials number of draws or suggestions (random and tpe only)
 * @param parameters dotted key ({@code gan.lr}, {@code train.steps}, {@code dataset.params.std}) to axis
 * @param objective what the sweep optimises, or null; set whenever method is tpe or early_stop is set
 * @param earlyStop the early-stopping rule, or null for none
 */
public record SweepSpec(List<Long> seeds, SweepMethod method, int trials, Map<String, SweepAxis> parameters,
        SweepObjective objective, EarlyStopSpec earlyStop) {

    /** Copies the collections, keeping the axis order. */
    public SweepSpec {
        seeds = List.copyOf(seeds);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        if (earlyStop != null && objective == null) {
            throw new IllegalArgumentException("early_stop needs an objective");
        }
    }

    /** A sweep without objective or early stopping. */
    public SweepSpec(List<Long> seeds, SweepMethod method, int trials, Map<String, SweepAxis> parameters) {
        this(seeds, method, trials, parameters, null, null);
    }

    /** A sweep of one configuration and no extra seeds. */
    public static final SweepSpec NONE = new SweepSpec(List.of(), SweepMethod.GRID, 0, Map.of());

    /** @return the objective, if the sweep has one */
    public Optional<SweepObjective> objectiveIfSet() {
        return Optional.ofNullable(objective);
    }

    /** @return the early-stopping rule, if the sweep has one */
    public Optional<EarlyStopSpec> earlyStopIfSet() {
        return Optional.ofNullable(earlyStop);
    }

    /**
     * Whether trials are trained in an order shuffled by the spec's seed rather than in plan order: for
     * early-stopped grid and random sweeps, whose rules compare a trial with the trials that reached a rung
     * before it (docs/early-stopping.md, "Trial order"). TPE chooses configurations as slots are claimed.
     *
     * @return true when the training order is shuffled
     */
    public boolean shufflesTrialOrder() {
        return earlyStop != null && method != SweepMethod.TPE;
    }
}
