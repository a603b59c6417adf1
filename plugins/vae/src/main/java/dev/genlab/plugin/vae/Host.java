package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;

/** Small host-side array helpers shared by the objective and the evaluation capabilities. */
final class Host {

    private Host() {}

    /** @return a 2-D array {@code [n, d]} as n rows */
    static float[][] matrix(NDArray a) {
        int n = Math.toIntExact(a.getShape().get(0));
        int d = Math.toIntExact(a.getShape().get(1));
        return unflatten(a.toFloatArray(), n, d);
    }

    /** @return row-major {@code flat} as n rows of d */
    static float[][] unflatten(float[] flat, int n, int d) {
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** @return the first n rows */
    static float[][] head(float[][] rows, int n) {
        float[][] out = new float[n][];
        System.arraycopy(rows, 0, out, 0, n);
        return out;
    }

    /** @return each value repeated {@code times} times in a row */
    static int[] repeatEach(int[] values, int times) {
        int[] out = new int[values.length * times];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i / times];
        }
        return out;
    }
}
