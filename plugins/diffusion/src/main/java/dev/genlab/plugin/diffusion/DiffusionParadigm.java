package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.DataShape;
import dev.genlab.api.LikelihoodModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One DDPM for one trial.
 *
 * <p><b>Training</b> (Ho et al. 2020, Alg. 1): for each example a step t ~ U{1..T} and noise ε ~ N(0, I),
 * x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε, and the loss is the mean of ‖ε − ε_θ(x_t, t, y)‖² ("L_simple"). With labels
 * and {@code label_dropout} p, each label is replaced by the "no label" class with probability p, so the
 * same network also learns the unconditional model that classifier-free guidance needs. Adam with
 * warm-up and gradient clipping updates the weights; an exponential moving average of them (with the
 * usual (1+n)/(10+n) ramp so early averages are not stuck at the initialisation) is what samples.
 *
 * <p><b>Randomness</b>: weights are initialised from the engine's generator, which the framework seeds;
 * every other random number (steps, label dropout, training noise, sampling noise) is drawn on the host
 * from a generator keyed by (seed, step) for training and (seed, step, call) for sampling. Training is
 * therefore a function of the seed and the batches alone: it does not depend on when or how often the
 * model is sampled, nor on the sampler's parameters, so trials that differ only in sampling parameters
 * train bit-identical weights, and a loaded checkpoint continues exactly as the original would have.
 *
 * <p><b>Coordinates</b>: points are standardised per coordinate with the first batch's mean and standard
 * deviation (so ring8 and grid25 both suit a unit-variance prior); images are used as given. The range
 * of the training data seen so far (in model coordinates) bounds the predicted clean data x̂₀ at every
 * sampling step ({@code clip_denoised}): it keeps the few samples whose early, high-noise predictions
 * land far outside the data from ending there.
 */
final class DiffusionParadigm implements Paradigm, LikelihoodModel, ConditionalModel {

    private static final Logger LOG = LogManager.getLogger(DiffusionParadigm.class);
    private static final int MAGIC = 0x44464631; // "DFF1": diffusion state, format 1
    private static final long TRAIN_STREAM = 0x7472L;
    private static final long SAMPLE_STREAM = 0x7361L;
    private static final long LIKELIHOOD_STREAM = 0x6c6bL;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final NDManager trialManager;
    /** Owns weights, their average, optimiser state; closing it frees the model. */
    private final NDManager manager;
    private final DiffusionConfig config;
    /** The trial's parameters, which a sample request's options override for that request. */
    private final Params params;
    private final DataShape shape;
    private final int dim;
    /** Keys every host random stream; part of the saved state, so a loaded model continues the original's streams. */
    private long seed;
    private final NoiseSchedule schedule;
    private final TimeEmbedding embedding;
    private final Denoiser denoiser;
    private final NDArray[] weights;
    /** The sampling weights; null when {@code ema_decay} is 0. */
    private final NDArray[] ema;
    private final Adam adam;

    /** Per-coordinate shift and scale of points (model = (data − shift)/scale); 0 and 1 for images. */
    private float[] shift;
    private float[] scale;
    private boolean statsFixed;
    /** Smallest and largest training value seen, in model coordinates: the clip range of x̂₀ (and, for
     * images, the span of the likelihood's 256 bins). */
    private float low = Float.POSITIVE_INFINITY;
    private float high = Float.NEGATIVE_INFINITY;
    private long sampleStep = -1;
    private int sampleCalls;

    DiffusionParadigm(ParadigmSetup setup, DiffusionConfig config) {
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        this.config = config;
        this.params = setup.params();
        this.shape = setup.shape();
        this.dim = shape.size();
        this.seed = setup.seed();
        this.schedule = NoiseSchedule.of(config.schedule(), config.timesteps(), config.betaStart(), config.betaEnd());
        this.embedding = new TimeEmbedding(config.timeDim(), config.timesteps());
        this.denoiser = config.network().equals("unet")
                ? new UNetDenoiser(shape.dims().get(0), config.channels(), config.unetBlocks(), config.patch(),
                        config.timeDim(), config.classes())
                : new MlpDenoiser(dim, shape.isPoints() ? config.fourierOctaves() : 0, config.width(), config.depth(),
                        config.timeDim(), config.classes());
        this.weights = denoiser.layout().initialise(manager);
        this.ema = config.emaDecay() > 0 ? denoiser.layout().copy(manager, weights) : null;
        for (NDArray w : weights) {
            w.setRequiresGradient(true);
        }
        this.adam = new Adam(manager, weights, config.lr(), config.gradClip(), config.warmup());
        int statDims = shape.isPoints() ? dim : 1;
        this.shift = new float[statDims];
        this.scale = new float[statDims];
        Arrays.fill(scale, 1f);
        LOG.debug("diffusion: {}, {}, sampler {} ({} steps){}", denoiser.describe(), schedule,
                config.sampler(), config.stepsFor(null),
                config.conditional() ? ", conditional on " + config.classes() + " classes" : "");
    }

