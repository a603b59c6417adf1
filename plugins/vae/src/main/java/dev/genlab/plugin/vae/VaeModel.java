package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.Scalars;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The VAE's networks and their state: the encoder q(z|x[,y]) = N(μ, diag e^{v}) and the decoder p(x|z[,y])
 * (see {@link Networks}, {@link Observation}), their parameters in one genlab-nn {@link Parameters} set with
 * the scopes {@code encoder} and {@code decoder}, and the pieces every use of them shares: the one-hot
 * condition, the reparameterised draw, chunked evaluation on the stored weights, and the model's part of
 * the checkpoint.
 */
final class VaeModel implements AutoCloseable {

    /** Rows (examples × importance samples) per forward pass in evaluation, bounding its memory. */
    static final int EVAL_ROWS = 1024;
    /** Posterior log-variances are clipped to ±this, so e^{v} neither overflows nor underflows. */
    private static final float LOGVAR_LIMIT = 20f;

    private final VaeConfig config;
    private final DataShape shape;
    private final int dims;
    /** Width of the one-hot condition, 0 for an unconditional model. */
    private final int conditionDim;
    /** Owns weights and optimiser state; closing it frees the model. */
    private final NDManager manager;
    private final Parameters params;
    private final Parameters encoderParams;
    private final Parameters decoderParams;
    private final Networks.Encoder encoder;
    private final Networks.Decoder decoder;
    private final Observation observation;
    /** The architecture description (UTF-8), saved so that a checkpoint of another architecture is named. */
    private final NDArray layout;

    /**
     * @param parent the trial's manager; the model lives on a sub-manager of it
     */
    VaeModel(VaeConfig config, DataShape shape, NDManager parent) {
        this.config = config;
        this.shape = shape;
        this.dims = shape.size();
        this.conditionDim = config.conditional() ? shape.numClasses() : 0;
        this.manager = parent.newSubManager();
        this.params = new Parameters(manager);
        this.observation = new Observation(config);
        int heads = Observation.heads(config);
        int latent = config.latentDim();
        // Encoder first: the optimiser's (and the checkpoint's) order is creation order.
        encoderParams = params.scope("encoder");
        decoderParams = params.scope("decoder");
        if (config.conv()) {
            int c = shape.dims().get(0);
            int h = shape.dims().get(1);
            int w = shape.dims().get(2);
            encoder = Networks.convEncoder(encoderParams, c, h, w, conditionDim, config.channels(), config.hidden(),
                    latent);
            decoder = Networks.convDecoder(decoderParams, c, h, w, heads, conditionDim, config.channels(),
                    config.hidden(), latent);
        } else {
            encoder = Networks.mlpEncoder(encoderParams, dims, conditionDim, config.hidden(), config.layers(), latent);
            decoder = Networks.mlpDecoder(decoderParams, dims, heads, conditionDim, config.hidden(), config.layers(),
                    latent);
        }
        layout = manager.create(layout().getBytes(StandardCharsets.UTF_8));
    }

    VaeConfig config() {
        return config;
    }

    DataShape shape() {
        return shape;
    }

    /** @return D, the data dimensions per example */
    int dims() {
        return dims;
    }

    /** @return the number of classes a conditional model is conditioned on, 0 for an unconditional one */
    int conditionDim() {
        return conditionDim;
    }

    /** @return every trainable array of both networks (the optimiser's scope) */
    Parameters params() {
        return params;
    }

    Observation observation() {
        return observation;
    }

    /** @return the architecture description that a checkpoint must match */
    String layout() {
        return config.layout(shape);
    }

    // ---------------------------------------------------------------- forward passes

    /** A diagonal Gaussian posterior, log-variances clipped to ±20. */
    record Posterior(NDArray mu, NDArray logvar) {

        /** @return z = μ + e^{v/2}·ε, one reparameterised draw per row (differentiable in μ and v) */
        NDArray draw() {
            NDArray eps = mu.getManager().randomNormal(mu.getShape());
            return mu.add(logvar.mul(Scalars.of(logvar, 0.5)).exp().mul(eps));
        }
    }

