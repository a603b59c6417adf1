package dev.genlab.api;

import java.util.Optional;

/**
 * The {@link java.util.ServiceLoader} entry point of a dataset, listed in
 * {@code META-INF/services/dev.genlab.api.DatasetProvider}.
 */
public interface DatasetProvider extends Plugin {

    /**
     * Loads or generates the data deterministically.
     *
     * @param setup parameters, manager and seed
     * @return the dataset
     */
    Dataset load(DatasetSetup setup);

    /**
     * Loads examples of the same distribution that {@link #load} with the same setup never returns: a test
     * split for real data, fresh draws for synthetic data. The framework evaluates likelihoods and
     * {@link Diagnostics} on them, so a model is not judged on what it trained on. The default: none.
     *
     * @param setup the same parameters and seed as the training data's
     * @return the held-out examples, if this dataset has any
     */
    default Optional<Dataset> loadHeldOut(DatasetSetup setup) {
        return Optional.empty();
    }
}
