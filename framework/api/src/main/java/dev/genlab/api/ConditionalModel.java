package dev.genlab.api;

/**
 * Capability of paradigms trained with class labels, whose {@link Paradigm#sample} honours
 * {@link SampleRequest#labels()} (and {@link SampleRequest#guidanceScale()} where supported).
 */
public interface ConditionalModel {

    /** @return the number of classes the model was trained on */
    int numClasses();

    /** @return true if the model supports classifier-free guidance */
    default boolean supportsGuidance() {
        return false;
    }
}
