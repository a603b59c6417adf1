package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.DataShape;
import dev.genlab.api.Diagnostics;
import dev.genlab.api.LatentModel;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.CheckpointContents;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A variational autoencoder for one trial: the {@link VaeModel} (encoder, decoder and their parameters), the
 * {@link VaeObjective} that trains it (ELBO, β-VAE, KL warm-up, free bits, conditional VAE; see there for what
 * each step reports), and the capabilities it offers:
 * <ul>
 *   <li>{@link LikelihoodModel}: {@link VaeLikelihood}, the IWAE or ELBO bound;</li>
 *   <li>{@link Diagnostics}: {@link VaeDiagnostics}, bounds, posterior-collapse statistics and a linear probe
 *       on held-out data, and a latent-interpolation figure;</li>
 *   <li>{@link LatentModel} (unconditional models only: a conditional encoder needs labels) and
 *       {@link ConditionalModel} (conditional models only): {@link VaeCodec}.</li>
 * </ul>
 * Its state is one genlab-nn {@link Checkpoint} of kind {@code vae}, layout 1: the architecture description,
 * every weight, Adam's moments and counts, the step count and the resolved data range.
 */
public final class VaeParadigm implements Paradigm {

    private static final Logger LOG = LogManager.getLogger(VaeParadigm.class);
    private static final String KIND = "vae";
    private static final int LAYOUT_VERSION = 1;

    private final VaeConfig config;
    /** The validated parameters behind {@code config}, to apply per-request sampling overrides to. */
    private final Params params;
    private final DataShape shape;
    private final NDManager trialManager;
    private final VaeModel model;
    private final VaeObjective objective;
    private final VaeLikelihood likelihood;
    private final VaeCodec codec;
    private final VaeDiagnostics diagnostics;

    VaeParadigm(ParadigmSetup setup, VaeConfig config) {
        this.config = config;
        this.params = setup.params();
        this.shape = setup.shape();
        this.trialManager = setup.manager();
        this.model = new VaeModel(config, shape, trialManager);
        this.objective = new VaeObjective(model);
        this.likelihood = new VaeLikelihood(model);
        this.codec = new VaeCodec(model);
        this.diagnostics = new VaeDiagnostics(model, likelihood, codec);
        Map<String, Long> counts = model.parameterCounts();
        LOG.debug("vae: {}; {} + {} parameters", model.layout(), counts.get("encoder"), counts.get("decoder"));
    }

    @Override
    public StepResult trainStep(Batch batch) {
        return objective.trainStep(batch);
    }

    @Override
    public Samples sample(SampleRequest request) {
        int n = request.n();
        int conditionDim = model.conditionDim();
        // An unconditional model ignores requested labels, and then reports none.
        int[] requested = conditionDim > 0 ? request.labelsIfPresent().orElse(null) : null;
        // An evaluation variant may override the sampling parameters (sample_mode) for this request only.
        boolean draw = request.options().values().isEmpty() ? config.sampleDraw()
                : VaeConfig.from(params.with(request.options()), shape).sampleDraw();
        Drawn drawn = model.withScratch(tmp -> {
            int[] ys = requested;
            if (conditionDim > 0 && ys == null) {
                ys = tmp.randomInteger(0, conditionDim, new Shape(n), DataType.INT32).toIntArray();
            }
            NDArray z = tmp.randomNormal(new Shape(n, config.latentDim()));
            NDArray x = model.decodeRows(z, ys == null ? null : tmp.create(ys), draw);
            x.attach(trialManager); // the caller owns and closes the samples
            return new Drawn(x, ys);
        });
        return new Samples(drawn.data(), drawn.labels(), 1);
    }

    private record Drawn(NDArray data, int[] labels) {}

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == LikelihoodModel.class) {
            return Optional.of(type.cast(likelihood));
        }
        if (type == Diagnostics.class) {
            return Optional.of(type.cast(diagnostics));
        }
        // A conditional encoder needs labels, so the label-free LatentModel contract only fits
        // unconditional models; ConditionalModel only fits conditional ones.
        if (type == LatentModel.class) {
            return config.conditional() ? Optional.empty() : Optional.of(type.cast(codec));
        }
        if (type == ConditionalModel.class) {
            return config.conditional() ? Optional.of(type.cast(codec)) : Optional.empty();
        }
        return Paradigm.super.capability(type);
    }

    /** @return the likelihood bounds (also the {@link LikelihoodModel} capability) */
    public VaeLikelihood likelihood() {
        return likelihood;
    }

    /** @return encoding and decoding, with labels for a conditional model */
    public VaeCodec codec() {
        return codec;
    }

    /** @return the held-out diagnostics (also the {@link Diagnostics} capability) */
    public VaeDiagnostics diagnostics() {
        return diagnostics;
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return model.parameterCounts();
    }

    /** @return the one layout of the saved state, used to write and to read it */
    private Checkpoint checkpoint() {
        Checkpoint checkpoint = new Checkpoint(KIND, LAYOUT_VERSION);
        model.addTo(checkpoint);
        objective.addTo(checkpoint);
        return checkpoint;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        checkpoint().write(out);
    }

    /**
     * Restores a saved state. A checkpoint of another VAE architecture is refused naming both layouts (before
     * the shapes are compared: two decoders can have equal shapes and differ in kind); any other mismatch or
     * damage is refused by {@link Checkpoint#read}. Nothing is changed when loading fails.
     */
    @Override
    public void load(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        String saved = savedLayout(bytes);
        if (saved != null && !saved.equals(model.layout())) {
            throw new IOException("saved vae has layout [" + saved + "], this one [" + model.layout() + "]");
        }
        checkpoint().read(new ByteArrayInputStream(bytes));
    }

    /** @return the layout description in a vae checkpoint, or null if the bytes are not a readable one */
    private static String savedLayout(byte[] bytes) {
        try {
            CheckpointContents contents = CheckpointContents.read(bytes);
            CheckpointContents.Tensor layout = contents.tensors().get("layout");
            if (!KIND.equals(contents.kind()) || layout == null || layout.type() != DataType.INT8) {
                return null;
            }
            return new String(layout.data(), StandardCharsets.UTF_8);
        } catch (Checkpoint.CheckpointException e) {
            return null; // Checkpoint.read says what is wrong with it
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
