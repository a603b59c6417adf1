package dev.genlab.plugin.vae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A held-out split the plugin makes by itself, because the API hands it only training batches: an example
 * whose content hash falls below {@code fraction} is never trained on, and is kept (once, up to
 * {@code max} examples) for held-out evaluation. The split depends only on the example's values, so the
 * same examples are held out in every batch, epoch, seed and paradigm instance.
 */
final class HoldoutPool {

    private final double fraction;
    private final int max;
    private final Set<Long> seen = new HashSet<>();
    private final List<float[]> rows = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private boolean labelled = true;

    HoldoutPool(double fraction, int max) {
        this.fraction = fraction;
        this.max = max;
    }

    /**
     * @param data row-major values
     * @param offset first value of the example
     * @param length values per example
     * @return a 64-bit hash of the example's float bits
     */
    static long hash(float[] data, int offset, int length) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < length; i++) {
            h = (h ^ Float.floatToIntBits(data[offset + i])) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        // Final avalanche (splitmix64's finaliser) so the top bits are uniform.
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** @return true if an example with this hash is held out */
    boolean heldOut(long hash) {
        return (hash >>> 11) * 0x1.0p-53 < fraction;
    }

    /**
     * Routes a batch: held-out rows join the pool, the others are returned for training.
     *
     * @param data row-major batch values {@code [rows * dims]}
     * @param count number of rows
     * @param dims values per row
     * @param batchLabels labels of the rows, or null
     * @return the indices of the rows to train on, in order
     */
    int[] split(float[] data, int count, int dims, int[] batchLabels) {
        int[] keep = new int[count];
        int kept = 0;
        for (int r = 0; r < count; r++) {
            long h = hash(data, r * dims, dims);
            if (!heldOut(h)) {
                keep[kept++] = r;
                continue;
            }
            if (rows.size() < max && seen.add(h)) {
                float[] row = new float[dims];
                System.arraycopy(data, r * dims, row, 0, dims);
                rows.add(row);
                if (batchLabels == null) {
                    labelled = false;
                } else {
                    labels.add(batchLabels[r]);
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /** @return the number of held-out examples kept so far */
    int size() {
        return rows.size();
    }

    /** @return the kept examples, row-major */
    float[] data() {
        int dims = rows.isEmpty() ? 0 : rows.get(0).length;
        float[] out = new float[rows.size() * dims];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, i * dims, dims);
        }
        return out;
    }

    /** @return their labels, or null if any batch came without labels */
    int[] labels() {
        return labelled ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
    }
}
