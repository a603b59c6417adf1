package dev.genlab.api;

import java.util.List;
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

    /**
     * Checks rules that involve several parameters (each parameter's own type and range are already checked
     * against {@link #parameters()}), so that {@code genlab validate} reports them with the spec's location
     * before anything trains. A swept dataset parameter is not seen here, so {@link #load} should check the
     * same rules again. The default: no rules.
     *
     * @param params the dataset's validated, defaulted parameters
     * @return one message per violated rule, naming the parameters and the fix; empty if all hold
     */
    default List<String> validate(Params params) {
        return List.of();
    }
}
