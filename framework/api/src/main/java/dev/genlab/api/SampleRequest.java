package dev.genlab.api;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A request for {@code n} samples.
 *
 * @param n number of samples, at least 1
 * @param labels the class label of each sample (length {@code n}) for conditional models, or null
 * @param guidanceScale classifier-free guidance weight, or null for the model's default
 * @param steps number of sampler steps (e.g. DDIM steps), or null for the model's default
 * @param options overrides of the paradigm's {@linkplain ParadigmProvider#samplingParameters() sampling
 *     parameters} for this request only (validated against its schema), empty for the trial's values;
 *     {@code guidanceScale} and {@code steps}, when set, win over the same settings given here
 */
public record SampleRequest(int n, int[] labels, Double guidanceScale, Integer steps, Params options) {

    /** Checks that {@code n} is positive and {@code labels} has length {@code n}. */
    public SampleRequest {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries for n=" + n);
        }
        labels = labels == null ? null : labels.clone();
        options = options == null ? new Params(Map.of()) : options;
    }

    /**
     * The version-1 form, without sampling options.
     *
     * @param n number of samples
     * @param labels per-sample class labels, or null
     * @param guidanceScale guidance weight, or null
     * @param steps sampler steps, or null
     */
    public SampleRequest(int n, int[] labels, Double guidanceScale, Integer steps) {
        this(n, labels, guidanceScale, steps, null);
    }

    /**
     * @param n number of samples
     * @return an unconditional request with model defaults
     */
    public static SampleRequest of(int n) {
        return new SampleRequest(n, null, null, null);
    }

    /** @return a copy of the requested labels, if any */
    public Optional<int[]> labelsIfPresent() {
        return Optional.ofNullable(labels).map(int[]::clone);
    }

    /** @return the guidance scale, if requested */
    public OptionalDouble guidance() {
        return guidanceScale == null ? OptionalDouble.empty() : OptionalDouble.of(guidanceScale);
    }

    /** @return the sampler step count, if requested */
    public OptionalInt stepsIfPresent() {
        return steps == null ? OptionalInt.empty() : OptionalInt.of(steps);
    }
}
