package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One GAN: the networks and their state ({@link GanModel}), the training objective ({@link GanTraining}),
 * sampling, and the {@link ConditionalModel} capability of a conditional GAN.
 */
final class GanParadigm implements Paradigm {

    private static final Logger LOG = LogManager.getLogger(GanParadigm.class);
    /** Samples generated per forward pass when sampling, to bound activation memory. */
    private static final int SAMPLE_CHUNK = 1000;

    private final NDManager trialManager;
    private final GanConfig config;
    final GanModel model;
    final GanTraining training;
    /** Present only for a conditional GAN: an unconditional one on labelled data must not claim it. */
    private final ConditionalModel conditional;

    GanParadigm(ParadigmSetup setup, GanConfig config) {
        this.trialManager = setup.manager();
        this.config = config;
        this.model = new GanModel(setup.manager(), config);
        this.training = new GanTraining(model);
        this.conditional = config.conditional() ? config::numClasses : null;
        LOG.debug("gan {}: {} generator and {} discriminator parameters", config.objective().key(),
                model.generator.weights.count(), model.discriminator.weights.count());
    }

    @Override
    public StepResult trainStep(Batch batch) {
        return training.trainStep(batch);
    }

    @Override
    public Samples sample(SampleRequest request) {
        int n = request.n();
        int[] labels = null;
        if (config.conditional()) {
            labels = request.labelsIfPresent().orElseGet(() -> {
                int[] balanced = new int[n];
                for (int i = 0; i < n; i++) {
                    balanced[i] = i % config.numClasses();
                }
                return balanced;
            });
            for (int y : labels) {
                if (y < 0 || y >= config.numClasses()) {
                    throw new IllegalArgumentException("label " + y + " outside 0.." + (config.numClasses() - 1));
                }
            }
        }
        Generator generator = model.generator;
        try (NDManager s = model.open()) {
            NDList chunks = new NDList();
            for (int start = 0; start < n; start += SAMPLE_CHUNK) {
                int len = Math.min(SAMPLE_CHUNK, n - start);
                NDArray z = s.randomNormal(new Shape(len, config.latentDim()));
                NDArray onehot = null;
                if (labels != null) {
                    onehot = s.create(Arrays.copyOfRange(labels, start, start + len)).toType(DataType.INT64, false)
                            .oneHot(config.numClasses()).toType(DataType.FLOAT32, false);
                }
                chunks.add(generator.forward(model.samplingWeights(), z, onehot, Generator.Mode.EVAL));
            }
            NDArray x = chunks.size() == 1 ? chunks.head() : NDArrays.concat(chunks, 0);
            x.attach(trialManager); // the caller owns and closes the samples
            return new Samples(x, labels, 1);
        }
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return model.parameterCounts();
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == ConditionalModel.class && conditional != null) {
            return Optional.of(type.cast(conditional));
        }
        return Paradigm.super.capability(type);
    }

    /** @return the configuration, for tests */
    GanConfig config() {
        return config;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        model.save(out);
    }

    @Override
    public void load(InputStream in) throws IOException {
        model.load(in);
    }

    @Override
    public void close() {
        model.close();
    }
}
