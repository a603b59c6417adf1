package dev.genlab.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Exact Euclidean distances between two feature sets, computed block by block as
 * {@code ‖a‖² + ‖b‖² − 2·a·b} with one float64 matrix product per block of rows on the engine (which
 * uses all cores), so a 10k × 10k comparison never holds the full matrix. Negative rounding residue is
 * clamped to 0 before the square root; when a set is compared with itself the diagonal is exactly 0 (as
 * scikit-learn's {@code pairwise_distances} does), so a point is its own 0-th neighbour.
 */
final class PairwiseDistances {

    /** Target number of doubles per block (32 MB), bounding native and heap memory per step. */
    static final int BLOCK_ELEMENTS = 4 << 20;

    /** Receives one block of rows of the distance matrix. */
    interface BlockVisitor {
        /**
         * @param rowStart index of the block's first row in the left set
         * @param rows rows in this block
         * @param cols columns (the size of the right set)
         * @param dist row-major {@code rows × cols} distances; reused only for this call
         */
        void visit(int rowStart, int rows, int cols, double[] dist);
    }

    private PairwiseDistances() {}

    /**
     * Visits the rows of the distance matrix between {@code left} and {@code right} in order.
     *
     * @param manager manager for temporary arrays (closed per block)
     * @param left the row set
     * @param right the column set
     * @param self true if {@code left} and {@code right} are the same set (zeroes the diagonal)
     * @param visitor receives each block
     */
    static void forEachBlock(NDManager manager, FeatureSet left, FeatureSet right, boolean self,
            BlockVisitor visitor) {
        if (left.dim() != right.dim()) {
            throw new IllegalArgumentException("feature dimensions differ: " + left.dim() + " vs " + right.dim());
        }
        int d = left.dim();
        int m = right.rows();
        int blockRows = Math.max(1, Math.min(left.rows(), BLOCK_ELEMENTS / Math.max(1, m)));
        try (NDManager scope = manager.newSubManager()) {
            NDArray rightT = scope.create(right.values(), new Shape(m, d)).transpose();
            NDArray rightSq = rowSquares(scope, right).reshape(1, m);
            for (int start = 0; start < left.rows(); start += blockRows) {
                int rows = Math.min(blockRows, left.rows() - start);
                double[] dist;
                try (NDManager step = scope.newSubManager()) {
                    double[] block = new double[rows * d];
                    System.arraycopy(left.values(), start * d, block, 0, rows * d);
                    NDArray a = step.create(block, new Shape(rows, d));
                    NDArray aSq = a.square().sum(new int[] {1}).reshape(rows, 1);
                    NDArray sq = a.matMul(rightT).muli(-2).addi(aSq).addi(rightSq);
                    dist = sq.maximum(0.0).sqrt().toDoubleArray();
                }
                if (self) {
                    for (int i = 0; i < rows; i++) {
                        dist[i * m + start + i] = 0.0;
                    }
                }
                visitor.visit(start, rows, m, dist);
            }
        }
    }

    private static NDArray rowSquares(NDManager manager, FeatureSet set) {
        double[] sq = new double[set.rows()];
        double[] v = set.values();
        int d = set.dim();
        for (int i = 0; i < set.rows(); i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += v[i * d + j] * v[i * d + j];
            }
            sq[i] = s;
        }
        return manager.create(sq);
    }

    /**
     * The distance from each point of a set to its k-th nearest neighbour in the same set, counting the
     * point itself as the 0-th (so the (k+1)-th smallest entry of its row), as in Kynkäänniemi et al. and
     * Naeem et al. Several k are computed in one pass.
     *
     * @param manager manager for temporary arrays
     * @param set the points, at least {@code max(ks) + 1} of them
     * @param ks the neighbour counts
     * @return {@code radii[q][i]}: the radius of point i for {@code ks[q]}
     */
    static double[][] kthNeighbourRadii(NDManager manager, FeatureSet set, int... ks) {
        int kMax = 0;
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            kMax = Math.max(kMax, k);
        }
        if (set.rows() <= kMax) {
            throw new IllegalArgumentException("need more than k = " + kMax + " points, got " + set.rows());
        }
        int keep = kMax + 1;
        double[][] radii = new double[ks.length][set.rows()];
        forEachBlock(manager, set, set, true, (start, rows, cols, dist) -> {
            double[] smallest = new double[keep];
            for (int i = 0; i < rows; i++) {
                int filled = 0;
                int base = i * cols;
                for (int j = 0; j < cols; j++) {
                    double v = dist[base + j];
                    if (filled < keep) {
                        insert(smallest, filled++, v);
                    } else if (v < smallest[keep - 1]) {
                        insert(smallest, keep - 1, v);
                    }
                }
                for (int q = 0; q < ks.length; q++) {
                    radii[q][start + i] = smallest[ks[q]];
                }
            }
        });
        return radii;
    }

    /** Inserts v into the sorted prefix {@code a[0..len)}, dropping {@code a[len]} (insertion sort step). */
    private static void insert(double[] a, int len, double v) {
        int p = len;
        while (p > 0 && a[p - 1] > v) {
            a[p] = a[p - 1];
            p--;
        }
        a[p] = v;
    }
}