    // ---------------------------------------------------------------- training

    @Override
    public StepResult trainStep(Batch batch) {
        double loss;
        try (NDManager scope = manager.newSubManager()) {
            attachState(scope);
            batch.data().tempAttach(scope);
            observe(batch.data());
            NDArray lossArray;
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                lossArray = simpleLoss(scope, batch, adam.steps() + 1);
                collector.backward(lossArray);
            }
            loss = lossArray.getFloat();
            adam.step(weights);
            updateAverage();
        }
        return StepResult.of("loss", loss);
    }

    /**
     * The training loss the given step would see, with the trained (not averaged) weights and without
     * updating anything: for tests that compare the loss on a fixed batch and fixed noise.
     *
     * @param batch examples
     * @param step the training step whose random draws to use
     * @return L_simple on that batch
     */
    double lossAt(Batch batch, long step) {
        try (NDManager scope = manager.newSubManager()) {
            attachState(scope);
            batch.data().tempAttach(scope);
            return simpleLoss(scope, batch, step).getFloat();
        }
    }

    /**
     * L_simple = mean ‖ε − ε_θ(√ᾱ_t x₀ + √(1−ᾱ_t) ε, t, y)‖² with the steps, label dropout and noise of
     * training step {@code step}, drawn from that step's own host stream.
     */
    private NDArray simpleLoss(NDManager scope, Batch batch, long step) {
        int b = batch.size();
        SplittableRandom random = stream(TRAIN_STREAM, step, 0);
        int[] t = new int[b];
        float[] signal = new float[b];
        float[] noiseLevel = new float[b];
        for (int j = 0; j < b; j++) {
            t[j] = random.nextInt(config.timesteps());
            signal[j] = (float) Math.sqrt(schedule.alphaBar(t[j]));
            noiseLevel[j] = (float) Math.sqrt(1 - schedule.alphaBar(t[j]));
        }
        int[] labels = config.conditional() ? droppedLabels(batch, random) : null;
        NDArray x0 = toModel(batch.data());
        NDArray eps = scope.create(Sampler.gaussians(random, b * dim), x0.getShape());
        NDArray xt = x0.mul(scope.create(signal, perExample(b))).add(eps.mul(scope.create(noiseLevel, perExample(b))));
        NDArray timeEmbedding = scope.create(embedding.embed(t), new Shape(b, embedding.dim()));
        NDArray classes = labels == null ? null : oneHot(scope, labels);
        return denoiser.predict(weights, xt, timeEmbedding, classes).sub(eps).square().mean();
    }

    /** The batch's labels with label dropout applied; unlabelled batches train the "no label" class. */
    private int[] droppedLabels(Batch batch, SplittableRandom random) {
        int b = batch.size();
        int[] labels = new int[b];
        Arrays.fill(labels, config.classes());
        if (batch.labels() != null) {
            int[] given = batch.labels().toIntArray();
            for (int j = 0; j < b; j++) {
                if (given[j] < 0 || given[j] >= config.classes()) {
                    throw new IllegalArgumentException("label " + given[j] + " outside [0, " + config.classes() + ")");
                }
                labels[j] = given[j];
            }
        }
        for (int j = 0; j < b; j++) {
            // Always draw, so the stream (and so the noise) does not depend on the labels' values.
            if (random.nextDouble() < config.labelDropout()) {
                labels[j] = config.classes();
            }
        }
        return labels;
    }

    /** EMA with a warm-up ramp: decay min(d, (1+n)/(10+n)) after n updates. */
    private void updateAverage() {
        if (ema == null) {
            return;
        }
        long n = adam.steps();
        float decay = (float) Math.min(config.emaDecay(), (1.0 + n) / (10.0 + n));
        // Two scalar arrays for all tensors: a Java number operand would make (and free) one per operation.
        NDManager m = ema[0].getManager();
        try (NDArray keep = m.create(decay); NDArray take = m.create(1 - decay)) {
            for (int i = 0; i < ema.length; i++) {
                ema[i].muli(keep).addi(weights[i].mul(take));
            }
        }
    }

    /** Fixes the points' standardisation on the first batch and tracks the data range (model coordinates). */
    private void observe(NDArray data) {
        if (!statsFixed) {
            if (shape.isPoints() && config.normalize()) {
                NDArray flat = data.reshape(data.getShape().get(0), dim);
                float[] mean = flat.mean(new int[] {0}).toFloatArray();
                float[] std = flat.sub(flat.mean(new int[] {0}, true)).square().mean(new int[] {0}).sqrt()
                        .toFloatArray();
                for (int d = 0; d < dim; d++) {
                    shift[d] = mean[d];
                    // A constant coordinate (or a batch of one) keeps unit scale rather than dividing by ~0.
                    scale[d] = std[d] > 1e-6f ? std[d] : 1f;
                }
            }
            statsFixed = true;
        }
        NDArray model = toModel(data);
        low = Math.min(low, model.min().getFloat());
        high = Math.max(high, model.max().getFloat());
    }

    private NDArray toModel(NDArray data) {
        NDManager m = data.getManager();
        if (!shape.isPoints()) {
            return data;
        }
        NDArray flat = data.reshape(data.getShape().get(0), dim);
        return flat.sub(m.create(shift, new Shape(1, dim))).div(m.create(scale, new Shape(1, dim)));
    }

    private NDArray toData(NDArray model) {
        NDManager m = model.getManager();
        if (!shape.isPoints()) {
            return model;
        }
        return model.mul(m.create(scale, new Shape(1, dim))).add(m.create(shift, new Shape(1, dim)));
    }

    /** @return the model-coordinate shape of a batch: {@code [B, d]} for points, {@code [B, C, H, W]} else */
    private Shape modelShape(long b) {
        return shape.isPoints() ? new Shape(b, dim) : shape.batchShape(b);
    }

    /** @return {@code [B, 1, ...]}, broadcasting a per-example scalar over one example */
    private Shape perExample(long b) {
        long[] s = new long[modelShape(b).dimension()];
        Arrays.fill(s, 1);
        s[0] = b;
        return new Shape(s);
    }

    private NDArray oneHot(NDManager m, int[] labels) {
        int k = config.classes() + 1;
        float[] hot = new float[labels.length * k];
        for (int j = 0; j < labels.length; j++) {
            hot[j * k + labels[j]] = 1f;
        }
        return m.create(hot, new Shape(labels.length, k));
    }

    private SplittableRandom stream(long purpose, long step, long call) {
        long key = seed * 0x9E3779B97F4A7C15L + purpose * 0xBF58476D1CE4E5B9L + step * 0x94D049BB133111EBL + call;
        return new SplittableRandom(key);
    }

    private void attachState(NDManager scope) {
        for (NDArray w : weights) {
            w.tempAttach(scope);
        }
        if (ema != null) {
            for (NDArray w : ema) {
                w.tempAttach(scope);
            }
        }
        for (NDArray m : adam.state()) {
            m.tempAttach(scope);
        }
    }

    // ---------------------------------------------------------------- sampling

    @Override
    public Samples sample(SampleRequest request) {
        // Options may only name sampling parameters (DiffusionProvider.SAMPLING), so the network, schedule
        // and weights described by `config` stay the same; `from` re-checks cross-parameter rules.
        DiffusionConfig config = request.options().values().isEmpty()
                ? this.config : DiffusionConfig.from(params.with(request.options()), shape);
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
        long step = adam.steps();
        if (step != sampleStep) {
            sampleStep = step;
            sampleCalls = 0;
        }
        SplittableRandom random = stream(SAMPLE_STREAM, step, sampleCalls++);
        Sampler sampler = new Sampler(schedule, clipRange(config));
        List<NDArray> parts = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            for (int start = 0; start < n; start += config.sampleBatch()) {
                int size = Math.min(config.sampleBatch(), n - start);
                int[] chunkLabels = labels == null ? null : Arrays.copyOfRange(labels, start, start + size);
                NDArray xT = scope.create(Sampler.gaussians(random, size * dim), modelShape(size));
                NDArray x = sampler.run(config.sampler(), steps, config.spacing(), config.eta(), xT,
                        predictor(chunkLabels, guided ? guidance : 0), random);
                parts.add(toData(x).reshape(shape.batchShape(size)));
            }
            NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
            all.attach(trialManager); // the caller owns and closes the samples
            int perStep = guided ? 2 : 1;
            return new Samples(all, labels, steps * perStep);
        }
    }

    private Sampler.Clip clipRange(DiffusionConfig config) {
        if (!config.clipDenoised() || low > high) {
            return null;
        }
        return new Sampler.Clip(low, high);
    }

    /**
     * The network's noise prediction for one chunk: unconditional ("no label") when the model is
     * unconditional-by-request, conditional for w = 0, and ε_c + w(ε_c − ε_u) from one doubled batch
     * otherwise (Ho &amp; Salimans 2021).
     */
    private Sampler.NoisePredictor predictor(int[] labels, double guidance) {
        NDArray[] sampling = ema != null ? ema : weights;
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
                    return denoiser.predict(sampling, x,
                            m.create(embedding.embed(step, b), new Shape(b, embedding.dim())), null);
                }
                int[] given = labels != null ? labels : filled(b, config.classes());
                if (!guided) {
                    return denoiser.predict(sampling, x,
                            m.create(embedding.embed(step, b), new Shape(b, embedding.dim())), oneHot(m, given));
                }
                int[] both = Arrays.copyOf(given, 2 * b);
                Arrays.fill(both, b, 2 * b, config.classes());
                NDArray out = denoiser.predict(sampling, x.concat(x, 0),
                        m.create(embedding.embed(step, 2 * b), new Shape(2 * b, embedding.dim())), oneHot(m, both));
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

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    // ---------------------------------------------------------------- likelihood

    /**
     * An upper bound on −log p(x) per dimension, in nats: the discrete-time variational bound (Ho et al.
     * 2020, eq. 5; Sohl-Dickstein et al. 2015) L_T + Σ_{t=2..T} L_{t−1} + L_0 under the sampling weights,
     * with the reverse variance β̃_t of the ddpm sampler. L_T = KL(q(x_T|x₀) ‖ N(0, I)) is exact;
     * L_{t−1} = β_t² / (2 β̃_t α_t (1 − ᾱ_t)) ‖ε − ε_θ(x_t, t)‖² is estimated from {@code likelihood_timesteps}
     * steps, one drawn from each of as many geometric strata ({@link #strata}) and weighted by its
     * stratum's size (all steps, exactly, when it is ≥ T − 1); L_0
     * is −log p(x₀|x₁) under N(μ_θ(x₁, 1), β_1): a density for points (plus Σ log scale for the
     * standardisation, so the value is in the data's units), and for images the probability of the
     * pixel's bin among 256 levels spanning the training range (edge bins extend to ±∞), as in Ho et al.
     * A model trained with label dropout is evaluated unconditionally (the marginal p(x), comparable with
     * unconditional paradigms); one trained without it uses the batch's labels. The randomness is fixed
     * by the seed, so repeated calls on the same batch agree.
     */
    @Override
    public double nllNatsPerDim(Batch batch) {
        int b = batch.size();
        int tCount = config.timesteps();
        SplittableRandom random = stream(LIKELIHOOD_STREAM, 0, 0);
        NDArray[] sampling = ema != null ? ema : weights;
        try (NDManager scope = manager.newSubManager()) {
            NDArray data = batch.data();
            data.tempAttach(scope);
            for (NDArray w : sampling) {
                w.tempAttach(scope);
            }
            NDArray x0 = toModel(data).reshape(modelShape(b));
            NDArray classes = null;
            if (config.conditional()) {
                int[] labels = filled(b, config.classes());
                if (config.labelDropout() == 0 && batch.labels() != null) {
                    labels = batch.labels().toIntArray();
                }
                classes = oneHot(scope, labels);
            }
            int[] sumAxes = new int[modelShape(b).dimension() - 1];
            for (int a = 0; a < sumAxes.length; a++) {
                sumAxes[a] = a + 1;
            }
            // L_T: KL(N(√ᾱ_T x₀, 1 − ᾱ_T) ‖ N(0, 1)) per coordinate.
            double aT = schedule.alphaBar(tCount - 1);
            NDArray total = x0.square().mul((float) aT).add((float) (-aT - Math.log(1 - aT))).mul(0.5f).sum(sumAxes);
            // Σ_{i=1..T−1} L_i, stratified.
            int[] bounds = strata(tCount - 1, config.likelihoodTimesteps());
            for (int s = 0; s + 1 < bounds.length; s++) {
                int from = bounds[s];
                int to = bounds[s + 1]; // exclusive
                int i = from + random.nextInt(to - from);
                double weight = to - from;
                double beta = schedule.beta(i);
                double coefficient = beta * beta
                        / (2 * schedule.posteriorVariance(i) * schedule.alpha(i) * (1 - schedule.alphaBar(i)));
                try (NDManager termScope = scope.newSubManager()) {
                    // Every operand lives in the term's scope, so each term's temporaries are freed with it.
                    x0.tempAttach(termScope);
                    if (classes != null) {
                        classes.tempAttach(termScope);
                    }
                    for (NDArray w : sampling) {
                        w.tempAttach(termScope);
                    }
                    NDArray eps = termScope.create(Sampler.gaussians(random, b * dim), x0.getShape());
                    NDArray xt = x0.mul((float) Math.sqrt(schedule.alphaBar(i)))
                            .add(eps.mul((float) Math.sqrt(1 - schedule.alphaBar(i))));
                    NDArray predicted = denoiser.predict(sampling, xt,
                            termScope.create(embedding.embed(i, b), new Shape(b, embedding.dim())), classes);
                    NDArray term = predicted.sub(eps).square().sum(sumAxes).mul((float) (coefficient * weight));
                    NDArray updated = total.add(term);
                    updated.attach(scope);
                    total = updated;
                }
            }
            total = total.add(decoderNll(scope, x0, classes, sampling, random, sumAxes));
            double perDim = total.mean().getFloat() / dim;
            if (shape.isPoints()) {
                double logScale = 0;
                for (float s : scale) {
                    logScale += Math.log(s);
                }
                perDim += logScale / dim;
            }
            return perDim;
        }
    }

    /**
     * Strata of the intermediate steps 1..middle for the bound's estimate: geometric in the step (the
     * terms fall steeply with t, roughly like 1/t, so the first steps, which carry most of the sum, are
     * strata of their own and are evaluated exactly, while the flat tail is sampled), at least one step
     * each, all steps singletons (the exact sum) when {@code count} ≥ middle.
     *
     * @param middle T − 1
     * @param count the number of strata wanted
     * @return ascending boundaries from 1 to middle + 1 (exclusive); stratum j is [b_j, b_{j+1})
     */
    static int[] strata(int middle, int count) {
        int k = Math.min(count, middle);
        int[] b = new int[k + 1];
        b[0] = 1;
        b[k] = middle + 1;
        for (int j = 1; j < k; j++) {
            b[j] = (int) Math.round(Math.pow(middle + 1, (double) j / k));
        }
        for (int j = 1; j < k; j++) {
            b[j] = Math.max(b[j], b[j - 1] + 1);
        }
        for (int j = k - 1; j >= 1; j--) {
            b[j] = Math.min(b[j], b[j + 1] - 1);
        }
        return b;
    }

    /** L_0 = −log p_θ(x₀ | x₁) summed over coordinates, per example. */
    private NDArray decoderNll(NDManager scope, NDArray x0, NDArray classes, NDArray[] sampling,
            SplittableRandom random, int[] sumAxes) {
        int b = Math.toIntExact(x0.getShape().get(0));
        double a0 = schedule.alphaBar(0);
        double beta0 = schedule.beta(0);
        NDArray eps = scope.create(Sampler.gaussians(random, b * dim), x0.getShape());
        NDArray x1 = x0.mul((float) Math.sqrt(a0)).add(eps.mul((float) Math.sqrt(1 - a0)));
        NDArray predicted = denoiser.predict(sampling, x1, scope.create(embedding.embed(0, b),
                new Shape(b, embedding.dim())), classes);
        NDArray mean = x1.sub(predicted.mul((float) (beta0 / Math.sqrt(1 - a0)))).div((float) Math.sqrt(1 - beta0));
        double sigma = Math.sqrt(beta0);
        if (shape.isPoints() || low > high) {
            return x0.sub(mean).square().div((float) (2 * beta0)).add((float) (0.5 * (LOG_2PI + Math.log(beta0))))
                    .sum(sumAxes);
        }
        float halfBin = (high - low) / 255f / 2f;
        NDArray centred = x0.sub(mean);
        NDArray upper = normalCdf(centred.add(halfBin).div((float) sigma));
        NDArray lower = normalCdf(centred.sub(halfBin).div((float) sigma));
        NDArray top = x0.gte(high - halfBin);
        NDArray bottom = x0.lte(low + halfBin);
        upper = NDArrays.where(top, scope.ones(upper.getShape()), upper);
        lower = NDArrays.where(bottom, scope.zeros(lower.getShape()), lower);
        return upper.sub(lower).maximum(1e-12f).log().neg().sum(sumAxes);
    }

    private static NDArray normalCdf(NDArray z) {
        return z.div((float) Math.sqrt(2)).erf().add(1f).mul(0.5f);
    }

    // ---------------------------------------------------------------- capabilities and state

    @Override
    public int numClasses() {
        return config.classes();
    }

    @Override
    public boolean supportsGuidance() {
        return config.conditional() && config.labelDropout() > 0;
    }

    /** ConditionalModel only when the network really is class-conditional. */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == ConditionalModel.class && !config.conditional()) {
            return Optional.empty();
        }
        return Paradigm.super.capability(type);
    }

    @Override
    public Map<String, Long> parameterCounts() {
        return Map.of("denoiser", denoiser.layout().count());
    }

    /** @return the denoiser, for tests */
    Denoiser denoiser() {
        return denoiser;
    }

    /** @return copies of the weights, their average and Adam's moments (no counters), for tests */
    float[][] trainingArrays() {
        NDArray[] state = state();
        float[][] out = new float[state.length][];
        for (int i = 0; i < state.length; i++) {
            out[i] = state[i].toFloatArray();
        }
        return out;
    }

    /** @return the noise schedule, for tests */
    NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeUTF(fingerprint());
        data.writeLong(adam.steps());
        data.writeLong(seed);
        data.writeLong(sampleStep);
        data.writeInt(sampleCalls);
        data.writeBoolean(statsFixed);
        writeFloats(data, shift);
        writeFloats(data, scale);
        data.writeFloat(low);
        data.writeFloat(high);
        for (NDArray array : state()) {
            writeFloats(data, array.toFloatArray());
        }
        data.flush();
    }

    @Override
    public void load(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a saved diffusion model");
        }
        String saved = data.readUTF();
        if (!saved.equals(fingerprint())) {
            throw new IOException("the saved diffusion model has another architecture or schedule (" + saved
                    + ") than this one (" + fingerprint() + ")");
        }
        long steps = data.readLong();
        long savedSeed = data.readLong();
        long savedSampleStep = data.readLong();
        int savedSampleCalls = data.readInt();
        boolean fixed = data.readBoolean();
        float[] savedShift = readFloats(data, shift.length);
        float[] savedScale = readFloats(data, scale.length);
        float savedLow = data.readFloat();
        float savedHigh = data.readFloat();
        NDArray[] state = state();
        float[][] values = new float[state.length][];
        for (int a = 0; a < state.length; a++) {
            values[a] = readFloats(data, Math.toIntExact(state[a].size()));
        }
        // Only write once everything was read, so a truncated stream leaves the model untouched.
        // Copy into each tensor's own storage (set(NDIndex, NDArray)): set(float[]) re-points the tensor at a
        // Java-owned buffer instead, which made a resumed baseline run drift from the uninterrupted one.
        try (NDManager tmp = manager.newSubManager()) {
            for (int a = 0; a < state.length; a++) {
                state[a].set(new NDIndex("..."), tmp.create(values[a], state[a].getShape()));
            }
        }
        adam.restoreSteps(steps);
        statsFixed = fixed;
        shift = savedShift;
        scale = savedScale;
        low = savedLow;
        high = savedHigh;
        seed = savedSeed;
        sampleStep = savedSampleStep;
        sampleCalls = savedSampleCalls;
    }

    private String fingerprint() {
        return config.network() + "|" + denoiser.layout().fingerprint() + "|" + schedule.kind() + "|"
                + config.timesteps() + "|ema=" + (ema != null);
    }

    /** @return weights, their average (if any), then Adam's moments: the save order */
    private NDArray[] state() {
        List<NDArray> all = new ArrayList<>(Arrays.asList(weights));
        if (ema != null) {
            all.addAll(Arrays.asList(ema));
        }
        all.addAll(Arrays.asList(adam.state()));
        return all.toArray(new NDArray[0]);
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES);
        buffer.asFloatBuffer().put(values);
        out.writeInt(values.length);
        out.write(buffer.array());
    }

    private static float[] readFloats(DataInputStream in, int expected) throws IOException {
        int length = in.readInt();
        if (length != expected) {
            throw new IOException("saved array has " + length + " values, expected " + expected);
        }
        byte[] bytes = new byte[length * Float.BYTES];
        in.readFully(bytes);
        float[] values = new float[length];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
        return values;
    }

    @Override
    public void close() {
        manager.close();
    }
}
