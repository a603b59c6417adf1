package dev.genlab.api;

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
}
