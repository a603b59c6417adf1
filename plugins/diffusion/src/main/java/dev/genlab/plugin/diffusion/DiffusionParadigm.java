package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDManager;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Checkpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One DDPM for one trial, wired from its parts: the {@link DiffusionModel} (networks, average, schedule,
 * standardisation, random streams), the {@link DiffusionObjective} (training), {@link DiffusionSampling}
 * (sampling requests) and the capabilities {@link DiffusionLikelihood} ({@link LikelihoodModel}) and, for a
 * class-conditional network, {@link ConditionalModel}.
 *
 * <p>{@link #save}/{@link #load} use one genlab-nn {@link Checkpoint} layout, kind {@code diffusion} version 1:
 * the parameters ({@code denoiser.*}) and their average ({@code ema.*}), Adam ({@code adam.*}), the step count,
 * the standardisation ({@code data.*}), the seed, the sampling call counter ({@code sample.*}) and a fingerprint
 * of the network kind and noise schedule. A checkpoint of another architecture or schedule is refused and
 * leaves the model as it was.
 */
final class DiffusionParadigm implements Paradigm {

    private static final Logger LOG = LogManager.getLogger(DiffusionParadigm.class);
    static final String KIND = "diffusion";
    static final int LAYOUT = 1;

    /** Owns weights, their average, optimiser state; closing it frees the model. */
    private final NDManager manager;
    private final DiffusionModel model;
    private final DiffusionObjective objective;
    private final DiffusionSampling sampling;
    private final LikelihoodModel likelihood;
    /** Present only when the network really is class-conditional. */
    private final ConditionalModel conditional;
    private final Checkpoint checkpoint;

    /** The {@link ConditionalModel} capability. */
    private record Conditional(int numClasses, boolean supportsGuidance) implements ConditionalModel {}

    DiffusionParadigm(ParadigmSetup setup, DiffusionConfig config) {
        this.manager = setup.manager().newSubManager();
        this.model = new DiffusionModel(manager, config, setup.shape(), setup.seed());
        this.objective = new DiffusionObjective(model);
        this.sampling = new DiffusionSampling(model, setup.params(), setup.manager(), manager, objective::steps);
        this.likelihood = new DiffusionLikelihood(model, manager);
        this.conditional = config.conditional()
                ? new Conditional(config.classes(), config.labelDropout() > 0) : null;
        this.checkpoint = new Checkpoint(KIND, LAYOUT).part("", model).part("", objective).part("sample", sampling);
        LOG.debug("diffusion: {}, sampler {} ({} steps){}", model.describe(), config.sampler(),
                config.stepsFor(null), config.conditional() ? ", conditional on " + config.classes() + " classes" : "");
    }

    @Override
    public StepResult trainStep(Batch batch) {
        return StepResult.of("loss", objective.trainStep(batch));
    }

    /** @see DiffusionObjective#lossAt */
    double lossAt(Batch batch, long step) {
        return objective.lossAt(batch, step);
    }

    @Override
    public Samples sample(SampleRequest request) {
        return sampling.sample(request);
    }

    /** {@link LikelihoodModel} always; {@link ConditionalModel} only when the network really is class-conditional. */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == LikelihoodModel.class) {
            return Optional.of(type.cast(likelihood));
        }
        if (type == ConditionalModel.class) {
            return Optional.ofNullable(conditional).map(type::cast);
        }
        return Paradigm.super.capability(type);
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return Map.of("denoiser", model.network().count());
    }

    /** @return the model, for tests */
    DiffusionModel model() {
        return model;
    }

    /** @return the noise schedule, for tests */
    NoiseSchedule schedule() {
        return model.schedule();
    }

    /**
     * @return the weights, their average and (last, as a checkpoint's bytes) Adam's moments and counters: the
     *     training state without the seed and sampling counters, for tests
     */
    float[][] trainingArrays() throws IOException {
        var arrays = model.parameters().stored();
        var buffers = model.parameters().buffers();
        float[][] out = new float[arrays.length + buffers.size() + 1][];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i].toFloatArray();
        }
        for (int i = 0; i < buffers.size(); i++) {
            out[arrays.length + i] = buffers.get(i).toFloatArray();
        }
        ByteArrayOutputStream adam = new ByteArrayOutputStream();
        new Checkpoint(KIND + "-training", LAYOUT).part("", objective).write(adam);
        byte[] bytes = adam.toByteArray();
        out[out.length - 1] = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[out.length - 1][i] = bytes[i];
        }
        return out;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        checkpoint.write(out);
    }

    @Override
    public void load(InputStream in) throws IOException {
        // The checkpoint checks every name, shape and the checksum before it assigns anything. The network
        // kind and schedule are not visible in shapes: their fingerprint is checked after reading, and a
        // mismatch restores the state from before.
        ByteArrayOutputStream before = new ByteArrayOutputStream();
        checkpoint.write(before);
        try {
            checkpoint.read(in);
        } catch (Checkpoint.CheckpointException e) {
            throw new IOException("the saved state does not fit this diffusion model's architecture ("
                    + model.describe() + "): " + e.getMessage(), e);
        }
        if (!model.loadedFitsThisModel()) {
            checkpoint.read(new ByteArrayInputStream(before.toByteArray()));
            throw new IOException("the saved diffusion model has another architecture or noise schedule than this one ("
                    + model.describe() + ")");
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
