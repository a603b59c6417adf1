package dev.genlab.api;

import java.util.Map;

/**
 * The {@link java.util.ServiceLoader} entry point of a metric family, listed in
 * {@code META-INF/services/dev.genlab.api.MetricProvider}. Specs name it under
 * {@code evaluate.metrics}. Metrics take no parameters in this API version, so
 * {@link #parameters()} defaults to an empty schema.
 */
public interface MetricProvider extends Plugin {

    @Override
    default ParamSchema parameters() {
        return ParamSchema.empty();
    }

    /**
     * @param input the evaluation input
     * @return true if this metric can be computed on it (e.g. mode metrics need a {@link MixtureTruth});
     *     a spec naming a metric that does not apply gets it skipped, said once per sweep and paradigm
     */
    boolean appliesTo(EvalInput input);

    /**
     * Computes the metric values. Keys are short names, logged as {@code eval/<key>}.
     *
     * @param input the evaluation input
     * @return metric name to value
     */
    Map<String, Double> compute(EvalInput input);
}
