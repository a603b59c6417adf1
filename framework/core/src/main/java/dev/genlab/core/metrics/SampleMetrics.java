package dev.genlab.core.metrics;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The distribution metrics of {@code genlab metrics} on two sample files, computed by the same code as
 * the evaluator's {@code prdc} and {@code frechet} metrics ({@link Prdc}, {@link Frechet}, {@link Kid}) in
 * the same feature spaces ({@link FeatureSpace}): raw values for vectors, the LeNet penultimate layer for
 * 28 × 28 digit images.
 */
public final class SampleMetrics {

    /** A group of metrics the command can compute. */
    public enum Kind {
        /** precision, recall, f1, density, coverage. */
        PRDC,
        /** fd: the Fréchet distance. */
        FRECHET,
        /** kid, kid_std: the kernel distance over subsets. */
        KID;

        /** @return the command-line spelling */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param featureSpace where the sets were compared, e.g. {@code raw values (8-d)}
     * @param kPrecisionRecall k of precision and recall
     * @param kDensityCoverage k of density and coverage
     * @param values metric values by key, in a fixed order
     */
    public record Result(String featureSpace, int kPrecisionRecall, int kDensityCoverage,
            Map<String, Double> values) {}

    private SampleMetrics() {}

    /**
     * @param real the reference samples
     * @param fake the generated samples
     * @param kinds the metric groups to compute
     * @param k k for all four of precision, recall, density and coverage (as the {@code prdc} package's
     *     {@code nearest_k}), or null for the evaluator's defaults (3 for precision and recall, 5 for
     *     density and coverage)
     * @param store source of the digit classifier, used only for images
     * @return the values
     * @throws SampleFileException if the two sets cannot be compared (kinds, dimensions, sizes or k), naming
     *     the file at fault
     */
    public static Result compute(SampleFile real, SampleFile fake, Set<Kind> kinds, Integer k,
            DigitClassifierStore store) {
        int kPr = k == null ? Prdc.K_PRECISION_RECALL : k;
        int kDc = k == null ? Prdc.K_DENSITY_COVERAGE : k;
        check(real, fake, kinds, kPr, kDc);
        FeatureSet x;
        FeatureSet y;
        String space;
        if (real.images()) {
            boolean symmetric = min(real.values()) < -0.5;
            DigitClassifier classifier = store.get();
            x = classifier.features(FeatureSpace.unitImages(floats(real.values()), symmetric));
            y = classifier.features(FeatureSpace.unitImages(floats(fake.values()), symmetric));
            space = "LeNet features (" + DigitClassifier.FEATURE_DIM + "-d), images read as "
                    + (symmetric ? "[-1, 1]" : "[0, 1]");
        } else {
            x = real.asFeatureSet();
            y = fake.asFeatureSet();
            space = "raw values (" + real.dim() + "-d)";
        }
        Map<String, Double> out = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            if (kinds.contains(Kind.PRDC)) {
                Prdc.Result r = Prdc.compute(manager, x, y, kPr, kDc);
                out.put("precision", r.precision());
                out.put("recall", r.recall());
                out.put("f1", r.f1());
                out.put("density", r.density());
                out.put("coverage", r.coverage());
            }
            if (kinds.contains(Kind.FRECHET)) {
                out.put("fd", Frechet.distance(x, y));
            }
            if (kinds.contains(Kind.KID)) {
                Kid.Result kid = Kid.compute(manager, x, y);
                out.put("kid", kid.mean());
                out.put("kid_std", kid.std());
            }
        }
        return new Result(space, kPr, kDc, out);
    }

    private static void check(SampleFile real, SampleFile fake, Set<Kind> kinds, int kPr, int kDc) {
        if (real.images() != fake.images()) {
            SampleFile images = real.images() ? real : fake;
            SampleFile vectors = real.images() ? fake : real;
            throw new SampleFileException(vectors.file() + " holds " + vectors.describe() + " but " + images.file()
                    + " holds " + images.describe() + "; give both sets in the same form (flatten the images to "
                    + "N × 784 to compare raw pixels)");
        }
        if (real.dim() != fake.dim()) {
            throw new SampleFileException(fake.file() + " has " + fake.dim() + " values per sample but "
                    + real.file() + " has " + real.dim() + "; both sets need the same dimension");
        }
        if (real.images()) {
            scale(real);
            scale(fake);
        }
        int k = kinds.contains(Kind.PRDC) ? Math.max(kPr, kDc) : 1;
        if (kinds.contains(Kind.PRDC) && Math.min(kPr, kDc) < 1) {
            throw new SampleFileException("--k must be at least 1, got " + Math.min(kPr, kDc));
        }
        for (SampleFile f : new SampleFile[] {real, fake}) {
            if (f.rows() < 2) {
                throw new SampleFileException(f.file() + " has " + f.rows() + " sample; every metric needs at "
                        + "least 2 per set");
            }
            if (k >= f.rows()) {
                throw new SampleFileException(f.file() + " has " + f.rows() + " samples, too few for k = " + k
                        + " (precision/recall/density/coverage use each sample's " + k + "-th nearest neighbour "
                        + "within its own set, so each set needs more than k samples); lower --k below "
                        + f.rows() + " or give more samples");
            }
        }
    }

    /** Rejects images outside [−1, 1]: the evaluator clamps, which would silently ruin 0–255 grey levels. */
    private static void scale(SampleFile f) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : f.values()) {
            max = Math.max(max, v);
        }
        if (max > 1.5 || min(f.values()) < -1.5) {
            throw new SampleFileException(f.file() + ": image values range over [" + min(f.values()) + ", " + max
                    + "]; digit images must be grey levels in [0, 1] or [-1, 1] (divide 0-255 levels by 255)");
        }
    }

    private static double min(double[] values) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
