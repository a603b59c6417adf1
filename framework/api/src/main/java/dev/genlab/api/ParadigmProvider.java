package dev.genlab.api;

import java.util.List;
import java.util.Set;

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

    /**
     * Checks rules that involve several parameters (each parameter's own type and range are already
     * checked against {@link #parameters()}), so that {@code genlab validate} reports them with the spec's
     * location before anything trains. Rules that need the data's shape stay in {@link #create}. The
     * default: no rules.
     *
     * @param params the paradigm's validated, defaulted parameters
     * @return one message per violated rule, naming the parameters and the fix; empty if all hold
     */
    default List<String> validate(Params params) {
        return List.of();
    }

    /**
     * Names the parameters that only change how a trained model samples (a sampler, its step count, a
     * guidance scale), never what it learns. Evaluation variants ({@code evaluate.variants} in a spec) may
     * override exactly these on one trained model through {@link SampleRequest#options()}, which is how a
     * single trial compares samplers. The default: none.
     *
     * @return parameter names, each also declared in {@link #parameters()}
     */
    default Set<String> samplingParameters() {
        return Set.of();
    }
}
