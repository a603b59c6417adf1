package dev.genlab.core.metrics;

import java.util.Arrays;

/**
 * A set of feature vectors in double precision, row-major. Metrics compare two such sets (real and
 * generated) in one feature space: raw coordinates for points, classifier activations for images.
 *
 * @param rows number of vectors n
 * @param dim dimension d
 * @param values {@code n × d} values, row-major (not copied: treat as read-only)
 */
public record FeatureSet(int rows, int dim, double[] values) {

    /** Checks the sizes. */
    public FeatureSet {
        if (rows < 0 || dim < 1 || values.length != (long) rows * dim) {
            throw new IllegalArgumentException("feature set of " + rows + " × " + dim + " cannot hold "
                    + values.length + " values");
        }
    }

    /**
     * @param rows n
     * @param dim d
     * @param values {@code n × d} float values, row-major
     * @return the widened copy
     */
    public static FeatureSet ofFloats(int rows, int dim, float[] values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return new FeatureSet(rows, dim, v);
    }

    /**
     * @param i row index
     * @return a copy of row i
     */
    public double[] row(int i) {
        return Arrays.copyOfRange(values, i * dim, (i + 1) * dim);
    }

    /**
     * @param indices rows to keep, in order (repeats allowed)
     * @return the selected rows
     */
    public FeatureSet select(int[] indices) {
        double[] out = new double[indices.length * dim];
        for (int r = 0; r < indices.length; r++) {
            System.arraycopy(values, indices[r] * dim, out, r * dim, dim);
        }
        return new FeatureSet(indices.length, dim, out);
    }

    /** @return true if every value is finite */
    public boolean allFinite() {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
