package dev.genlab.plugin.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training objective: the exact negative log-likelihood per dimension of a minibatch (maximum
 * likelihood, RealNVP §3), minimised with {@link Adam}. A step differentiates fresh views of the weights
 * ({@link Parameters#views}) and hands their gradients to Adam, so nothing accumulates between steps.
 */
final class FlowObjective {

    private final Parameters params;
    private final FlowModel model;
    private final DataTransform transform;
    private final Adam adam;
    private long steps;

    FlowObjective(Parameters params, FlowModel model, DataTransform transform, Adam adam) {
        this.params = params;
        this.model = model;
        this.transform = transform;
        this.adam = adam;
    }

    /** @return optimisation steps taken (skipped updates included) */
    long steps() {
        return steps;
    }

    void setSteps(long value) {
        steps = value;
    }

    /**
     * −log p(x) per example, in nats, with the weights {@code w}; for images, of the discrete data (one
     * dequantisation draw per pixel, see {@link DataTransform}).
     *
     * @param x data [n, D]
     * @param u dequantisation noise U[0, 1) [n, D], or null for points
     */
    NDArray nllPerExample(NDArray[] w, NDArray x, NDArray u) {
        NDArray[] prepared = transform.prepare(x, u);
        return model.logProb(w, prepared[0]).add(prepared[1]).neg();
    }

    /** @return the batch's examples as rows [n, D], and its dequantisation noise (null for points) */
    NDArray[] rows(NDArray data) {
        NDArray x = data.reshape(data.getShape().get(0), model.dim());
        transform.resolve(x);
        NDArray u = transform.discrete() ? x.getManager().randomUniform(0f, 1f, x.getShape()) : null;
        return new NDArray[] {x, u};
    }

    /**
     * One Adam step on the batch's NLL (ActNorm is data-initialised from the first batch).
     *
     * @return {@code nll} in nats/dim (before the update), and {@code grad_norm} when clipping measures it
     */
    StepResult step(Batch batch) {
        Map<String, Double> out = new LinkedHashMap<>();
        try (NDManager scope = params.open(append(model.constants(), batch.data()))) {
            NDArray[] xu = rows(batch.data());
            if (!model.initialised()) {
                model.initialize(transform.prepare(xu[0], xu[1])[0]);
            }
            NDArray[] w = params.views(scope);
            NDArray loss;
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                loss = nllPerExample(w, xu[0], xu[1]).mean().div(Scalars.of(xu[0], model.dim()));
                collector.backward(loss);
            }
            NDArray[] grads = new NDArray[w.length];
            for (int i = 0; i < w.length; i++) {
                grads[i] = w[i].getGradient();
            }
            Adam.Update update = adam.step(grads);
            steps++;
            out.put("nll", (double) loss.getFloat());
            if (Double.isFinite(update.gradNorm())) {
                out.put("grad_norm", update.gradNorm());
            }
        }
        return new StepResult(out);
    }

    /** @return {@code arrays} followed by {@code last} */
    static NDArray[] append(NDArray[] arrays, NDArray last) {
        NDArray[] out = Arrays.copyOf(arrays, arrays.length + 1);
        out[arrays.length] = last;
        return out;
    }
}
