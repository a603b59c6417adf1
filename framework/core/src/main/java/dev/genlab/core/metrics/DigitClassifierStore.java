package dev.genlab.core.metrics;

import ai.djl.ndarray.NDManager;
import dev.genlab.core.data.MnistArchive;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Gives the LeNet digit classifier behind the image metrics. Its weights are addressed by a key that
 * hashes the training recipe ({@link DigitClassifierTrainer#RECIPE}) and the bundled digits, and are
 * looked up in this order:
 * <ol>
 *   <li>the weights bundled in genlab-core ({@value #BUNDLED_DIR}{@code lenet-<key>.params}, made once
 *       by {@code scripts/train-lenet}), so every installation computes FD-LeNet with the very same
 *       classifier — retraining repeats bit for bit only under the same engine thread configuration,
 *       since the engine's multithreaded CPU kernels otherwise sum in another order;</li>
 *   <li>the cache folder: the system property {@value #CACHE_PROPERTY}, else the environment variable
 *       {@value #CACHE_ENV}, else {@code ~/.cache/genlab};</li>
 *   <li>otherwise (a changed recipe or data) it trains the classifier (a minute or more on two cores) and
 *       writes it to the cache folder: atomically (temporary name, then rename) and under a file lock,
 *       so concurrent processes train it only once.</li>
 * </ol>
 */
public final class DigitClassifierStore {

    /** System property naming the cache folder. */
    public static final String CACHE_PROPERTY = "genlab.cache.dir";
    /** Environment variable naming the cache folder. */
    public static final String CACHE_ENV = "GENLAB_CACHE_DIR";
    /** Class-path folder of the bundled weights. */
    public static final String BUNDLED_DIR = "/dev/genlab/core/metrics/lenet/";

    private static final Logger LOG = LogManager.getLogger(DigitClassifierStore.class);

    private final Path cacheDir;
    private final Supplier<MnistArchive> data;
    private final boolean useBundled;
    private MnistArchive archive;
    private DigitClassifier classifier;

    /**
     * @param cacheDir folder of cached weights (created when needed)
     * @param data the digits to train on, read on first use
     */
    public DigitClassifierStore(Path cacheDir, Supplier<MnistArchive> data) {
        this(cacheDir, data, true);
    }

    /**
     * @param cacheDir folder of cached weights (created when needed)
     * @param data the digits to train on, read on first use
     * @param useBundled false to ignore the bundled weights (to retrain them)
     */
    public DigitClassifierStore(Path cacheDir, Supplier<MnistArchive> data, boolean useBundled) {
        this.cacheDir = cacheDir;
        this.data = data;
        this.useBundled = useBundled;
    }

    /**
     * @return a store on the default cache folder and the bundled digits
     */
    public static DigitClassifierStore standard() {
        return new DigitClassifierStore(defaultCacheDir(), MnistArchive::bundled);
    }

    /** @return the cache folder from {@value #CACHE_PROPERTY}, {@value #CACHE_ENV} or {@code ~/.cache/genlab} */
    public static Path defaultCacheDir() {
        String prop = System.getProperty(CACHE_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "genlab");
    }

    /** @return the digits the classifier is trained and evaluated on */
    public synchronized MnistArchive archive() {
        if (archive == null) {
            archive = data.get();
        }
        return archive;
    }

    /** @return the key of the weights: hex SHA-256 of the recipe and the data's content hash */
    public String cacheKey() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DigitClassifierTrainer.RECIPE.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(archive().contentHash().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the file name of the weights, {@code lenet-<first 16 hex digits of the key>.params} */
    public String weightsFileName() {
        return "lenet-" + cacheKey().substring(0, 16) + ".params";
    }

    /** @return the cache file holding (or about to hold) trained weights */
    public Path weightsFile() {
        return cacheDir.resolve(weightsFileName());
    }

    /** @return true if genlab-core bundles weights for the current key */
    public boolean hasBundledWeights() {
        return DigitClassifierStore.class.getResource(BUNDLED_DIR + weightsFileName()) != null;
    }

    /**
     * The classifier: the bundled weights, else the cached ones, else freshly trained and cached. Later
     * calls return the same instance. Training uses the engine's gradient collector, of which PyTorch
     * allows one per process at a time: if training may be needed, call this before trials train in
     * parallel.
     *
     * @return the classifier, owned by this store
     */
    public synchronized DigitClassifier get() {
        if (classifier == null) {
            classifier = loadBundled().orElseGet(this::loadOrTrain);
        }
        return classifier;
    }

    /**
     * @return the accuracy of the classifier on the held-out test split (2,000 images)
     */
    public double heldOutAccuracy() {
        MnistArchive a = archive();
        int[] rows = a.indices(MnistArchive.Split.TEST);
        return get().accuracy(a.unitImages(rows), a.labels(rows));
    }

    private Optional<DigitClassifier> loadBundled() {
        if (!useBundled) {
            return Optional.empty();
        }
        InputStream resource = DigitClassifierStore.class.getResourceAsStream(BUNDLED_DIR + weightsFileName());
        if (resource == null) {
            LOG.info("no bundled LeNet weights for the current recipe and data ({})", weightsFileName());
            return Optional.empty();
        }
        NDManager manager = NDManager.newBaseManager();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(resource))) {
            DigitClassifier c = DigitClassifier.load(manager, in);
            LOG.debug("loaded the bundled LeNet digit classifier {}", weightsFileName());
            return Optional.of(c);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw new IllegalStateException("bundled LeNet weights " + weightsFileName() + " are unreadable", e);
        }
    }

    private DigitClassifier loadOrTrain() {
        Path file = weightsFile();
        try {
            Files.createDirectories(cacheDir);
            // One JVM-wide guard (file locks are per process; a second lock in the same JVM would throw).
            synchronized (DigitClassifierStore.class) {
                try (FileChannel lockChannel = FileChannel.open(cacheDir.resolve("lenet.lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = lockChannel.lock()) {
                    if (Files.isRegularFile(file)) {
                        DigitClassifier cached = tryLoad(file);
                        if (cached != null) {
                            return cached;
                        }
                    }
                    LOG.info("training the LeNet digit classifier for image metrics once; it is cached as {}", file);
                    NDManager manager = NDManager.newBaseManager();
                    DigitClassifier trained = DigitClassifierTrainer.train(archive(), manager);
                    write(trained, file);
                    return trained;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the classifier cache " + cacheDir, e);
        }
    }

    private DigitClassifier tryLoad(Path file) {
        NDManager manager = NDManager.newBaseManager();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            DigitClassifier c = DigitClassifier.load(manager, in);
            LOG.debug("loaded the LeNet digit classifier from {}", file);
            return c;
        } catch (IOException | RuntimeException e) {
            manager.close();
            LOG.warn("cached classifier {} is unreadable ({}); training a new one", file, e.getMessage());
            return null;
        }
    }

    private static void write(DigitClassifier classifier, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            classifier.save(new DataOutputStream(out));
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Trains the classifier with the fixed recipe, ignoring bundled and cached weights, and writes it as
     * {@code <dir>/lenet-<key>.params}. Used by {@code scripts/train-lenet} to make the bundled weights.
     *
     * @param args the output folder
     * @throws IOException if the weights cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: DigitClassifierStore OUTPUT_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Path scratch = Files.createTempDirectory("genlab-lenet");
        DigitClassifierStore store = new DigitClassifierStore(scratch, MnistArchive::bundled, false);
        long t0 = System.nanoTime();
        store.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path target = dir.resolve(store.weightsFileName());
        Files.move(store.weightsFile(), target, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("trained in %.0f s; held-out accuracy %.4f; wrote %s%n", seconds,
                store.heldOutAccuracy(), target);
    }
}
