package dev.genlab.api;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * One minibatch of training data. The framework owns the arrays: they are closed after
 * {@link Paradigm#trainStep} returns, so a paradigm must not keep references to them.
 *
 * @param data float32, shape {@code [B, ...]} as given by {@link DataShape#batchShape}
 * @param labels int32 class labels of shape {@code [B]}, or null for unlabelled data
 */
public record Batch(NDArray data, NDArray labels) {

    /** @return the labels if the dataset is labelled */
    public Optional<NDArray> labelsIfPresent() {
        return Optional.ofNullable(labels);
    }

    /** @return the batch size B */
    public int size() {
        return Math.toIntExact(data.getShape().get(0));
    }
}
