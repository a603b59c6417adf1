package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Parameters;
import dev.genlab.plugin.flow.FlowConfig.Range;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;

/**
 * One trial's flow: wires the networks ({@link FlowModel}), the objective ({@link FlowObjective}) and the
 * likelihood capability ({@link FlowLikelihood}), samples by inverting the flow, and saves everything with
 * one {@link Checkpoint} layout.
 */
final class FlowParadigm implements Paradigm {

    private final NDManager trialManager;
    private final NDManager manager;
    private final DataShape shape;
    private final Params params;
    private final Parameters weights;
    private final FlowModel model;
    private final DataTransform transform;
    private final FlowObjective objective;
    private final FlowLikelihood likelihood;
    /** The one save/load layout: weights, Adam's state, step count, ActNorm's init flag, the image scale. */
    private final Checkpoint checkpoint;

    FlowParadigm(ParadigmSetup setup, FlowConfig config) {
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        this.shape = setup.shape();
        this.params = FlowConfig.withDefaults(setup.params());
        this.weights = new Parameters(manager);
        Parameters flow = weights.scope("flow");
        this.model = new FlowModel(flow, shape, config);
        this.transform = new DataTransform(config.range(), config.alpha());
        Adam adam = new Adam(flow, Adam.Options.lr(config.lr()).clipNorm(config.gradClip()).skipNonFinite(true));
        this.objective = new FlowObjective(flow, model, transform, adam);
        this.likelihood = new FlowLikelihood(flow, model, objective);
        this.checkpoint = new Checkpoint("flow", 1).part("", weights).part("adam", adam)
                .longValue("steps", objective::steps, objective::setSteps)
                .longValue("actnorm_initialised", () -> model.initialised() ? 1 : 0, v -> model.setInitialised(v != 0))
                .longValue("data_range", () -> transform.range().ordinal(),
                        v -> transform.setRange(Range.values()[(int) v]));
    }

    @Override
    public StepResult trainStep(Batch batch) {
        return objective.step(batch);
    }

    /** Draws z ~ N(0, T²I) and returns f⁻¹(z), mapped back to the data's scale (T = {@code temperature}). */
    @Override
    public Samples sample(SampleRequest request) {
        double temperature = params.with(request.options()).getDouble("temperature");
        int n = request.n();
        Parameters flow = weights.scope("flow");
        try (NDManager scope = flow.open(model.constants())) {
            NDArray z = scope.randomNormal(new Shape(n, model.dim())).mul((float) temperature);
            NDArray x = transform.toData(model.inverse(flow.stored(), z)).reshape(shape.batchShape(n));
            x.attach(trialManager); // the caller owns the samples
            return new Samples(x, null, 1);
        }
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return Map.of("flow", weights.count());
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return type == LikelihoodModel.class ? Optional.of(type.cast(likelihood)) : Optional.empty();
    }

    @Override
    public void save(OutputStream out) throws IOException {
        checkpoint.write(out);
    }

    @Override
    public void load(InputStream in) throws IOException {
        checkpoint.read(in);
    }

    /** @return the weights, for tests */
    Parameters weights() {
        return weights;
    }

    /** @return the networks, for tests */
    FlowModel model() {
        return model;
    }

    /** @return the objective, for tests */
    FlowObjective objective() {
        return objective;
    }

    @Override
    public void close() {
        manager.close();
    }
}
