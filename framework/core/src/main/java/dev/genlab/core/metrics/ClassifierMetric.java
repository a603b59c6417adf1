package dev.genlab.core.metrics;

import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code classifier}: what the cached LeNet digit classifier ({@link DigitClassifier}) sees in generated
 * MNIST digits. With p(y|x) its class probabilities, ŷ(x) = argmax p(y|x) and n samples:
 * <ul>
 *   <li>{@code classes_covered}: the number of classes c predicted for at least a tenth of their fair
 *       share of the samples, #{x : ŷ(x) = c} ≥ 0.1 · n / K, with K the number of classes present in the
 *       dataset (10, or fewer for a digit subset). A threshold, not "at least one sample", because the
 *       classifier's own ~1.3 % error would otherwise credit a generator collapsed onto one digit with
 *       several spurious classes;</li>
 *   <li>{@code label_entropy}: the entropy −Σ_c h(c) ln h(c) of the histogram h of ŷ, in nats
 *       (ln 10 ≈ 2.303 when all digits are equally frequent, 0 when one digit is);</li>
 *   <li>{@code inception_score}: the Inception Score analogue exp(E_x KL(p(y|x) ‖ p(y))) with
 *       p(y) = mean of p(y|x) over the samples (Salimans et al. 2016; computed on the whole set, no
 *       splits); between 1 and 10;</li>
 *   <li>{@code conditional_accuracy}: for conditional samples (labels requested), the fraction with
 *       ŷ(x) equal to the requested label.</li>
 * </ul>
 * Applies to the {@code mnist} dataset only.
 */
public final class ClassifierMetric implements MetricProvider {

    /** Fraction of a class's fair share of samples it needs to count as covered. */
    static final double COVERAGE_SHARE = 0.1;

    private final DigitClassifierStore store;

    /** Uses the standard classifier cache ({@link DigitClassifierStore#standard()}). */
    public ClassifierMetric() {
        this(DigitClassifierStore.standard());
    }

    /**
     * @param store source of the digit classifier
     */
    public ClassifierMetric(DigitClassifierStore store) {
        this.store = store;
    }

    @Override
    public String name() {
        return "classifier";
    }

    @Override
    public String description() {
        return "digit classifier on MNIST samples: classes covered, label entropy, IS analogue, conditional accuracy";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public boolean appliesTo(EvalInput input) {
        return input.dataset() != null && input.samples() != null && FeatureSpace.isDigits(input.dataset());
    }

    @Override
    public Map<String, Double> compute(EvalInput input) {
        boolean symmetric;
        try (ai.djl.ndarray.NDArray min = input.dataset().data().min()) {
            symmetric = min.getFloat() < -0.5f;
        }
        float[] images = FeatureSpace.unitImages(input.samples().data(), symmetric);
        double[] p = store.get().probabilities(images);
        return scores(p, input.samples().labels(), classesPresent(input));
    }

    /** @return the number of distinct labels in the dataset (10 if it has no labels) */
    private static int classesPresent(EvalInput input) {
        if (input.dataset().labels() == null) {
            return DigitClassifier.CLASSES;
        }
        boolean[] seen = new boolean[DigitClassifier.CLASSES];
        for (int label : input.dataset().labels().toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray()) {
            if (label >= 0 && label < seen.length) {
                seen[label] = true;
            }
        }
        int k = 0;
        for (boolean b : seen) {
            k += b ? 1 : 0;
        }
        return Math.max(1, k);
    }

    /**
     * @param p row-major {@code n × 10} class probabilities
     * @param requested requested labels of conditional samples, or null
     * @param classesPresent K, the number of classes in the dataset
     * @return the metric values
     */
    static Map<String, Double> scores(double[] p, int[] requested, int classesPresent) {
        int k = DigitClassifier.CLASSES;
        int n = p.length / k;
        int[] predicted = DigitClassifier.argmax(p);
        long[] histogram = new long[k];
        for (int c : predicted) {
            histogram[c]++;
        }
        int covered = 0;
        double entropy = 0;
        double threshold = COVERAGE_SHARE * n / classesPresent;
        for (long h : histogram) {
            if (h > 0 && h >= threshold) {
                covered++;
            }
            if (h > 0) {
                double q = (double) h / n;
                entropy -= q * Math.log(q);
            }
        }
        double[] marginal = new double[k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                marginal[c] += p[i * k + c] / n;
            }
        }
        double klSum = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double pc = p[i * k + c];
                if (pc > 0) {
                    klSum += pc * (Math.log(pc) - Math.log(marginal[c]));
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("classes_covered", (double) covered);
        out.put("label_entropy", entropy);
        out.put("inception_score", Math.exp(klSum / n));
        if (requested != null) {
            int agree = 0;
            for (int i = 0; i < n; i++) {
                agree += predicted[i] == requested[i] ? 1 : 0;
            }
            out.put("conditional_accuracy", (double) agree / n);
        }
        return out;
    }
}
