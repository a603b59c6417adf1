package dev.genlab.core.spec;

import java.util.List;

/**
 * The evaluation section.
 *
 * @param samples number of generated samples to evaluate (default 2500, PacGAN's count)
 * @param metrics metric provider names to compute; empty means every metric that applies
 * @param heldout how many held-out examples (never trained on) likelihood metrics and paradigm diagnostics
 *     use, if the dataset has a held-out split; 0 turns them off
 * @param periodicMetrics the metrics of the periodic evaluations ({@code train.eval_every}); empty means
 *     the cheap ones ({@link #CHEAP_METRICS}) among {@code metrics} (or among all, if that is empty) that apply
 * @param periodicSamples generated samples per periodic evaluation; 0 means
 *     min({@code samples}, {@link #DEFAULT_PERIODIC_SAMPLES})
 */
public record EvaluateSpec(int samples, List<String> metrics, int heldout, List<String> periodicMetrics,
        int periodicSamples) {

    /** The default {@code heldout}: enough for a stable mean NLL, cheap enough for an IWAE bound. */
    public static final int DEFAULT_HELDOUT = 1000;

    /** The most samples a periodic evaluation draws unless {@code periodic_samples} says otherwise. */
    public static final int DEFAULT_PERIODIC_SAMPLES = 1000;

    /**
     * The metrics a periodic evaluation computes by default: those costing well under a second on a
     * thousand samples. Fréchet/KID, likelihood bounds and speed are left to the final evaluation.
     */
    public static final List<String> CHEAP_METRICS = List.of("modes", "prdc", "classifier");

    /** Copies the lists. */
    public EvaluateSpec {
        metrics = List.copyOf(metrics);
        periodicMetrics = List.copyOf(periodicMetrics);
        if (heldout < 0) {
            throw new IllegalArgumentException("heldout must be >= 0, got " + heldout);
        }
        if (periodicSamples < 0) {
            throw new IllegalArgumentException("periodicSamples must be >= 0, got " + periodicSamples);
        }
    }

    /** Settings with the default periodic evaluation. */
    public EvaluateSpec(int samples, List<String> metrics, int heldout) {
        this(samples, metrics, heldout, List.of(), 0);
    }

    /**
     * Settings with the default held-out count.
     *
     * @param samples generated samples
     * @param metrics metric names, empty for all that apply
     */
    public EvaluateSpec(int samples, List<String> metrics) {
        this(samples, metrics, DEFAULT_HELDOUT);
    }

    /** The defaults used for keys a spec omits. */
    public static final EvaluateSpec DEFAULTS = new EvaluateSpec(2500, List.of());

    /** @return the same settings with another sample count (a swept {@code evaluate.samples}) */
    public EvaluateSpec withSamples(int n) {
        return new EvaluateSpec(n, metrics, heldout, periodicMetrics, periodicSamples);
    }

    /** @return the samples a periodic evaluation draws */
    public int periodicSampleCount() {
        return periodicSamples > 0 ? periodicSamples : Math.min(samples, DEFAULT_PERIODIC_SAMPLES);
    }

    /** @return whether the periodic metrics are the default cheap subset (metrics that do not apply are skipped silently) */
    public boolean periodicDefault() {
        return periodicMetrics.isEmpty();
    }

    /** @return the periodic metrics: as listed, or the cheap ones among {@code metrics} (all, if empty) */
    public List<String> periodicMetricNames() {
        if (!periodicMetrics.isEmpty()) {
            return periodicMetrics;
        }
        return CHEAP_METRICS.stream().filter(m -> metrics.isEmpty() || metrics.contains(m)).toList();
    }
}
