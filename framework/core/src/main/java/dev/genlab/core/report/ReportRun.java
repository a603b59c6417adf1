package dev.genlab.core.report;

import dev.genlab.tracking.RunStatus;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trial run as a report sees it.
 *
 * @param runId the run's id
 * @param name the run's name, e.g. {@code gan lr=0.0002 seed=1}
 * @param paradigm the paradigm's name in the spec
 * @param seed the trial seed (-1 when the run did not record one)
 * @param status the run's status
 * @param swept the run's values of its paradigm's swept axes (short key to value), in axis order
 * @param metrics the final evaluation metrics (without the {@code eval/} prefix)
 * @param losses the training losses (without the {@code train/} prefix): per key, {step, value} pairs
 * @param samples the run's {@code samples.png}, or null if it has none
 * @param points the run's sample points ({@link SamplePoints}, 2-D data only), or null if it has none
 * @param wallSeconds the run's duration (0 while it is still running)
 * @param failure why the run failed (its {@code genlab.failure} tag), or why it was pruned, or empty
 * @param variant the evaluation variant this row shows (the same trained model sampled another way, its
 *     metrics logged as {@code eval/<variant>/<metric>}), or null for the run's main evaluation
 * @param pruned whether the sweep's early-stopping rule stopped the run (KILLED, tag {@code genlab.pruned})
 */
public record ReportRun(
        String runId,
        String name,
        String paradigm,
        long seed,
        RunStatus status,
        Map<String, String> swept,
        Map<String, Double> metrics,
        Map<String, List<double[]>> losses,
        Path samples,
        Path points,
        double wallSeconds,
        String failure,
        String variant,
        boolean pruned) {

    /** Copies the maps, keeping their order. */
    public ReportRun {
        swept = Collections.unmodifiableMap(new LinkedHashMap<>(swept));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        losses = Collections.unmodifiableMap(new LinkedHashMap<>(losses));
        failure = failure == null ? "" : failure;
    }

    /** A run that was not pruned. */
    public ReportRun(String runId, String name, String paradigm, long seed, RunStatus status, Map<String, String> swept,
            Map<String, Double> metrics, Map<String, List<double[]>> losses, Path samples, Path points,
            double wallSeconds, String failure, String variant) {
        this(runId, name, paradigm, seed, status, swept, metrics, losses, samples, points, wallSeconds, failure,
                variant, false);
    }

    /** @return the status as the report shows it: {@code PRUNED} for a pruned run, else the run's status */
    public String statusLabel() {
        return pruned ? "PRUNED" : status.name();
    }

    /** @return the configuration label: the paradigm, its swept values and the variant, seeds pooled */
    public String config() {
        StringBuilder s = new StringBuilder(paradigm);
        swept.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        if (variant != null) {
            s.append(" [").append(variant).append(']');
        }
        return s.toString();
    }

    /** @return whether the run finished (only finished runs enter the statistics) */
    public boolean finished() {
        return status == RunStatus.FINISHED;
    }
}
