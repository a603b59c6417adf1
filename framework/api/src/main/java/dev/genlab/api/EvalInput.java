package dev.genlab.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a metric may look at after a trial has trained.
 *
 * @param dataset the training dataset (with its truth, if synthetic)
 * @param reference real examples to compare against, shape {@code [m, ...]}
 * @param samples the generated samples
 * @param samplingSeconds wall time spent generating {@code samples}
 * @param lossHistory per loss name, the value of every training step in order
 * @param stepSeconds mean wall time of one training step
 * @param parameterCounts trainable parameters per network
 * @param manager a manager for temporary arrays, closed after evaluation
 * @param heldOut examples the model never trained on (see {@link DatasetProvider#loadHeldOut}), or null
 * @param paradigm the trained model, for metrics that query a capability such as {@link LikelihoodModel};
 *     a metric must not train it; null when a metric is computed outside a trial
 */
public record EvalInput(
        Dataset dataset,
        NDArray reference,
        Samples samples,
        double samplingSeconds,
        Map<String, List<Double>> lossHistory,
        double stepSeconds,
        Map<String, Long> parameterCounts,
        NDManager manager,
        Dataset heldOut,
        Paradigm paradigm) {

    /**
     * The version-1 form, without held-out data or the model.
     *
     * @param dataset the training dataset
     * @param reference real examples to compare against
     * @param samples the generated samples
     * @param samplingSeconds wall time spent generating {@code samples}
     * @param lossHistory per loss name, every training step's value
     * @param stepSeconds mean wall time of one training step
     * @param parameterCounts trainable parameters per network
     * @param manager a manager for temporary arrays
     */
    public EvalInput(Dataset dataset, NDArray reference, Samples samples, double samplingSeconds,
            Map<String, List<Double>> lossHistory, double stepSeconds, Map<String, Long> parameterCounts,
            NDManager manager) {
        this(dataset, reference, samples, samplingSeconds, lossHistory, stepSeconds, parameterCounts, manager,
                null, null);
    }

    /** @return the held-out examples, if the dataset has any */
    public Optional<Dataset> heldOutIfPresent() {
        return Optional.ofNullable(heldOut);
    }

    /** @return the trained model, if evaluated inside a trial */
    public Optional<Paradigm> paradigmIfPresent() {
        return Optional.ofNullable(paradigm);
    }
}
