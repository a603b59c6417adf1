package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
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
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A variational autoencoder for one trial. The encoder gives q(z|x[,y]) = N(μ, diag e^{v}); training
 * draws z = μ + e^{v/2}·ε (the reparameterisation trick, so gradients reach the encoder) and minimises
 *
 * <pre>  loss = E_batch[−log p(x|z)] + β_t · Σ_u max(λ, E_batch[KL_u])</pre>
 *
 * with β_t = β·min(1, t / warmup_steps) and free bits λ (the max is dropped when λ = 0). Each step
 * reports, in nats per example: {@code loss}; {@code recon} = −E log p(x|z); {@code kl} = Σ_u KL_u (the
 * true KL, without free bits); {@code elbo} = −(recon + kl), a lower bound on log p(x); {@code beta}
 * (the warmed-up weight, only with a warm-up); {@code grad_norm} (global gradient L2 norm before
 * clipping) and, once any step had a non-finite gradient and was skipped, {@code skipped_updates}.
 * Every {@code diag_every} steps it also measures, on the batch, {@code active_units} and {@code mi}
 * (and {@code kl_dim_<u>} if asked); these are repeated in every later step until refreshed, so that the
 * logged history has them at every logging step.
 *
 * <p>Capabilities: {@link LikelihoodModel} (IWAE or ELBO bound), {@link LatentModel} (unconditional models
 * only: a conditional encoder needs labels, see {@link #encode(NDArray, NDArray)}), {@link ConditionalModel}
 * (conditional models only) and {@link Diagnostics} (bounds, posterior-collapse statistics and a linear
 * probe on held-out data, and a latent-interpolation figure). {@link #likelihood}, {@link #latentDiagnostics},
 * {@link #probeAccuracy} and {@link #interpolate} are public for tests and benchmarks.
 */
public final class VaeParadigm implements Paradigm, LikelihoodModel, LatentModel, ConditionalModel, Diagnostics {

    private static final Logger LOG = LogManager.getLogger(VaeParadigm.class);
    private static final int MAGIC = 0x56414531; // "VAE1": vae state, format 1
    /** Rows (examples × importance samples) per forward pass in evaluation, bounding its memory. */
    private static final int EVAL_ROWS = 1024;
    /** Most examples for the O(n²) mutual-information estimate. */
    private static final int MI_MAX = 2000;
    /** Posterior log-variances are clipped to ±this, so e^{v} neither overflows nor underflows. */
    private static final float LOGVAR_LIMIT = 20f;

    private final VaeConfig config;
    /** The validated parameters behind {@code config}, to apply per-request sampling overrides to. */
    private final Params params;
    private final DataShape shape;
    private final int dims;
    /** Width of the one-hot condition, 0 for an unconditional model. */
    private final int conditionDim;
    private final NDManager trialManager;
    /** Owns weights and optimiser state; closing it frees the model. */
    private final NDManager manager;
    private final Networks.Encoder encoder;
    private final Networks.Decoder decoder;
    private final long encoderCount;
    private final long decoderCount;
    private final List<NDArray> weights;
    private final Adam adam;
    private final LinearProbe probe = LinearProbe.standard();
    /** Latest batch diagnostics, repeated in every step result until refreshed. */
    private final Map<String, Double> carried = new LinkedHashMap<>();
    private VaeConfig.DataRange range;
    private long steps;
    private long updates;
    /** Updates skipped because a gradient was not finite. */
    private long skipped;

    VaeParadigm(ParadigmSetup setup, VaeConfig config) {
        this.config = config;
        this.params = setup.params();
        this.shape = setup.shape();
        this.dims = shape.size();
        this.conditionDim = config.conditional() ? shape.numClasses() : 0;
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        this.range = config.dataRange();
        int heads = !config.bernoulli() && config.learnedVariance() ? 2 : 1;
        int latent = config.latentDim();
        Weights enc = new Weights(manager);
        Weights dec = new Weights(manager);
        if (config.conv()) {
            int c = shape.dims().get(0);
            int h = shape.dims().get(1);
            int w = shape.dims().get(2);
            encoder = Networks.convEncoder(enc, c, h, w, conditionDim, config.channels(), config.hidden(), latent);
            decoder = Networks.convDecoder(dec, c, h, w, heads, conditionDim, config.channels(), config.hidden(),
                    latent);
        } else {
            encoder = Networks.mlpEncoder(enc, dims, conditionDim, config.hidden(), config.layers(), latent);
            decoder = Networks.mlpDecoder(dec, dims, heads, conditionDim, config.hidden(), config.layers(), latent);
        }
        encoderCount = enc.count();
        decoderCount = dec.count();
        List<NDArray> all = new ArrayList<>(enc.arrays());
        all.addAll(dec.arrays());
        weights = List.copyOf(all);
        adam = new Adam(manager, weights, config.lr());
        LOG.debug("vae: {}; {} + {} parameters", config.layout(shape), encoderCount, decoderCount);
    }

    // ---------------------------------------------------------------- training

    @Override
    public StepResult trainStep(Batch batch) {
        if (config.conditional() && batch.labels() == null) {
            throw new IllegalArgumentException("the conditional VAE needs labelled batches");
        }
        steps++;
        Map<String, Double> out = new LinkedHashMap<>();
        try (NDManager step = manager.newSubManager()) {
            // Every operand moves into `step` for the call, so all temporaries die with it.
            NDArray x = batch.data();
            NDArray y = batch.labels();
            x.tempAttach(step);
            if (y != null) {
                y.tempAttach(step);
            }
            resolveRange(x);
            attach(step, true);
            NDArray condition = condition(y);
            double beta = config.betaAt(steps);
            Pass pass;
            NDArray recon;
            NDArray klPerDim;
            NDArray loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                pass = forward(x, condition);
                recon = pass.logPx().neg().mean();
                klPerDim = pass.kl().mean(new int[] {0});
                NDArray klTerm = config.freeBits() > 0
                        ? klPerDim.maximum((float) config.freeBits()).sum()
                        : klPerDim.sum();
                loss = recon.add(klTerm.mul((float) beta));
                collector.backward(loss);
            }
            double gradNorm = adam.step(++updates, config.gradClip());
            if (!Double.isFinite(gradNorm)) {
                skipped++;
                updates--; // the skipped step must not advance Adam's bias correction
            }
            double r = recon.getFloat();
            double kl = klPerDim.sum().getFloat();
            out.put("loss", (double) loss.getFloat());
            out.put("recon", r);
            out.put("kl", kl);
            out.put("elbo", -(r + kl));
            if (config.warmupSteps() > 0) {
                out.put("beta", beta);
            }
            // A non-finite norm would read as divergence to the framework; skipped steps are counted instead.
            if (Double.isFinite(gradNorm)) {
                out.put("grad_norm", gradNorm);
            }
            if (skipped > 0) {
                out.put("skipped_updates", (double) skipped);
            }
            if (config.diagEvery() > 0 && (steps == 1 || steps % config.diagEvery() == 0)) {
                float[][] mu = matrix(pass.mu());
                float[][] logvar = matrix(pass.logvar());
                LatentDiagnostics d = new LatentDiagnostics(
                        LatentStats.klPerDim(mu, logvar), LatentStats.meanVariance(mu),
                        LatentStats.activeUnits(mu, config.activeThreshold()),
                        LatentStats.mutualInformation(mu, logvar, matrix(pass.z())), mu.length, mu.length);
                Map<String, Double> m = d.toMap(config.logKlPerDim());
                m.remove("kl"); // the step's own kl is already reported
                carried.putAll(m);
            }
        }
        carried.forEach(out::putIfAbsent);
        return new StepResult(out);
    }

    /** The quantities of one pass through encoder and decoder with one posterior draw per example. */
    private record Pass(NDArray mu, NDArray logvar, NDArray z, NDArray logPx, NDArray kl) {}

    private Pass forward(NDArray x, NDArray condition) {
        NDArray[] q = encoder.forward(x, condition);
        NDArray mu = q[0];
        NDArray logvar = q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT);
        NDArray eps = mu.getManager().randomNormal(mu.getShape());
        NDArray z = mu.add(logvar.mul(0.5f).exp().mul(eps));
        NDArray raw = decoder.forward(z, condition);
        NDArray logPx = logLikelihood(raw, flat(x));
        return new Pass(mu, logvar, z, logPx, GaussianMath.klToStandardNormal(mu, logvar));
    }

    /**
     * @param raw decoder outputs {@code [B, heads, D]}
     * @param x examples {@code [B, D]}, in the data's scale
     * @return log p(x|z) per example {@code [B]}, in nats
     */
    private NDArray logLikelihood(NDArray raw, NDArray x) {
        NDArray head = raw.get(":, 0, :");
        NDArray perDim;
        if (config.bernoulli()) {
            perDim = GaussianMath.logBernoulli(toUnit(x), head);
        } else if (config.learnedVariance()) {
            perDim = GaussianMath.logNormalStd(x, head, decoderStd(raw));
        } else {
            float s = (float) config.decoderStd();
            perDim = x.sub(head).div(s).square().mul(-0.5f).sub((float) (Math.log(s) + 0.5 * GaussianMath.LOG_2PI));
        }
        return perDim.sum(new int[] {1});
    }

    private NDArray decoderStd(NDArray raw) {
        return GaussianMath.softplus(raw.get(":, 1, :")).add((float) config.minStd());
    }

    /** @return the decoder's mean (Bernoulli: probability) in the data's scale, {@code [B, D]} */
    private NDArray decoderMean(NDArray raw) {
        NDArray head = raw.get(":, 0, :");
        return config.bernoulli() ? fromUnit(head.neg().exp().add(1f).pow(-1f)) : head;
    }

    /** @return one draw from p(x|z), in the data's scale, {@code [B, D]} */
    private NDArray decoderDraw(NDArray raw) {
        NDArray head = raw.get(":, 0, :");
        NDManager m = raw.getManager();
        if (config.bernoulli()) {
            NDArray p = head.neg().exp().add(1f).pow(-1f);
            return fromUnit(m.randomUniform(0f, 1f, p.getShape()).lt(p).toType(DataType.FLOAT32, false));
        }
        NDArray eps = m.randomNormal(head.getShape());
        NDArray std = config.learnedVariance() ? decoderStd(raw) : null;
        return std == null ? head.add(eps.mul((float) config.decoderStd())) : head.add(eps.mul(std));
    }

    private NDArray toUnit(NDArray x) {
        return range == VaeConfig.DataRange.MINUS_ONE_ONE ? x.add(1f).mul(0.5f) : x;
    }

    private NDArray fromUnit(NDArray p) {
        return range == VaeConfig.DataRange.MINUS_ONE_ONE ? p.mul(2f).sub(1f) : p;
    }

    private void resolveRange(NDArray x) {
        if (range == VaeConfig.DataRange.AUTO) {
            range = x.min().getFloat() < 0 ? VaeConfig.DataRange.MINUS_ONE_ONE : VaeConfig.DataRange.ZERO_ONE;
            LOG.debug("vae: data range resolved to {}", range);
        }
    }

    private NDArray flat(NDArray x) {
        return x.reshape(x.getShape().get(0), dims);
    }

    /** @return the one-hot condition {@code [B, classes]}, or null for an unconditional model */
    private NDArray condition(NDArray labels) {
        if (conditionDim == 0) {
            return null;
        }
        if (labels == null) {
            throw new IllegalArgumentException("the conditional VAE needs labels");
        }
        return labels.toType(DataType.INT64, false).oneHot(conditionDim).toType(DataType.FLOAT32, false);
    }

    private void attach(NDManager scope, boolean withOptimiser) {
        for (NDArray w : weights) {
            w.tempAttach(scope);
        }
        if (withOptimiser) {
            for (NDArray s : adam.state()) {
                s.tempAttach(scope);
            }
        }
    }

    /** Runs {@code fn} with the weights attached to a scratch manager that is closed afterwards. */
    private <T> T withScratch(Function<NDManager, T> fn) {
        try (NDManager tmp = manager.newSubManager()) {
            attach(tmp, false);
            return fn.apply(tmp);
        }
    }

    // ---------------------------------------------------------------- sampling

    @Override
    public Samples sample(SampleRequest request) {
        int n = request.n();
        // An unconditional model ignores requested labels, and then reports none.
        int[] requested = conditionDim > 0 ? request.labelsIfPresent().orElse(null) : null;
        // An evaluation variant may override the sampling parameters (sample_mode) for this request only.
        boolean draw = request.options().values().isEmpty() ? config.sampleDraw()
                : VaeConfig.from(params.with(request.options()), shape).sampleDraw();
        Drawn drawn = withScratch(tmp -> {
            int[] ys = requested;
            if (conditionDim > 0 && ys == null) {
                ys = tmp.randomInteger(0, conditionDim, new Shape(n), DataType.INT32).toIntArray();
            }
            NDArray z = tmp.randomNormal(new Shape(n, config.latentDim()));
            NDArray x = decodeRows(z, ys == null ? null : tmp.create(ys), draw);
            x.attach(trialManager); // the caller owns and closes the samples
            return new Drawn(x, ys);
        });
        return new Samples(drawn.data(), drawn.labels(), 1);
    }

    private record Drawn(NDArray data, int[] labels) {}

    /** Decodes codes in chunks; {@code labels} (int32) only for a conditional model. */
    private NDArray decodeRows(NDArray z, NDArray labels, boolean draw) {
        int n = Math.toIntExact(z.getShape().get(0));
        NDList parts = new NDList();
        for (int from = 0; from < n; from += EVAL_ROWS) {
            int to = Math.min(n, from + EVAL_ROWS);
            NDArray zs = z.get(from + ":" + to);
            NDArray raw = decoder.forward(zs, labels == null ? null : condition(labels.get(from + ":" + to)));
            NDArray x = draw ? decoderDraw(raw) : decoderMean(raw);
            parts.add(x.reshape(shape.batchShape(to - from)));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    // ---------------------------------------------------------------- capabilities

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        // A conditional encoder needs labels, so the label-free LatentModel contract only fits
        // unconditional models; ConditionalModel only fits conditional ones.
        if (type == LatentModel.class && config.conditional()) {
            return Optional.empty();
        }
        if (type == ConditionalModel.class && !config.conditional()) {
            return Optional.empty();
        }
        return Paradigm.super.capability(type);
    }

    @Override
    public int numClasses() {
        return shape.numClasses();
    }

    @Override
    public int latentDim() {
        return config.latentDim();
    }

    @Override
    public NDArray encode(NDArray data) {
        return encode(data, null);
    }

    @Override
    public NDArray decode(NDArray latents) {
        return decode(latents, null);
    }

    /**
     * @param data examples {@code [B, ...]}
     * @param labels int labels {@code [B]} (needed by a conditional model, ignored otherwise)
     * @return posterior means {@code [B, L]}, on {@code data}'s manager
     */
    public NDArray encode(NDArray data, NDArray labels) {
        NDManager owner = data.getManager();
        return withScratch(tmp -> {
            data.tempAttach(tmp);
            if (labels != null) {
                labels.tempAttach(tmp);
            }
            NDList parts = new NDList();
            int n = Math.toIntExact(data.getShape().get(0));
            for (int from = 0; from < n; from += EVAL_ROWS) {
                int to = Math.min(n, from + EVAL_ROWS);
                NDArray y = labels == null ? null : labels.get(from + ":" + to);
                parts.add(encoder.forward(data.get(from + ":" + to), condition(y))[0]);
            }
            NDArray mu = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            mu.attach(owner);
            return mu;
        });
    }

    /**
     * @param latents codes {@code [B, L]}
     * @param labels int labels {@code [B]} (needed by a conditional model, ignored otherwise)
     * @return decoder means {@code [B, ...]} in the data's scale, on {@code latents}' manager
     */
    public NDArray decode(NDArray latents, NDArray labels) {
        NDManager owner = latents.getManager();
        return withScratch(tmp -> {
            latents.tempAttach(tmp);
            if (labels != null) {
                labels.tempAttach(tmp);
            }
            NDArray x = decodeRows(latents, conditionDim > 0 ? labels : null, false);
            x.attach(owner);
            return x;
        });
    }

    /**
     * Decodes straight lines in latent space between the posterior means of pairs of examples.
     *
     * @param from start examples {@code [P, ...]}
     * @param to end examples {@code [P, ...]}
     * @param fromLabels int labels of the start examples {@code [P]}: a conditional model encodes the starts
     *     with them and decodes the whole path with them (ignored by an unconditional model; may be null then)
     * @param toLabels int labels of the end examples, with which a conditional model encodes them; null to use
     *     {@code fromLabels}
     * @param steps points per path, start and end included, at least 2
     * @return decoded means {@code [P·steps, ...]}, path after path, on {@code from}'s manager
     */
    public NDArray interpolate(NDArray from, NDArray to, NDArray fromLabels, NDArray toLabels, int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("an interpolation needs at least 2 steps, got " + steps);
        }
        NDManager owner = from.getManager();
        long pairs = from.getShape().get(0);
        NDArray a = encode(from, fromLabels);
        NDArray b = encode(to, toLabels == null ? fromLabels : toLabels);
        try (NDManager tmp = manager.newSubManager()) {
            a.attach(tmp);
            b.attach(tmp);
            float[] t = new float[steps];
            for (int s = 0; s < steps; s++) {
                t[s] = (float) s / (steps - 1);
            }
            NDArray ts = tmp.create(t, new Shape(1, steps, 1));
            int l = config.latentDim();
            NDArray z = a.reshape(pairs, 1, l).mul(ts.neg().add(1f)).add(b.reshape(pairs, 1, l).mul(ts))
                    .reshape(pairs * steps, l);
            NDArray y = null;
            if (conditionDim > 0 && fromLabels != null) {
                y = tmp.create(repeatEach(fromLabels.toType(DataType.INT32, false).toIntArray(), steps));
            }
            NDArray x = decode(z, y);
            x.attach(owner);
            return x;
        }
    }

    // ---------------------------------------------------------------- likelihood and diagnostics

    @Override
    public double nllNatsPerDim(Batch batch) {
        LikelihoodEstimate e = likelihood(batch.data(), batch.labels(), config.iwaeSamples());
        return config.iwaeLikelihood() ? e.nllNatsPerDim() : e.elboNatsPerDim();
    }

    /**
     * Estimates the ELBO and the IWAE bound with {@code k} importance samples per example.
     *
     * @param data examples {@code [n, ...]}
     * @param labels int labels {@code [n]} (needed by a conditional model), or null
     * @param k importance samples, at least 1
     * @return both bounds, averaged over the examples
     */
    public LikelihoodEstimate likelihood(NDArray data, NDArray labels, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int n = Math.toIntExact(data.getShape().get(0));
        return withScratch(tmp -> {
            data.tempAttach(tmp);
            if (labels != null) {
                labels.tempAttach(tmp);
            }
            resolveRange(data);
            double[] elboIwae = new double[2];
            inChunks(data, labels, Math.max(1, EVAL_ROWS / k), tmp, (xs, ys, from, to, scope) -> {
                float[] logW = logWeights(xs, ys, k);
                for (int i = 0; i < to - from; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    double mean = 0;
                    for (int s = 0; s < k; s++) {
                        max = Math.max(max, logW[i * k + s]);
                        mean += logW[i * k + s] / (double) k;
                    }
                    double sum = 0;
                    for (int s = 0; s < k; s++) {
                        sum += Math.exp(logW[i * k + s] - max);
                    }
                    elboIwae[0] += mean / n;
                    elboIwae[1] += (max + Math.log(sum / k)) / n;
                }
            });
            return new LikelihoodEstimate(elboIwae[0], elboIwae[1], k, dims, n);
        });
    }

    /** @return log p(x, z) − log q(z|x) for k draws per example, example-major {@code [m·k]} */
    private float[] logWeights(NDArray x, NDArray labels, int k) {
        long m = x.getShape().get(0);
        int l = config.latentDim();
        NDArray condition = condition(labels);
        NDArray[] q = encoder.forward(x, condition);
        NDArray mu = repeatRows(q[0], k);
        NDArray logvar = repeatRows(q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT), k);
        NDArray z = mu.add(logvar.mul(0.5f).exp().mul(mu.getManager().randomNormal(new Shape(m * k, l))));
        NDArray raw = decoder.forward(z, condition == null ? null : repeatRows(condition, k));
        NDArray logPx = logLikelihood(raw, repeatRows(flat(x), k));
        NDArray logPz = GaussianMath.logStandardNormal(z).sum(new int[] {1});
        NDArray logQ = GaussianMath.logNormal(z, mu, logvar).sum(new int[] {1});
        return logPx.add(logPz).sub(logQ).toFloatArray();
    }

    /** @return {@code [m·k, d]}: each row of {@code a [m, d]} repeated k times in a row */
    private static NDArray repeatRows(NDArray a, int k) {
        long m = a.getShape().get(0);
        long d = a.getShape().get(1);
        return a.reshape(m, 1, d).broadcast(m, k, d).reshape(m * k, d);
    }

    /**
     * Posterior statistics on a set of examples: KL per latent unit, activity and active units (over all
     * examples), and I(x; z) (on at most the first 2,000).
     *
     * @param data examples {@code [n, ...]}, n ≥ 2
     * @param labels int labels (needed by a conditional model), or null
     * @return the diagnostics
     */
    public LatentDiagnostics latentDiagnostics(NDArray data, NDArray labels) {
        return latentDiagnostics(posteriors(data, labels));
    }

    private LatentDiagnostics latentDiagnostics(float[][][] post) {
        float[][] mu = post[0];
        float[][] logvar = post[1];
        int miN = Math.min(MI_MAX, mu.length);
        double mi = LatentStats.mutualInformation(head(mu, miN), head(logvar, miN), head(post[2], miN));
        return new LatentDiagnostics(LatentStats.klPerDim(mu, logvar), LatentStats.meanVariance(mu),
                LatentStats.activeUnits(mu, config.activeThreshold()), mi, mu.length, miN);
    }

    /**
     * Linear-probe accuracy of the posterior means on class labels (see {@link LinearProbe#accuracy}).
     *
     * @param data examples {@code [n, ...]}, n ≥ 5
     * @param labels their int labels {@code [n]}
     * @return held-out accuracy of a linear classifier on z
     */
    public double probeAccuracy(NDArray data, NDArray labels) {
        return probeAccuracy(posteriors(data, labels)[0], labels);
    }

    private double probeAccuracy(float[][] mu, NDArray labels) {
        int[] y = labels.toType(DataType.INT32, false).toIntArray();
        int classes = shape.numClasses();
        for (int v : y) {
            classes = Math.max(classes, v + 1);
        }
        return probe.accuracy(mu, y, classes);
    }

    /**
     * Everything this paradigm can say about itself on held-out examples, in nats per example: {@code elbo}
     * and {@code iwae} (both from the same K = {@code iwae_samples} posterior draws, so elbo ≤ iwae),
     * {@code kl}, {@code active_units}, {@code mi}, {@code kl_dim_<u>} if {@code log_kl_per_dim}, and
     * {@code probe_accuracy} when the examples have labels (and there are at least 5). The NLL itself is the
     * framework's {@code likelihood} metric, through {@link #nllNatsPerDim}.
     *
     * @param heldOut examples the model never trained on, n ≥ 2; labels needed by a conditional model
     * @return the named values
     */
    @Override
    public Map<String, Double> diagnose(Batch heldOut) {
        NDArray data = heldOut.data();
        NDArray labels = heldOut.labels();
        if (heldOut.size() < 2) {
            throw new IllegalArgumentException("diagnostics need at least 2 held-out examples, got "
                    + heldOut.size());
        }
        LikelihoodEstimate e = likelihood(data, labels, config.iwaeSamples());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("elbo", e.elbo());
        out.put("iwae", e.iwae());
        float[][][] post = posteriors(data, labels);
        out.putAll(latentDiagnostics(post).toMap(config.logKlPerDim()));
        if (labels != null && heldOut.size() >= 5) {
            out.put("probe_accuracy", probeAccuracy(post[0], labels));
        }
        return out;
    }

    /**
     * One figure, {@code interpolation}: decoded latent interpolations between held-out examples, the first
     * P as starts and the next P as ends. Images: P = 8 paths of 10 steps, {@code [8, 10, C, H, W]}; points
     * (and other flat data): P = 4 paths of 9 steps, {@code [4, 9, ...]}; fewer paths when there are fewer
     * than 2P examples. A conditional model decodes every path with its start's label.
     */
    @Override
    public Map<String, NDArray> figures(Batch heldOut, NDManager owner) {
        boolean image = shape.isImage();
        int steps = image ? 10 : 9;
        int pairs = Math.min(image ? 8 : 4, heldOut.size() / 2);
        if (pairs == 0) {
            return Map.of();
        }
        try (NDManager tmp = owner.newSubManager()) {
            NDArray from = slice(heldOut.data(), 0, pairs, tmp);
            NDArray to = slice(heldOut.data(), pairs, 2 * pairs, tmp);
            NDArray y = heldOut.labels();
            NDArray path = interpolate(from, to, y == null ? null : slice(y, 0, pairs, tmp),
                    y == null ? null : slice(y, pairs, 2 * pairs, tmp), steps);
            long[] dims = new long[2 + shape.dims().size()];
            dims[0] = pairs;
            dims[1] = steps;
            for (int i = 0; i < shape.dims().size(); i++) {
                dims[2 + i] = shape.dims().get(i);
            }
            NDArray figure = path.reshape(new Shape(dims));
            figure.attach(owner);
            return Map.of("interpolation", figure);
        }
    }

    /** @return rows {@code [from, to)} of {@code a}, owned by {@code owner} */
    private static NDArray slice(NDArray a, int from, int to, NDManager owner) {
        NDArray rows = a.get(from + ":" + to);
        rows.attach(owner);
        return rows;
    }

    /** @return {μ, log σ², one draw z} per example, each {@code [n][L]} */
    private float[][][] posteriors(NDArray data, NDArray labels) {
        int n = Math.toIntExact(data.getShape().get(0));
        int l = config.latentDim();
        float[] mu = new float[n * l];
        float[] logvar = new float[n * l];
        float[] z = new float[n * l];
        withScratch(tmp -> {
            data.tempAttach(tmp);
            if (labels != null) {
                labels.tempAttach(tmp);
            }
            inChunks(data, labels, EVAL_ROWS, tmp, (xs, ys, from, to, scope) -> {
                NDArray[] q = encoder.forward(xs, condition(ys));
                NDArray lv = q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT);
                NDArray draw = q[0].add(lv.mul(0.5f).exp().mul(scope.randomNormal(q[0].getShape())));
                System.arraycopy(q[0].toFloatArray(), 0, mu, from * l, (to - from) * l);
                System.arraycopy(lv.toFloatArray(), 0, logvar, from * l, (to - from) * l);
                System.arraycopy(draw.toFloatArray(), 0, z, from * l, (to - from) * l);
            });
            return null;
        });
        return new float[][][] {unflatten(mu, n, l), unflatten(logvar, n, l), unflatten(z, n, l)};
    }

    /** One chunk of rows: its data and labels (or null), its row range, and the scope that owns them. */
    private interface ChunkBody {
        void accept(NDArray xs, NDArray ys, int from, int to, NDManager scope);
    }

    /** Runs {@code body} on consecutive chunks of at most {@code chunk} rows, freeing each chunk's arrays after it. */
    private static void inChunks(NDArray data, NDArray labels, int chunk, NDManager parent, ChunkBody body) {
        int n = Math.toIntExact(data.getShape().get(0));
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            try (NDManager scope = parent.newSubManager()) {
                NDArray xs = data.get(from + ":" + to);
                xs.attach(scope);
                NDArray ys = labels == null ? null : labels.get(from + ":" + to);
                if (ys != null) {
                    ys.attach(scope);
                }
                body.accept(xs, ys, from, to, scope);
            }
        }
    }

    // ---------------------------------------------------------------- bookkeeping

    @Override
    public Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("encoder", encoderCount);
        counts.put("decoder", decoderCount);
        return counts;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeUTF(config.layout(shape));
        data.writeLong(steps);
        data.writeLong(updates);
        data.writeLong(skipped);
        data.writeInt(range.ordinal());
        for (NDArray a : state()) {
            float[] values = a.toFloatArray();
            ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES);
            buf.asFloatBuffer().put(values);
            data.write(buf.array());
        }
        data.flush();
    }

    @Override
    public void load(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a saved vae");
        }
        String layout = data.readUTF();
        if (!layout.equals(config.layout(shape))) {
            throw new IOException("saved vae has layout [" + layout + "], this one [" + config.layout(shape) + "]");
        }
        long savedSteps = data.readLong();
        long savedUpdates = data.readLong();
        long savedSkipped = data.readLong();
        int savedRange = data.readInt();
        if (savedRange < 0 || savedRange >= VaeConfig.DataRange.values().length) {
            throw new IOException("saved vae has a bad data range " + savedRange);
        }
        List<NDArray> state = state();
        List<float[]> values = new ArrayList<>();
        for (NDArray a : state) {
            byte[] bytes = new byte[Math.toIntExact(a.size()) * Float.BYTES];
            data.readFully(bytes);
            float[] v = new float[Math.toIntExact(a.size())];
            ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
            values.add(v);
        }
        // Only write once everything was read, so a truncated stream leaves the model untouched.
        // Copy into each tensor's own storage (set(NDIndex, NDArray)): set(float[]) re-points the tensor at a
        // Java-owned buffer instead, which made a resumed baseline run drift from the uninterrupted one.
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < state.size(); i++) {
                state.get(i).set(new NDIndex("..."), tmp.create(values.get(i), state.get(i).getShape()));
            }
        }
        steps = savedSteps;
        updates = savedUpdates;
        skipped = savedSkipped;
        range = VaeConfig.DataRange.values()[savedRange];
    }

    private List<NDArray> state() {
        List<NDArray> all = new ArrayList<>(weights);
        all.addAll(adam.state());
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }

    // ---------------------------------------------------------------- host helpers

    private static float[][] matrix(NDArray a) {
        int n = Math.toIntExact(a.getShape().get(0));
        int d = Math.toIntExact(a.getShape().get(1));
        return unflatten(a.toFloatArray(), n, d);
    }

    private static float[][] unflatten(float[] flat, int n, int d) {
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    private static float[][] head(float[][] rows, int n) {
        float[][] out = new float[n][];
        System.arraycopy(rows, 0, out, 0, n);
        return out;
    }

    private static int[] repeatEach(int[] values, int times) {
        int[] out = new int[values.length * times];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i / times];
        }
        return out;
    }
}
