package dev.genlab.api;

/**
 * The {@link java.util.ServiceLoader} entry point of a paradigm plugin. Implementations must have a
 * public no-argument constructor and be listed in
 * {@code META-INF/services/dev.genlab.api.ParadigmProvider}.
 *
 * <p>A provider is stateless: it describes the paradigm and creates one {@link Paradigm} per trial.
 */
public interface ParadigmProvider extends Plugin {

    /**
     * Creates a fresh, randomly initialised model for one trial.
     *
     * @param setup validated parameters, data shape, manager and seeds
     * @return the paradigm instance, owned by the framework
     * @throws IllegalArgumentException if the parameters do not suit the data shape; the message is
     *     shown to the user as the trial's failure reason
     */
    Paradigm create(ParadigmSetup setup);
}
