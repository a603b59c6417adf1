package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.genlab.api.Batch;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.nn.Parameters;

/**
 * The {@link LikelihoodModel} capability: the flow's exact negative log-likelihood of held-out examples, in
 * nats per dimension. For points it is the exact NLL of the continuous density; for images, the NLL of the
 * discrete data bounded through one uniform-dequantisation draw per pixel (see {@link DataTransform};
 * bits/dim = nats/dim / ln 2).
 */
final class FlowLikelihood implements LikelihoodModel {

    private final Parameters params;
    private final FlowModel model;
    private final FlowObjective objective;

    FlowLikelihood(Parameters params, FlowModel model, FlowObjective objective) {
        this.params = params;
        this.model = model;
        this.objective = objective;
    }

    @Override
    public double nllNatsPerDim(Batch batch) {
        try (NDManager scope = params.open(FlowObjective.append(model.constants(), batch.data()))) {
            NDArray[] xu = objective.rows(batch.data());
            NDArray nll = objective.nllPerExample(params.stored(), xu[0], xu[1]);
            return nll.toType(DataType.FLOAT64, false).mean().getDouble() / model.dim();
        }
    }
}
