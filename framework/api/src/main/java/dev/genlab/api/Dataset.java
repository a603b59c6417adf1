package dev.genlab.api;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * An in-memory dataset. Its arrays belong to the manager given to {@link DatasetProvider#load}.
 *
 * @param name the provider's name, e.g. {@code ring8}
 * @param data float32 examples, shape {@code [N, ...]} matching {@code shape}
 * @param labels int32 labels of shape {@code [N]}, or null
 * @param shape per-example shape and class count
 * @param truth the generating mixture for synthetic data, or null
 */
public record Dataset(String name, NDArray data, NDArray labels, DataShape shape, MixtureTruth truth) {

    /** @return the number of examples N */
    public int size() {
        return Math.toIntExact(data.getShape().get(0));
    }

    /** @return the labels, if the data is labelled */
    public Optional<NDArray> labelsIfPresent() {
        return Optional.ofNullable(labels);
    }

    /** @return the generating mixture, if known */
    public Optional<MixtureTruth> truthIfPresent() {
        return Optional.ofNullable(truth);
    }
}
