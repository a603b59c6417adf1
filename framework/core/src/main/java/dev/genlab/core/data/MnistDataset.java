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
 * {@code zero_one}: byte/255) and {@code binarize} (grey level / 255 &gt; 0.5 becomes the top of the
 * scale, everything else the bottom). Labels keep their digit values, so the data shape always has 10
 * classes even for a subset of digits.
 */
public final class MnistDataset implements DatasetProvider {

    /** Name of the scale parameter's value mapping to [-1, 1]. */
    public static final String MINUS_ONE_ONE = "minus_one_one";
    /** Name of the scale parameter's value mapping to [0, 1]. */
    public static final String ZERO_ONE = "zero_one";

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
                .addBoolean("binarize", false, "threshold grey levels at 0.5 (of [0, 1]) to the two ends of the scale")
                .build();
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
        float[] lut = lookup(p.getString("scale"), p.getBoolean("binarize"));
        return dataset(setup.manager(), archive().mapped(indices, lut), archive().labels(indices));
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
        float[] lut = lookup(p.getString("scale"), p.getBoolean("binarize"));
        return Optional.of(dataset(setup.manager(), archive().mapped(indices, lut), archive().labels(indices)));
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
