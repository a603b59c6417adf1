package dev.genlab.core.spec;

import java.util.List;

/**
 * The evaluation section.
 *
 * @param samples number of generated samples to evaluate (default 2500, PacGAN's count)
 * @param metrics metric provider names to compute; empty means every metric that applies
 */
public record EvaluateSpec(int samples, List<String> metrics) {

    /** Copies the list. */
    public EvaluateSpec {
        metrics = List.copyOf(metrics);
    }

    /** The defaults used for keys a spec omits. */
    public static final EvaluateSpec DEFAULTS = new EvaluateSpec(2500, List.of());
}
