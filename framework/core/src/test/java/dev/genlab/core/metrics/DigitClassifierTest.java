package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.genlab.core.data.MnistArchive;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LeNet classifier behind the image metrics: bundled weights, cache, and the training recipe. */
class DigitClassifierTest {

    @Test
    void bundledClassifierHasAHeldOutAccuracyOfAtLeast98Percent() {
        DigitClassifierStore store = TestStores.shared();
        assertTrue(store.hasBundledWeights(), "no bundled weights " + store.weightsFileName()
                + " for the current recipe and data: run scripts/train-lenet");
        double accuracy = store.heldOutAccuracy();
        System.out.printf("LeNet digit classifier %s: held-out accuracy %.4f on the 2,000 test digits%n",
                store.weightsFileName(), accuracy);
        assertTrue(accuracy >= 0.98, "held-out accuracy " + accuracy);
    }

    @Test
    void cachedWeightsAreLoadedWithoutRetraining(@TempDir Path cache) throws Exception {
        DigitClassifierStore bundled = TestStores.shared();
        Path file = cache.resolve(bundled.weightsFileName());
        try (InputStream in = DigitClassifierStore.class.getResourceAsStream(
                DigitClassifierStore.BUNDLED_DIR + bundled.weightsFileName())) {
            Files.copy(in, file);
        }
        FileTime written = Files.getLastModifiedTime(file);
        DigitClassifierStore cached = new DigitClassifierStore(cache, MnistArchive::bundled, false);
        assertEquals(file, cached.weightsFile());
        long t0 = System.nanoTime();
        DigitClassifier c = cached.get();
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "took long enough to have trained");
        assertEquals(written, Files.getLastModifiedTime(file), "the cache was rewritten");
        MnistArchive archive = cached.archive();
        float[] images = archive.unitImages(Arrays.copyOf(archive.indices(MnistArchive.Split.TEST), 200));
        FeatureSet fromCache = c.features(images);
        FeatureSet fromBundle = bundled.get().features(images);
        assertEquals(DigitClassifier.FEATURE_DIM, fromCache.dim());
        assertArrayEquals(fromBundle.values(), fromCache.values());
        assertTrue(Arrays.stream(fromCache.values()).anyMatch(v -> v > 0), "features are not all zero");
        assertTrue(cached.weightsFileName().startsWith("lenet-" + cached.cacheKey().substring(0, 16)));
    }

    @Test
    void trainingRecipeLearnsFromAFewImages() {
        MnistArchive archive = MnistArchive.bundled();
        int[] test = archive.indices(MnistArchive.Split.TEST);
        long t0 = System.nanoTime();
        try (DigitClassifier c = DigitClassifierTrainer.train(archive, NDManager.newBaseManager(), 2, 2560)) {
            double accuracy = c.accuracy(archive.unitImages(test), archive.labels(test));
            System.out.printf("LeNet recipe, 2 epochs on 2,560 digits: held-out accuracy %.3f (%.1f s)%n",
                    accuracy, (System.nanoTime() - t0) / 1e9);
            assertTrue(accuracy > 0.85, "accuracy after a short training " + accuracy);
        }
    }

    @Test
    void savedParametersLoadBackExactly() throws Exception {
        MnistArchive archive = MnistArchive.bundled();
        float[] images = archive.unitImages(Arrays.copyOf(archive.indices(MnistArchive.Split.TEST), 20));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DigitClassifier fresh = DigitClassifier.initialised(NDManager.newBaseManager(), new Random(42))) {
            fresh.save(new DataOutputStream(bytes));
            double[] expected = fresh.features(images).values();
            try (DigitClassifier loaded = DigitClassifier.load(NDManager.newBaseManager(),
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())))) {
                assertArrayEquals(expected, loaded.features(images).values());
            }
        }
        // Same seed, same initial weights: initialisation depends only on the Java seed.
        try (DigitClassifier again = DigitClassifier.initialised(NDManager.newBaseManager(), new Random(42))) {
            ByteArrayOutputStream other = new ByteArrayOutputStream();
            again.save(new DataOutputStream(other));
            assertArrayEquals(bytes.toByteArray(), other.toByteArray());
        }
    }

    @Test
    void probabilitiesAreNormalisedAndArgmaxIsPredict() {
        DigitClassifierStore store = TestStores.shared();
        MnistArchive archive = store.archive();
        float[] images = archive.unitImages(Arrays.copyOf(archive.indices(MnistArchive.Split.TEST), 50));
        double[] p = store.get().probabilities(images);
        assertEquals(50 * 10, p.length);
        for (int i = 0; i < 50; i++) {
            double s = 0;
            for (int c = 0; c < 10; c++) {
                s += p[i * 10 + c];
            }
            assertEquals(1.0, s, 1e-9);
        }
        assertArrayEquals(DigitClassifier.argmax(p), store.get().predict(images));
    }

    @Test
    void augmentationShiftMovesPixelsAndZeroFills() {
        float[] image = new float[DigitClassifier.PIXELS];
        image[10 * 28 + 10] = 1f;
        float[] out = new float[DigitClassifier.PIXELS];
        DigitClassifierTrainer.shifted(image, 0, out, 0, 2, -1);
        assertEquals(1f, out[9 * 28 + 12]);
        assertEquals(0f, out[10 * 28 + 10]);
        float sum = 0;
        for (float v : out) {
            sum += v;
        }
        assertEquals(1f, sum);
    }
}
