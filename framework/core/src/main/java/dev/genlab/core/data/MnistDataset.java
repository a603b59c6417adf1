package dev.genlab.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Params;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code mnist}: the 10,000 bundled MNIST digits ({@link MnistArchive}) as {@code [N, 1, 28, 28]} float32
 * images with int32 labels 0..9, offline and deterministic (the seed is not used: the split and order are
 * fixed by {@link MnistArchive}, so every trial sees the same images).
 *
 * <p>Parameters: {@code n} (at most this many images, the first of the split's fixed order),
 * {@code digits} (e.g. {@code 0-9}, {@code 3,5,8}, {@code 0-4,7}), {@code split} ({@code train},
 * {@code test}, {@code all}; stratified 80/20), {@code scale} ({@code minus_one_one}: byte/127.5 − 1,
 * {@code zero_one}: byte/255), {@code binarize} (map every pixel to the top or the bottom of the scale) and
 * {@code binarize_mode}: {@code threshold} (the default: grey level / 255 &gt; 0.5 becomes the top, everything
 * else the bottom) or {@code stochastic} (a pixel of grey level g becomes the top with probability g/255,
 * drawn once with {@code binarize_seed}, as in the statically binarised MNIST of Larochelle &amp; Murray 2011).
 * Labels keep their digit values, so the data shape always has 10 classes even for a subset of digits.
 *
 * <p>The stochastic draw is <em>static</em>: each image's bits are a pure function of the seed, the image's
 * storage index and the pixel (a counter-based hash, no sequential RNG), so the same digit gets the same
 * bits whatever the split, {@code n} or {@code digits}, in every run and process; every image has its own
 * stream, so the train and test splits (and held-out data) never share draws. Re-drawing every epoch
 * (dynamic binarisation) would need the training loop's batching and is not offered.
 */
public final class MnistDataset implements DatasetProvider {

    /** Name of the scale parameter's value mapping to [-1, 1]. */
    public static final String MINUS_ONE_ONE = "minus_one_one";
    /** Name of the scale parameter's value mapping to [0, 1]. */
    public static final String ZERO_ONE = "zero_one";
    /** Name of the binarize_mode value that thresholds grey levels at 0.5 (the behaviour of binarize alone). */
    public static final String THRESHOLD = "threshold";
    /** Name of the binarize_mode value that draws each pixel's bit with probability grey/255. */
    public static final String STOCHASTIC = "stochastic";

    private static final Logger LOG = LogManager.getLogger(MnistDataset.class);

    private final Supplier<MnistArchive> source;
    private MnistArchive archive;

    /** Uses the copy bundled on the class path, read on first use. */
    public MnistDataset() {
        this(MnistArchive::bundled);
    }

    /**
     * @param source where to read the archive from on first use
     */
    public MnistDataset(Supplier<MnistArchive> source) {
        this.source = source;
    }

    @Override
    public String name() {
        return "mnist";
    }

    @Override
    public String description() {
        return "MNIST digits, 10,000 labelled 28x28 images bundled offline (LeCun, Cortes, Burges; CC BY-SA 3.0)";
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addInt("n", 10_000, 1, 10_000, "at most this many images (the first of the split's fixed order)")
                .addString("digits", "0-9", "digits to keep, e.g. 0-9, 3,5,8 or 0-4,7")
                .addChoice("split", "train", List.of("train", "test", "all"),
                        "fixed stratified 80/20 split: train (8,000 images), test (2,000) or all")
                .addChoice("scale", MINUS_ONE_ONE, List.of(MINUS_ONE_ONE, ZERO_ONE),
                        "pixel range: minus_one_one = [-1, 1], zero_one = [0, 1]")
                .addBoolean("binarize", false, "map grey levels to the two ends of the scale, as binarize_mode says")
                // Added after the first release: addedLater() keeps both out of the trial hash at their defaults,
                // which reproduce the old behaviour, so existing mnist specs keep their hashes.
                .addChoice("binarize_mode", THRESHOLD, List.of(THRESHOLD, STOCHASTIC),
                        "binarize: true as threshold (grey/255 > 0.5) or stochastic (1 with probability grey/255,"
                                + " drawn once per image with binarize_seed)").addedLater()
                .addInt("binarize_seed", 0, 0, Integer.MAX_VALUE,
                        "seed of the stochastic binarisation (the same seed gives the same bits everywhere)")
                .addedLater()
                .build();
    }

    /**
     * {@code binarize_mode: stochastic} needs {@code binarize: true}, and {@code binarize_seed} means
     * something only with it: a setting that would change nothing is reported rather than ignored.
     */
    @Override
    public List<String> validate(Params params) {
        List<String> problems = new ArrayList<>();
        boolean stochastic = STOCHASTIC.equals(params.getString("binarize_mode"));
        if (stochastic && !params.getBoolean("binarize")) {
            problems.add("binarize_mode: stochastic needs binarize: true (without it the grey levels are kept)");
        }
        if (!stochastic && params.getLong("binarize_seed") != 0) {
            problems.add("binarize_seed: " + params.getLong("binarize_seed") + " is used only by binarize_mode: "
                    + "stochastic (set binarize: true and binarize_mode: stochastic, or remove binarize_seed)");
        }
        return problems;
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Dataset load(DatasetSetup setup) {
        Params p = setup.params();
        boolean[] digits = parseDigits(p.getString("digits"));
        MnistArchive.Split split = MnistArchive.Split.parse(p.getString("split"));
        int[] indices = archive().indices(split, digits);
        int n = p.getInt("n");
        if (indices.length > n) {
            indices = Arrays.copyOf(indices, n);
        } else if (indices.length < n) {
            LOG.debug("mnist: {} images match split={} digits={}, fewer than n={}", indices.length,
                    p.getString("split"), p.getString("digits"), n);
        }
        return dataset(setup.manager(), pixels(p, indices), archive().labels(indices));
    }

    /**
     * The other split of the fixed 80/20 division (test for train and vice versa), same digits and scale,
     * all of its images; none for {@code split: all}, which leaves nothing out.
     */
    @Override
    public Optional<Dataset> loadHeldOut(DatasetSetup setup) {
        Params p = setup.params();
        MnistArchive.Split split = MnistArchive.Split.parse(p.getString("split"));
        MnistArchive.Split other = switch (split) {
            case TRAIN -> MnistArchive.Split.TEST;
            case TEST -> MnistArchive.Split.TRAIN;
            default -> null;
        };
        if (other == null) {
            return Optional.empty();
        }
        int[] indices = archive().indices(other, parseDigits(p.getString("digits")));
        return Optional.of(dataset(setup.manager(), pixels(p, indices), archive().labels(indices)));
    }

    /** @return the images' values as the parameters ask, row-major {@code [indices.length, 784]} */
    private float[] pixels(Params p, int[] indices) {
        List<String> problems = validate(p);
        if (!problems.isEmpty()) { // swept dataset parameters reach here without the spec-time check
            throw new IllegalArgumentException("mnist: " + String.join("; ", problems));
        }
        String scale = p.getString("scale");
        if (p.getBoolean("binarize") && STOCHASTIC.equals(p.getString("binarize_mode"))) {
            float[] ends = lookup(scale, true);
            return stochastic(archive(), indices, p.getLong("binarize_seed"), ends[0], ends[255]);
        }
        return archive().mapped(indices, lookup(scale, p.getBoolean("binarize")));
    }

    /**
     * Statically, stochastically binarised images: pixel p of image i is {@code high} when
     * {@link #stochasticBit} says so, else {@code low}.
     *
     * @param archive the images
     * @param indices image indices in storage order
     * @param seed the binarisation seed
     * @param low value of a 0 bit
     * @param high value of a 1 bit
     * @return row-major {@code [indices.length, 784]} values
     */
    static float[] stochastic(MnistArchive archive, int[] indices, long seed, float low, float high) {
        float[] out = new float[indices.length * MnistArchive.PIXELS];
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            for (int px = 0; px < MnistArchive.PIXELS; px++) {
                boolean one = stochasticBit(seed, (long) i * MnistArchive.PIXELS + px, archive.pixel(i, px));
                out[r * MnistArchive.PIXELS + px] = one ? high : low;
            }
        }
        return out;
    }

    /**
     * One Bernoulli(grey/255) draw, a pure function of its arguments: SplitMix64's finaliser (Steele, Lea
     * &amp; Flood 2014) of the seed's own mix plus the counter times the golden gamma, so the result never
     * depends on the order or the number of draws made before it (which a sequential RNG would).
     *
     * @param seed the binarisation seed
     * @param counter the pixel's global index, {@code image * 784 + pixel}
     * @param grey the grey level 0..255
     * @return true with probability grey/255 over seeds and counters: never for 0, always for 255
     */
    static boolean stochasticBit(long seed, long counter, int grey) {
        long h = mix64(mix64(seed) + counter * 0x9E3779B97F4A7C15L);
        // floor(u · 255) for u uniform on 53 bits: an integer r on 0..254, each value with probability within
        // 2^-53 of 1/255, so P(r < grey) = grey/255 to that precision; 0 never and 255 always gives a 1.
        long r = ((h >>> 11) * 255L) >>> 53;
        return r < grey;
    }

    /** The SplitMix64 output function: a bijective mix of all 64 bits. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private synchronized MnistArchive archive() {
        if (archive == null) {
            long t0 = System.nanoTime();
            archive = source.get();
            LOG.debug("mnist: read and verified {} images in {} ms", archive.size(), (System.nanoTime() - t0) / 1_000_000);
        }
        return archive;
    }

    /**
     * @param values row-major {@code [n, 784]} pixel values
     * @param labels n labels
     */
    private Dataset dataset(NDManager manager, float[] values, int[] labels) {
        int n = labels.length;
        NDArray data = manager.create(values, new Shape(n, 1, MnistArchive.SIDE, MnistArchive.SIDE));
        NDArray lab = manager.create(labels);
        DataShape shape = DataShape.image(1, MnistArchive.SIDE, MnistArchive.SIDE, MnistArchive.CLASSES);
        return new Dataset(name(), data, lab, shape, null);
    }

    /**
     * @param scale {@link #MINUS_ONE_ONE} or {@link #ZERO_ONE}
     * @param binarize threshold at 0.5 of [0, 1] first
     * @return the value of each grey level 0..255
     */
    static float[] lookup(String scale, boolean binarize) {
        boolean symmetric = switch (scale) {
            case MINUS_ONE_ONE -> true;
            case ZERO_ONE -> false;
            default -> throw new IllegalArgumentException("unknown MNIST scale '" + scale + "' (use "
                    + MINUS_ONE_ONE + " or " + ZERO_ONE + ")");
        };
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            double unit = v / 255.0;
            if (binarize) {
                unit = unit > 0.5 ? 1.0 : 0.0;
            }
            lut[v] = (float) (symmetric ? 2.0 * unit - 1.0 : unit);
        }
        return lut;
    }

    /**
     * Parses a digit list such as {@code 0-9}, {@code 3,5,8} or {@code 0-4, 7}.
     *
     * @param spec the list
     * @return a mask of 10 entries
     * @throws IllegalArgumentException if it is malformed, out of 0..9 or empty
     */
    public static boolean[] parseDigits(String spec) {
        boolean[] mask = new boolean[MnistArchive.CLASSES];
        String trimmed = spec == null ? "" : spec.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("mnist: digits is empty (use e.g. 0-9 or 3,5,8)");
        }
        for (String part : trimmed.split(",")) {
            String item = part.trim();
            try {
                int dash = item.indexOf('-');
                int from = Integer.parseInt((dash < 0 ? item : item.substring(0, dash)).trim());
                int to = dash < 0 ? from : Integer.parseInt(item.substring(dash + 1).trim());
                if (from < 0 || to > 9 || from > to) {
                    throw new NumberFormatException();
                }
                for (int d = from; d <= to; d++) {
                    mask[d] = true;
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mnist: bad digits '" + spec + "': '" + item
                        + "' is not a digit 0-9 or a range like 3-7");
            }
        }
        return mask;
    }
}
