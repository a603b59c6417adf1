package dev.genlab.core.spec;

import java.util.List;

/**
 * The evaluation section.
 *
 * @param samples number of generated samples to evaluate (default 2500, PacGAN's count)
 * @param metrics metric provider names to compute; empty means every metric that applies
 * @param heldout how many held-out examples (never trained on) likelihood metrics and paradigm diagnostics
 *     use, if the dataset has a held-out split; 0 turns them off
 */
public record EvaluateSpec(int samples, List<String> metrics, int heldout) {

    /** The default {@code heldout}: enough for a stable mean NLL, cheap enough for an IWAE bound. */
    public static final int DEFAULT_HELDOUT = 1000;

    /** Copies the list. */
    public EvaluateSpec {
        metrics = List.copyOf(metrics);
        if (heldout < 0) {
            throw new IllegalArgumentException("heldout must be >= 0, got " + heldout);
        }
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
}
