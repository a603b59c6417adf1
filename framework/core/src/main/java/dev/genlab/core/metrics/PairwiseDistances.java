package dev.genlab.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Exact squared Euclidean distances between two feature sets, computed block by block as
 * {@code ‖a‖² + ‖b‖² − 2·a·b}: the engine does one float64 matrix product per block of rows (using all
 * cores) and Java forms the distances in a single pass over the product, so a 10k × 10k comparison never
 * holds the full matrix. Negative rounding residue is clamped to 0; when a set is compared with itself
 * the diagonal is exactly 0 (as scikit-learn's {@code pairwise_distances} makes it), so a point is its
 * own 0-th neighbour.
 *
 * <p>Callers compare squared distances with squared radii. Since the square root is monotone this gives
 * the same answers as comparing distances, except for pairs equal to within one rounding unit, where no
 * two implementations agree anyway.
 */
final class PairwiseDistances {

    /** Target number of doubles per block (32 MB), bounding native and heap memory per step. */
    static final int BLOCK_ELEMENTS = 4 << 20;

    /** Receives one block of rows of the squared-distance matrix. */
    interface BlockVisitor {
        /**
         * @param rowStart index of the block's first row in the left set
         * @param rows rows in this block
         * @param cols columns (the size of the right set)
         * @param dist2 row-major {@code rows × cols} squared distances; valid only during this call
         */
        void visit(int rowStart, int rows, int cols, double[] dist2);
    }

    private PairwiseDistances() {}

    /**
     * Visits the rows of the squared-distance matrix between {@code left} and {@code right} in order.
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
        double[] leftSq = rowSquares(left);
        double[] rightSq = self ? leftSq : rowSquares(right);
        try (NDManager scope = manager.newSubManager()) {
            NDArray rightT = scope.create(right.values(), new Shape(m, d)).transpose();
            for (int start = 0; start < left.rows(); start += blockRows) {
                int rows = Math.min(blockRows, left.rows() - start);
                double[] dist;
                try (NDManager step = scope.newSubManager()) {
                    double[] block = new double[rows * d];
                    System.arraycopy(left.values(), start * d, block, 0, rows * d);
                    dist = step.create(block, new Shape(rows, d)).matMul(rightT).toDoubleArray();
                }
                for (int i = 0; i < rows; i++) {
                    double a2 = leftSq[start + i];
                    int base = i * m;
                    for (int j = 0; j < m; j++) {
                        double v = a2 + rightSq[j] - 2 * dist[base + j];
                        dist[base + j] = v > 0 ? v : 0.0;
                    }
                    if (self) {
                        dist[base + start + i] = 0.0;
                    }
                }
                visitor.visit(start, rows, m, dist);
            }
        }
    }

    private static double[] rowSquares(FeatureSet set) {
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
        return sq;
    }

    /**
     * The squared distance from each point of a set to its k-th nearest neighbour in the same set,
     * counting the point itself as the 0-th (so the (k+1)-th smallest entry of its row), as in Kynkäänniemi
     * et al. and Naeem et al. Several k are computed in one pass. The distance matrix is symmetric, so only
     * tiles on and above the diagonal are computed, each entry offered to both of its points: about 60 %
     * of the work of the full matrix for 10,000 points.
     *
     * @param manager manager for temporary arrays
     * @param set the points, at least {@code max(ks) + 1} of them
     * @param ks the neighbour counts
     * @return {@code radii2[q][i]}: the squared radius of point i for {@code ks[q]}
     */
    static double[][] kthNeighbourRadii2(NDManager manager, FeatureSet set, int... ks) {
        int kMax = 0;
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            kMax = Math.max(kMax, k);
        }
        int n = set.rows();
        if (n <= kMax) {
            throw new IllegalArgumentException("need more than k = " + kMax + " points, got " + n);
        }
        int keep = kMax + 1;
        // smallest[p*keep ..]: the sorted `keep` smallest squared distances offered to point p so far.
        double[] smallest = new double[n * keep];
        int[] filled = new int[n];
        int d = set.dim();
        int tile = Math.max(1, Math.min(n, (int) Math.sqrt(BLOCK_ELEMENTS)));
        double[] sq = rowSquares(set);
        try (NDManager scope = manager.newSubManager()) {
            NDArray all = scope.create(set.values(), new Shape(n, d));
            for (int i0 = 0; i0 < n; i0 += tile) {
                int ri = Math.min(tile, n - i0);
                for (int j0 = i0; j0 < n; j0 += tile) {
                    int rj = Math.min(tile, n - j0);
                    double[] dots;
                    try (NDManager step = scope.newSubManager()) {
                        NDArray a = all.get(i0 + ":" + (i0 + ri));
                        NDArray b = all.get(j0 + ":" + (j0 + rj));
                        a.attach(step);
                        b.attach(step);
                        dots = a.matMul(b.transpose()).toDoubleArray();
                    }
                    boolean diagonal = i0 == j0;
                    for (int i = 0; i < ri; i++) {
                        int p = i0 + i;
                        double a2 = sq[p];
                        int base = i * rj;
                        for (int j = 0; j < rj; j++) {
                            int q = j0 + j;
                            double v = a2 + sq[q] - 2 * dots[base + j];
                            v = v > 0 ? v : 0.0;
                            if (diagonal) {
                                // Both orders of each pair lie in this tile: offer to the row point only.
                                offer(smallest, filled, keep, p, p == q ? 0.0 : v);
                            } else {
                                offer(smallest, filled, keep, p, v);
                                offer(smallest, filled, keep, q, v);
                            }
                        }
                    }
                }
            }
        }
        double[][] radii = new double[ks.length][n];
        for (int q = 0; q < ks.length; q++) {
            for (int p = 0; p < n; p++) {
                radii[q][p] = smallest[p * keep + ks[q]];
            }
        }
        return radii;
    }

    /** Offers squared distance v to point p's sorted list of its {@code keep} smallest. */
    private static void offer(double[] smallest, int[] filled, int keep, int p, double v) {
        int base = p * keep;
        int f = filled[p];
        if (f < keep) {
            insert(smallest, base, f, v);
            filled[p] = f + 1;
        } else if (v < smallest[base + keep - 1]) {
            insert(smallest, base, keep - 1, v);
        }
    }

    /**
     * Inserts v into the sorted run {@code a[base .. base+len)}, overwriting {@code a[base+len]}
     * (one insertion-sort step).
     */
    private static void insert(double[] a, int base, int len, double v) {
        int p = base + len;
        while (p > base && a[p - 1] > v) {
            a[p] = a[p - 1];
            p--;
        }
        a[p] = v;
    }
}
