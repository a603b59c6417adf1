package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.nn.Checkpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Sampling requests: the sampling parameters of the request (or the trial's), labels and classifier-free
 * guidance (Ho &amp; Salimans 2021), chunking into {@code sample_batch}es, and the {@link Sampler} run on the
 * averaged weights. Each call draws its noise from the stream keyed by (seed, training step, call number), so
 * sampling never disturbs training and repeated calls draw new samples. The call counter is a
 * {@link Checkpoint.Part} ({@code step}, {@code calls}).
 */
final class DiffusionSampling implements Checkpoint.Part {

    private final DiffusionModel model;
    /** The trial's parameters, which a sample request's options override for that request. */
    private final Params params;
    /** Owner of returned samples (the caller closes them). */
    private final NDManager trialManager;
    /** Where the per-call temporaries live. */
    private final NDManager manager;
    private final LongSupplier trainingSteps;
    private long sampleStep = -1;
    private long sampleCalls;

    /**
     * @param model the model
     * @param params the trial's parameters
     * @param trialManager owner of the returned samples
     * @param manager parent of each call's scope
     * @param trainingSteps the training steps taken so far (keys the sampling streams)
     */
    DiffusionSampling(DiffusionModel model, Params params, NDManager trialManager, NDManager manager,
            LongSupplier trainingSteps) {
        this.model = model;
        this.params = params;
        this.trialManager = trialManager;
        this.manager = manager;
        this.trainingSteps = trainingSteps;
    }

    Samples sample(SampleRequest request) {
        // Options may only name sampling parameters (DiffusionProvider.SAMPLING), so the network, schedule
        // and weights described by the model's config stay the same; `from` re-checks cross-parameter rules.
        DiffusionConfig config = request.options().values().isEmpty()
                ? model.config() : DiffusionConfig.from(params.with(request.options()), model.shape());
        int n = request.n();
        int[] labels = config.conditional() ? request.labelsIfPresent().orElse(null) : null;
        if (labels != null) {
            for (int label : labels) {
                if (label < 0 || label >= config.classes()) {
                    throw new IllegalArgumentException("requested label " + label + " outside [0, "
                            + config.classes() + ")");
                }
            }
        }
        double guidance = request.guidance().orElse(config.guidanceScale());
        if (guidance < 0) {
            throw new IllegalArgumentException("guidance scale must be >= 0, got " + guidance);
        }
        boolean guided = labels != null && guidance > 0;
        int steps = config.stepsFor(request.steps());
        long step = trainingSteps.getAsLong();
        if (step != sampleStep) {
            sampleStep = step;
            sampleCalls = 0;
        }
        SplittableRandom random = model.stream(DiffusionModel.SAMPLE_STREAM, step, sampleCalls++);
        Sampler sampler = new Sampler(model.schedule(), clipRange(config));
        List<NDArray> parts = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            for (int start = 0; start < n; start += config.sampleBatch()) {
                int size = Math.min(config.sampleBatch(), n - start);
                int[] chunkLabels = labels == null ? null : Arrays.copyOfRange(labels, start, start + size);
                NDArray xT = scope.create(Sampler.gaussians(random, size * model.dim()), model.modelShape(size));
                NDArray x = sampler.run(config.sampler(), steps, config.spacing(), config.eta(), xT,
                        predictor(config, chunkLabels, guided ? guidance : 0), random);
                parts.add(model.data().toData(x).reshape(model.shape().batchShape(size)));
            }
            NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
            all.attach(trialManager); // the caller owns and closes the samples
            int perStep = guided ? 2 : 1;
            return new Samples(all, labels, steps * perStep);
        }
    }

    private Sampler.Clip clipRange(DiffusionConfig config) {
        Standardisation data = model.data();
        if (!config.clipDenoised() || !data.hasRange()) {
            return null;
        }
        return new Sampler.Clip(data.low(), data.high());
    }

    /**
     * The network's noise prediction for one chunk: unconditional ("no label") when the model is
     * unconditional-by-request, conditional for w = 0, and ε_c + w(ε_c − ε_u) from one doubled batch
     * otherwise (Ho &amp; Salimans 2021).
     */
    private Sampler.NoisePredictor predictor(DiffusionConfig config, int[] labels, double guidance) {
        NDArray[] sampling = model.samplingWeights();
        Denoiser denoiser = model.denoiser();
        boolean guided = guidance > 0;
        return new Sampler.NoisePredictor() {
            @Override
            public NDArray predict(NDArray x, int step) {
                NDManager m = x.getManager();
                for (NDArray w : sampling) {
                    w.tempAttach(m);
                }
                int b = Math.toIntExact(x.getShape().get(0));
                if (!config.conditional()) {
                    return denoiser.predict(sampling, x, model.embedding().create(m, step, b), null);
                }
                int[] given = labels != null ? labels : DiffusionModel.filled(b, config.classes());
                if (!guided) {
                    return denoiser.predict(sampling, x, model.embedding().create(m, step, b), model.oneHot(m, given));
                }
                int[] both = Arrays.copyOf(given, 2 * b);
                Arrays.fill(both, b, 2 * b, config.classes());
                NDArray out = denoiser.predict(sampling, x.concat(x, 0), model.embedding().create(m, step, 2 * b),
                        model.oneHot(m, both));
                NDList halves = out.split(2, 0);
                NDArray conditional = halves.get(0);
                NDArray unconditional = halves.get(1);
                return conditional.add(conditional.sub(unconditional).mul((float) guidance));
            }

            @Override
            public int evaluationsPerStep() {
                return guided ? 2 : 1;
            }
        };
    }

    @Override
    public void addTo(Checkpoint checkpoint, String prefix) {
        checkpoint.longValue(prefix + "step", () -> sampleStep, v -> sampleStep = v);
        checkpoint.longValue(prefix + "calls", () -> sampleCalls, v -> sampleCalls = v);
    }
}
