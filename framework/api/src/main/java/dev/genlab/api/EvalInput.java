package dev.genlab.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;

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
 */
public record EvalInput(
        Dataset dataset,
        NDArray reference,
        Samples samples,
        double samplingSeconds,
        Map<String, List<Double>> lossHistory,
        double stepSeconds,
        Map<String, Long> parameterCounts,
        NDManager manager) {}
