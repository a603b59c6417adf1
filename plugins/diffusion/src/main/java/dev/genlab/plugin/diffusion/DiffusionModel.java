package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Ema;
import dev.genlab.nn.Parameters;
import dev.genlab.nn.TimeEmbedding;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The networks and fixed parts of one DDPM: the denoiser's parameters (scope {@code denoiser}), their moving
 * average (buffers of scope {@code ema}, null when {@code ema_decay} is 0), the noise schedule, the time
 * embedding, the data's {@link Standardisation} and the seed that keys every host random stream.
 *
 * <p><b>Randomness</b>: weights are initialised from the engine's generator, which the framework seeds; every
 * other random number (steps, label dropout, training noise, sampling noise) is drawn on the host from a
 * generator keyed by (seed, purpose, step, call) ({@link #stream}). Training is therefore a function of the seed
 * and the batches alone: it does not depend on when or how often the model is sampled, nor on the sampler's
 * parameters, and a loaded checkpoint continues exactly as the original would have.
 *
 * <p>It is the {@link Checkpoint.Part} of the model's state: every parameter and average, the
 * standardisation ({@code data.*}), the seed and a fingerprint of what the checkpoint's shapes cannot show
 * (network kind and noise schedule).
 */
final class DiffusionModel implements Checkpoint.Part {

    static final long TRAIN_STREAM = 0x7472L;
    static final long SAMPLE_STREAM = 0x7361L;
    static final long LIKELIHOOD_STREAM = 0x6c6bL;

    private final DiffusionConfig config;
    private final DataShape shape;
    private final int dim;
    private final Parameters params;
    private final Parameters net;
    private final Denoiser denoiser;
    private final Ema ema;
    private final NoiseSchedule schedule;
    private final TimeEmbedding embedding;
    private final Standardisation data;
    private final long fingerprint;
    /** Keys every host random stream; saved, so a loaded model continues the original's streams. */
    private long seed;
    /** The fingerprint of the last checkpoint read, checked by the paradigm's {@code load}. */
    private long loadedFingerprint;

    /**
     * @param manager owner of every parameter and average (closing it frees the model)
     * @param config the trial's configuration
     * @param shape the data's shape
     * @param seed the trial seed
     */
    DiffusionModel(NDManager manager, DiffusionConfig config, DataShape shape, long seed) {
        this.config = config;
        this.shape = shape;
        this.dim = shape.size();
        this.seed = seed;
        this.schedule = NoiseSchedule.of(config.schedule(), config.timesteps(), config.betaStart(), config.betaEnd());
        this.embedding = new TimeEmbedding(config.timeDim(), config.timesteps());
        this.params = new Parameters(manager);
        this.net = params.scope("denoiser");
        this.denoiser = config.network().equals("unet")
                ? new UNetDenoiser(net, shape.dims().get(0), config.channels(), config.unetBlocks(), config.patch(),
                        config.timeDim(), config.classes())
                : new MlpDenoiser(net, dim, shape.isPoints() ? config.fourierOctaves() : 0, config.width(),
                        config.depth(), config.timeDim(), config.classes());
        this.ema = config.emaDecay() > 0 ? new Ema(net, params.scope("ema")) : null;
        this.data = new Standardisation(shape, config.normalize());
        this.fingerprint = fingerprint(config.network(), schedule);
        this.loadedFingerprint = fingerprint;
    }

    /** A hash of the network kind and every ᾱ_t: what a checkpoint's names and shapes do not show. */
    private static long fingerprint(String network, NoiseSchedule schedule) {
        long h = network.hashCode();
        for (int i = 0; i < schedule.timesteps(); i++) {
            h = h * 0x100000001B3L + Double.doubleToLongBits(schedule.alphaBar(i));
        }
        return h;
    }

    /** @return every parameter and average */
    Parameters parameters() {
        return params;
    }

    /** @return the denoiser's scope (what Adam optimises) */
    Parameters network() {
        return net;
    }

    Denoiser denoiser() {
        return denoiser;
    }

    /** @return the moving average, or null when {@code ema_decay} is 0 */
    Ema ema() {
        return ema;
    }

    /** @return the weights that sample and bound the likelihood: the average if there is one */
    NDArray[] samplingWeights() {
        return ema != null ? ema.averages() : net.stored();
    }

    DiffusionConfig config() {
        return config;
    }

    DataShape shape() {
        return shape;
    }

    /** @return d, the values per example */
    int dim() {
        return dim;
    }

    NoiseSchedule schedule() {
        return schedule;
    }

    TimeEmbedding embedding() {
        return embedding;
    }

    Standardisation data() {
        return data;
    }

    /** @return true if the last checkpoint read was saved by a model of this network kind and schedule */
    boolean loadedFitsThisModel() {
        return loadedFingerprint == fingerprint;
    }

    /** @return the host generator for one purpose, training step and call, keyed by the seed */
    SplittableRandom stream(long purpose, long step, long call) {
        long key = seed * 0x9E3779B97F4A7C15L + purpose * 0xBF58476D1CE4E5B9L + step * 0x94D049BB133111EBL + call;
        return new SplittableRandom(key);
    }

    /** @return the model-coordinate shape of a batch: {@code [B, d]} for points, {@code [B, C, H, W]} else */
    Shape modelShape(long b) {
        return shape.isPoints() ? new Shape(b, dim) : shape.batchShape(b);
    }

    /** @return {@code [B, 1, ...]}, broadcasting a per-example scalar over one example */
    Shape perExample(long b) {
        long[] s = new long[modelShape(b).dimension()];
        Arrays.fill(s, 1);
        s[0] = b;
        return new Shape(s);
    }

    /** @return the axes of one example in model coordinates (1..rank−1), for per-example sums */
    int[] exampleAxes() {
        int[] axes = new int[modelShape(1).dimension() - 1];
        for (int a = 0; a < axes.length; a++) {
            axes[a] = a + 1;
        }
        return axes;
    }

    /** @return one-hot {@code [B, K + 1]} rows of the labels (K = "no label") */
    NDArray oneHot(NDManager m, int[] labels) {
        int k = config.classes() + 1;
        float[] hot = new float[labels.length * k];
        for (int j = 0; j < labels.length; j++) {
            hot[j * k + labels[j]] = 1f;
        }
        return m.create(hot, new Shape(labels.length, k));
    }

    /** @return n copies of value */
    static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    @Override
    public void addTo(Checkpoint checkpoint, String prefix) {
        checkpoint.part(prefix, params);
        checkpoint.part(prefix + "data", data);
        checkpoint.longValue(prefix + "seed", () -> seed, v -> seed = v);
        checkpoint.longValue(prefix + "fingerprint", () -> fingerprint, v -> loadedFingerprint = v);
    }

    /** @return a one-line description, for logs */
    String describe() {
        return denoiser.describe() + ", " + schedule;
    }
}