    /**
     * @param w the encoder scope's arrays ({@link #encoderWeights()} or views of them)
     * @param x examples {@code [B, ...]}
     * @param condition one-hot condition {@code [B, classes]} or null
     */
    Posterior encode(NDArray[] w, NDArray x, NDArray condition) {
        NDArray[] q = encoder.forward(w, x, condition);
        return new Posterior(q[0], q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT));
    }

    /** @return the decoder's raw outputs {@code [B, heads, D]} */
    NDArray decode(NDArray[] w, NDArray z, NDArray condition) {
        return decoder.forward(w, z, condition);
    }

    /** @return the encoder's stored arrays, for evaluation */
    NDArray[] encoderWeights() {
        return encoderParams.stored();
    }

    /** @return the decoder's stored arrays, for evaluation */
    NDArray[] decoderWeights() {
        return decoderParams.stored();
    }

    /** @return differentiable views of both networks' weights on {@code scope}: {encoder's, decoder's} */
    NDArray[][] views(NDManager scope) {
        return new NDArray[][] {encoderParams.views(scope), decoderParams.views(scope)};
    }

    /** @return examples as {@code [B, D]} */
    NDArray flat(NDArray x) {
        return x.reshape(x.getShape().get(0), dims);
    }

    /** @return the one-hot condition {@code [B, classes]}, or null for an unconditional model */
    NDArray condition(NDArray labels) {
        if (conditionDim == 0) {
            return null;
        }
        if (labels == null) {
            throw new IllegalArgumentException("the conditional VAE needs labels");
        }
        return labels.toType(DataType.INT64, false).oneHot(conditionDim).toType(DataType.FLOAT32, false);
    }

    // ---------------------------------------------------------------- evaluation on the stored weights

    /**
     * Opens a scope in which every model array (and {@code extra}) is temporarily attached, so that all
     * results of the phase are freed when it closes.
     */
    NDManager open(NDArray... extra) {
        return params.open(extra);
    }

    /** Runs {@code fn} in a scratch scope ({@link #open}) that is closed afterwards. */
    <T> T withScratch(Function<NDManager, T> fn, NDArray... extra) {
        try (NDManager tmp = open(extra)) {
            return fn.apply(tmp);
        }
    }

    /**
     * Decodes codes in chunks, inside an open scope.
     *
     * @param labels int labels (only for a conditional model), or null
     * @param draw true for draws from p(x|z), false for its means
     * @return {@code [n, ...]} in the data's shape and scale
     */
    NDArray decodeRows(NDArray z, NDArray labels, boolean draw) {
        int n = Math.toIntExact(z.getShape().get(0));
        NDArray[] w = decoderWeights();
        NDList parts = new NDList();
        for (int from = 0; from < n; from += EVAL_ROWS) {
            int to = Math.min(n, from + EVAL_ROWS);
            NDArray raw = decode(w, z.get(from + ":" + to),
                    labels == null ? null : condition(labels.get(from + ":" + to)));
            NDArray x = draw ? observation.draw(raw) : observation.mean(raw);
            parts.add(x.reshape(shape.batchShape(to - from)));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /**
     * @param data examples {@code [B, ...]}
     * @param labels int labels {@code [B]} (needed by a conditional model), or null
     * @return posterior means {@code [B, L]}, on {@code data}'s manager
     */
    NDArray posteriorMeans(NDArray data, NDArray labels) {
        NDManager owner = data.getManager();
        return withScratch(tmp -> {
            NDList parts = new NDList();
            NDArray[] w = encoderWeights();
            inChunks(data, labels, EVAL_ROWS, tmp, (xs, ys, from, to, scope) -> {
                NDArray mu = encode(w, xs, condition(ys)).mu();
                mu.attach(tmp); // outlives the chunk's scope
                parts.add(mu);
            });
            NDArray mu = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            mu.attach(owner);
            return mu;
        }, data, labels);
    }

    /**
     * @param latents codes {@code [B, L]}
     * @param labels int labels {@code [B]} (needed by a conditional model, ignored otherwise)
     * @return decoder means {@code [B, ...]} in the data's scale, on {@code latents}' manager
     */
    NDArray decodeMeans(NDArray latents, NDArray labels) {
        NDManager owner = latents.getManager();
        NDArray y = conditionDim > 0 ? labels : null;
        return withScratch(tmp -> {
            NDArray x = decodeRows(latents, y, false);
            x.attach(owner);
            return x;
        }, latents, y);
    }

    /** One chunk of rows: its data and labels (or null), its row range, and the scope that owns them. */
    interface ChunkBody {
        void accept(NDArray xs, NDArray ys, int from, int to, NDManager scope);
    }

    /** Runs {@code body} on consecutive chunks of at most {@code chunk} rows, freeing each chunk's arrays after it. */
    static void inChunks(NDArray data, NDArray labels, int chunk, NDManager parent, ChunkBody body) {
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

    /** @return trainable scalars of each network */
    Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("encoder", encoderParams.count());
        counts.put("decoder", decoderParams.count());
        return counts;
    }

    /** Registers the model's state: its layout description, every weight, and the resolved data range. */
    void addTo(Checkpoint checkpoint) {
        checkpoint.tensor("layout", layout).part("", params).longValue("data_range",
                () -> observation.range().ordinal(), v -> observation.range(VaeConfig.DataRange.values()[(int) v]));
    }

    @Override
    public void close() {
        manager.close();
    }
}
