package dev.genlab.core.metrics;

import ai.djl.ndarray.NDManager;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020)
 * of a generated set against a real set, from exact pairwise distances.
 *
 * <p>With real points X = {x_j} (m of them), generated points Y = {y_i} (n of them), NND_k(p) the distance
 * from p to its k-th nearest neighbour within its own set (p itself being the 0-th) and B(c, r) the open
 * ball {p : ‖p − c‖ &lt; r}:
 * <pre>
 *   precision = (1/n) Σ_i 1[ ∃ j : y_i ∈ B(x_j, NND_k(x_j)) ]        k = kPr (3)
 *   recall    = (1/m) Σ_j 1[ ∃ i : x_j ∈ B(y_i, NND_k(y_i)) ]        k = kPr
 *   f1        = 2 · precision · recall / (precision + recall)        (0 if both are 0)
 *   density   = (1/(k·n)) Σ_i Σ_j 1[ y_i ∈ B(x_j, NND_k(x_j)) ]      k = kDc (5)
 *   coverage  = (1/m) Σ_j 1[ ∃ i : y_i ∈ B(x_j, NND_k(x_j)) ]        k = kDc
 * </pre>
 * Strict inequalities and the self-as-0-th-neighbour convention follow the reference implementation
 * ({@code prdc}, Naeem et al.), so values agree with it exactly away from floating-point ties.
 */
final class Prdc {

    /** Default k of precision and recall (Kynkäänniemi et al.). */
    static final int K_PRECISION_RECALL = 3;
    /** Default k of density and coverage (Naeem et al.). */
    static final int K_DENSITY_COVERAGE = 5;

    /**
     * @param precision fraction of generated points inside the real manifold
     * @param recall fraction of real points inside the generated manifold
     * @param density mean number of real balls containing a generated point, divided by k
     * @param coverage fraction of real balls containing at least one generated point
     */
    record Result(double precision, double recall, double density, double coverage) {
        /** @return the harmonic mean of precision and recall, 0 if both are 0 */
        double f1() {
            double s = precision + recall;
            return s == 0 ? 0.0 : 2 * precision * recall / s;
        }
    }

    private Prdc() {}

    /**
     * @param manager manager for temporary arrays
     * @param real the real set X
     * @param fake the generated set Y
     * @param kPr k for precision and recall
     * @param kDc k for density and coverage
     * @return the four values
     */
    static Result compute(NDManager manager, FeatureSet real, FeatureSet fake, int kPr, int kDc) {
        // Squared radii against squared distances (see PairwiseDistances).
        double[][] realRadii = PairwiseDistances.kthNeighbourRadii2(manager, real, kPr, kDc);
        double[] realPr = realRadii[0];
        double[] realDc = realRadii[1];
        double[] fakePr = PairwiseDistances.kthNeighbourRadii2(manager, fake, kPr)[0];
        int m = real.rows();
        int n = fake.rows();
        boolean[] fakeInReal = new boolean[n];
        long[] fakeBalls = new long[n];
        int[] realCovered = {0};
        int[] realInFake = {0};
        // One pass over the real × generated distances gives all four quantities.
        PairwiseDistances.forEachBlock(manager, real, fake, false, (start, rows, cols, dist) -> {
            for (int r = 0; r < rows; r++) {
                int j = start + r;
                double rPr = realPr[j];
                double rDc = realDc[j];
                boolean inFake = false;
                double nearest = Double.POSITIVE_INFINITY;
                int base = r * cols;
                for (int i = 0; i < cols; i++) {
                    double d = dist[base + i];
                    if (d < rPr) {
                        fakeInReal[i] = true;
                    }
                    if (d < rDc) {
                        fakeBalls[i]++;
                    }
                    if (d < fakePr[i]) {
                        inFake = true;
                    }
                    if (d < nearest) {
                        nearest = d;
                    }
                }
                if (inFake) {
                    realInFake[0]++;
                }
                if (nearest < rDc) {
                    realCovered[0]++;
                }
            }
        });
        long inside = 0;
        long balls = 0;
        for (int i = 0; i < n; i++) {
            inside += fakeInReal[i] ? 1 : 0;
            balls += fakeBalls[i];
        }
        return new Result((double) inside / n, (double) realInFake[0] / m,
                (double) balls / ((double) kDc * n), (double) realCovered[0] / m);
    }
}
