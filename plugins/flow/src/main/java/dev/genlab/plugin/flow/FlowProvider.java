package dev.genlab.plugin.flow;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Params;
import java.util.List;
import java.util.Set;

/**
 * The {@code flow} paradigm: a RealNVP-style normalising flow (Dinh, Sohl-Dickstein, Bengio: "Density
 * estimation using Real NVP", ICLR 2017) with exact likelihood. Listed in
 * {@code META-INF/services/dev.genlab.api.ParadigmProvider}; stateless, one {@link FlowParadigm} per trial.
 */
public final class FlowProvider implements ParadigmProvider {

    /** The schema, built once: providers are stateless and asked for it often. */
    static final ParamSchema SCHEMA = ParamSchema.builder()
            .addDouble("lr", 1e-3, 1e-6, 1.0, "Adam learning rate")
            .addDouble("grad_clip", 0.0, 0.0, 1e6, "clip the global gradient L2 norm to this (0 = off)")
            .addInt("layers", 8, 2, 64, "affine coupling layers; even, their masks alternate")
            .addInt("hidden", 128, 4, 4096, "width of the hidden layers of each coupling's s/t network")
            .addInt("depth", 2, 1, 8, "hidden layers of each coupling's s/t network (an MLP)")
            .addChoice("mask", "auto", List.of("auto", "half", "checkerboard"),
                    "which coordinates condition the others: half (first half of the flattened example), "
                            + "checkerboard (alternate coordinates / pixels); auto: half for points, checkerboard "
                            + "for images")
            .addChoice("mixing", "auto", List.of("auto", "rotation", "none"),
                    "a fixed random rotation of the coordinates before each coupling (orthogonal: log|det| = 0), so "
                            + "every coupling sees a new split; without it a 2-D flow can only shape each coordinate "
                            + "conditioned on the other and fits independent multimodal marginals (grid25) no better "
                            + "than a Gaussian. auto: rotation for points, none for images")
            .addBoolean("actnorm", true, "an ActNorm layer (data-initialised per-dimension affine) before each coupling")
            .addDouble("scale_bound", 2.0, 0.1, 10.0,
                    "bound of each coupling's log-scale: s = scale_bound * tanh(raw / scale_bound)")
            .addChoice("data_range", "auto", List.of("auto", "zero_one", "minus_one_one"),
                    "images: pixel scale of the 256 grey levels (auto: [-1,1] if the first batch has negatives)")
            .addDouble("alpha", 0.05, 1e-6, 0.49, "images: logit transform logit(alpha + (1 - 2 alpha) x) (RealNVP 4.1)")
            .addDouble("temperature", 1.0, 0.0, 10.0, "sampling: z ~ N(0, temperature^2 I)")
            .build();

    @Override
    public String name() {
        return "flow";
    }

    @Override
    public String description() {
        return "RealNVP normalising flow: affine couplings, ActNorm, exact likelihood (Dinh et al. 2017)";
    }

    @Override
    public ParamSchema parameters() {
        return SCHEMA;
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    /** Only the temperature changes nothing but sampling: evaluation variants may override it. */
    @Override
    public Set<String> samplingParameters() {
        return Set.of("temperature");
    }

    @Override
    public List<String> validate(Params params) {
        return FlowConfig.problems(params);
    }

    @Override
    public Paradigm create(ParadigmSetup setup) {
        return new FlowParadigm(setup, FlowConfig.from(setup.params(), setup.shape()));
    }
}
