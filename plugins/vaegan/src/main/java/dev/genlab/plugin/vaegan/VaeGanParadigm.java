package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.Batch;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One VAE-GAN trial: the three {@link Networks} on one {@link Parameters} set, the {@link VaeGanObjective}
 * that trains them, the {@link VaeGanLatent} capability, and one {@link Checkpoint} layout
 * ({@code "vaegan"}, layout 1: every weight, the three Adams' moments and counts, the step count) that
 * {@code save} writes and {@code load} reads; a checkpoint of other networks is refused and leaves the model
 * as it was.
 */
final class VaeGanParadigm implements Paradigm {

    private final VaeGanConfig config;
    private final NDManager trialManager;
    private final NDManager manager;
    private final Parameters params;
    private final Networks.Encoder encoder;
    private final Networks.Decoder decoder;
    private final Networks.Discriminator discriminator;
    private final VaeGanObjective objective;
    private final VaeGanLatent latent;
    private final Checkpoint checkpoint;
    private long steps;

    VaeGanParadigm(ParadigmSetup setup, VaeGanConfig config) {
        this.config = config;
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        params = new Parameters(manager);
        encoder = new Networks.Encoder(params.scope("encoder"), setup.shape(), config);
        decoder = new Networks.Decoder(params.scope("decoder"), setup.shape(), config);
        discriminator = new Networks.Discriminator(params.scope("discriminator"), setup.shape(), config);
        objective = new VaeGanObjective(config, encoder, decoder, discriminator);
        latent = new VaeGanLatent(params, encoder, decoder, config.latentDim());
        checkpoint = new Checkpoint("vaegan", 1).part("", params).part("adam_enc", objective.adamEnc)
                .part("adam_dec", objective.adamDec).part("adam_dis", objective.adamDis)
                .longValue("steps", () -> steps, v -> steps = v);
    }

    @Override
    public StepResult trainStep(Batch batch) {
        return trainStep(batch, true, true, true);
    }

    /** One step that updates only the chosen networks (see {@link VaeGanObjective#step}). */
    StepResult trainStep(Batch batch, boolean updateD, boolean updateEnc, boolean updateDec) {
        steps++;
        // Every weight and the batch live in the step's scope meanwhile, so every temporary dies with it.
        try (NDManager s = params.open(batch.data())) {
            return new StepResult(objective.step(s, batch.data(), updateD, updateEnc, updateDec));
        }
    }

    /**
     * The three losses at the current weights, without training: for tests that compare a fixed batch with
     * fixed noise before and after training.
     */
    Map<String, Double> losses(NDArray x, NDArray eps, NDArray zPrior) {
        try (NDManager tmp = params.open(x, eps, zPrior)) {
            return objective.losses(x, eps, zPrior);
        }
    }

    @Override
    public Samples sample(SampleRequest request) {
        try (NDManager tmp = params.open()) {
            NDArray x = latent.decodeRows(tmp.randomNormal(new Shape(request.n(), config.latentDim())));
            x.attach(trialManager); // the caller owns and closes the samples
            return new Samples(x, null, 1);
        }
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(latent) ? Optional.of(type.cast(latent)) : Optional.empty();
    }

    @Override
    public Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("encoder", encoder.params.count());
        counts.put("decoder", decoder.params.count());
        counts.put("discriminator", discriminator.params.count());
        return counts;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        checkpoint.write(out);
    }

    @Override
    public void load(InputStream in) throws IOException {
        checkpoint.read(in);
    }

    @Override
    public void close() {
        manager.close();
    }
}
