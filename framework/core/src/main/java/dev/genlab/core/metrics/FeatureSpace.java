package dev.genlab.core.metrics;

import ai.djl.ndarray.NDArray;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.EvalInput;

/**
 * Chooses the feature space in which the distribution metrics compare real and generated data:
 * <ul>
 *   <li>points (2-D toys and any flat vectors): the raw coordinates; metric keys have no suffix;</li>
 *   <li>MNIST digits (dataset {@code mnist}, 1×28×28, 10 classes): the 64-d penultimate layer of the
 *       cached {@link DigitClassifier}; keys end in {@value #LENET_SUFFIX}. Images are first mapped to
 *       [0, 1] — from [−1, 1] when the dataset is stored that way (its minimum is below −0.5) — and
 *       clamped to [0, 1], as a generated image would be when saved;</li>
 *   <li>anything else: not applicable.</li>
 * </ul>
 */
final class FeatureSpace {

    /** Key suffix of metrics computed in the LeNet feature space. */
    static final String LENET_SUFFIX = "_lenet";

    /**
     * Real and generated features in one space.
     *
     * @param real features of the reference data
     * @param fake features of the samples
     * @param suffix appended to metric keys ("" or {@value #LENET_SUFFIX})
     */
    record Pair(FeatureSet real, FeatureSet fake, String suffix) {}

    private final DigitClassifierStore store;

    /**
     * @param store source of the digit classifier for image data
     */
    FeatureSpace(DigitClassifierStore store) {
        this.store = store;
    }

    /**
     * @param input an evaluation input
     * @return true if its data are points, or MNIST digits
     */
    static boolean applies(EvalInput input) {
        if (input.dataset() == null || input.samples() == null || input.reference() == null) {
            return false;
        }
        return input.dataset().shape().isPoints() || isDigits(input.dataset());
    }

    /**
     * @param dataset a dataset
     * @return true for the bundled MNIST digits (the only images the classifier knows)
     */
    static boolean isDigits(Dataset dataset) {
        DataShape s = dataset.shape();
        return "mnist".equals(dataset.name()) && s.isImage() && s.dims().equals(java.util.List.of(1, 28, 28))
                && s.numClasses() == DigitClassifier.CLASSES;
    }

    /**
     * @param input an evaluation input for which {@link #applies} holds
     * @return features of its reference data and samples
     * @throws IllegalArgumentException if the samples hold NaN or infinite values
     */
    Pair features(EvalInput input) {
        if (input.dataset().shape().isPoints()) {
            return new Pair(raw(input.reference()), checked(raw(input.samples().data())), "");
        }
        boolean symmetric;
        try (NDArray min = input.dataset().data().min()) {
            symmetric = min.getFloat() < -0.5f;
        }
        DigitClassifier classifier = store.get();
        float[] real = unitImages(input.reference(), symmetric);
        float[] fake = unitImages(input.samples().data(), symmetric);
        return new Pair(classifier.features(real), classifier.features(fake), LENET_SUFFIX);
    }

    /**
     * @param images {@code [n, 1, 28, 28]} images in the dataset's scale
     * @param symmetric true if that scale is [−1, 1]
     * @return row-major grey levels in [0, 1]
     * @throws IllegalArgumentException if any value is NaN or infinite
     */
    static float[] unitImages(NDArray images, boolean symmetric) {
        return unitImages(images.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), symmetric);
    }

    /**
     * @param v row-major grey levels in the dataset's scale (overwritten)
     * @param symmetric true if that scale is [−1, 1]
     * @return {@code v}, mapped to [0, 1] and clamped
     * @throws IllegalArgumentException if any value is NaN or infinite
     */
    static float[] unitImages(float[] v, boolean symmetric) {
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("samples contain NaN or infinite values");
            }
            x = symmetric ? (x + 1f) / 2f : x;
            v[i] = Math.min(1f, Math.max(0f, x));
        }
        return v;
    }

    private static FeatureSet raw(NDArray data) {
        long[] shape = data.getShape().getShape();
        int n = Math.toIntExact(shape[0]);
        int d = Math.toIntExact(data.getShape().size() / Math.max(1, n));
        return FeatureSet.ofFloats(n, Math.max(1, d),
                data.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
    }

    private static FeatureSet checked(FeatureSet set) {
        if (!set.allFinite()) {
            throw new IllegalArgumentException("samples contain NaN or infinite values");
        }
        return set;
    }
}
