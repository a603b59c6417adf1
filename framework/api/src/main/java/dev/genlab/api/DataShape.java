package dev.genlab.api;

import java.util.List;

/**
 * The shape of one data example, and how many classes its labels have.
 *
 * @param dims the per-example dimensions: {@code [d]} for points, {@code [C, H, W]} for images
 * @param numClasses the number of label classes, or 0 for unlabelled data
 */
public record DataShape(List<Integer> dims, int numClasses) {

    /** Copies the dimensions and checks them. */
    public DataShape {
        dims = List.copyOf(dims);
        if (dims.isEmpty() || dims.stream().anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("dims must be positive: " + dims);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses < 0");
        }
    }

    /**
     * @param dim number of coordinates
     * @return the shape of unlabelled {@code dim}-dimensional points
     */
    public static DataShape points(int dim) {
        return new DataShape(List.of(dim), 0);
    }

    /**
     * @param channels C
     * @param height H
     * @param width W
     * @param numClasses label classes, 0 if unlabelled
     * @return the shape of C×H×W images
     */
    public static DataShape image(int channels, int height, int width, int numClasses) {
        return new DataShape(List.of(channels, height, width), numClasses);
    }

    /** @return true for flat vectors (2-D toys), false for images */
    public boolean isPoints() {
        return dims.size() == 1;
    }

    /** @return true for C×H×W images */
    public boolean isImage() {
        return dims.size() == 3;
    }

    /** @return the number of scalars in one example (d, or C·H·W) */
    public int size() {
        return dims.stream().reduce(1, (a, b) -> a * b);
    }

    /** @return true if examples carry class labels */
    public boolean labelled() {
        return numClasses > 0;
    }

    /**
     * @param batch leading dimension
     * @return the DJL shape of a batch of examples
     */
    public ai.djl.ndarray.types.Shape batchShape(long batch) {
        long[] s = new long[dims.size() + 1];
        s[0] = batch;
        for (int i = 0; i < dims.size(); i++) {
            s[i + 1] = dims.get(i);
        }
        return new ai.djl.ndarray.types.Shape(s);
    }
}
