package dev.genlab.core.metrics;

/**
 * Eigendecomposition of a real symmetric matrix by the cyclic Jacobi method, in double precision.
 * Jacobi is slow for large matrices (O(n³) per sweep, ~10 sweeps) but needs no library, is accurate to
 * working precision even for tiny eigenvalues, and the matrices here are feature covariances (d ≤ a few
 * hundred).
 *
 * @param values the eigenvalues, in no particular order
 * @param vectors column i of this {@code n × n} matrix is the unit eigenvector of {@code values[i]}
 */
record SymmetricEigen(double[] values, double[][] vectors) {

    private static final int MAX_SWEEPS = 100;

    /**
     * @param matrix a symmetric matrix (only symmetric matrices are meaningful; it is not checked but
     *     averaged with its transpose first to remove rounding asymmetry)
     * @return its eigenvalues and eigenvectors
     */
    static SymmetricEigen of(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][n];
        double[][] v = new double[n][n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException("matrix is not square");
            }
            for (int j = 0; j < n; j++) {
                a[i][j] = 0.5 * (matrix[i][j] + matrix[j][i]);
                total += a[i][j] * a[i][j];
            }
            v[i][i] = 1.0;
        }
        // Stop when the off-diagonal mass is negligible against the whole matrix.
        double tolerance = 1e-30 * total;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= tolerance || off == 0) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return new SymmetricEigen(values, v);
    }

    /** Applies the plane rotation that zeroes {@code a[p][q]}, accumulating it into {@code v}. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        int n = a.length;
        double apq = a[p][q];
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        // t = tan of the rotation angle, the smaller root of t² + 2tθ − 1 = 0 (stable for large |θ|).
        double t = Math.abs(theta) > 1e150 ? 0.5 / theta
                : Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        a[p][p] -= t * apq;
        a[q][q] += t * apq;
        a[p][q] = 0;
        a[q][p] = 0;
        for (int r = 0; r < n; r++) {
            if (r != p && r != q) {
                double arp = a[r][p];
                double arq = a[r][q];
                a[r][p] = c * arp - s * arq;
                a[p][r] = a[r][p];
                a[r][q] = s * arp + c * arq;
                a[q][r] = a[r][q];
            }
            double vrp = v[r][p];
            double vrq = v[r][q];
            v[r][p] = c * vrp - s * vrq;
            v[r][q] = s * vrp + c * vrq;
        }
    }

    /**
     * The principal square root of a symmetric positive semi-definite matrix, V·diag(√max(λ, 0))·Vᵀ
     * (eigenvalues below 0 are rounding noise of a PSD matrix and count as 0).
     *
     * @param matrix symmetric PSD matrix
     * @return its square root, symmetric
     */
    static double[][] sqrtPsd(double[][] matrix) {
        SymmetricEigen e = of(matrix);
        int n = matrix.length;
        double[] root = new double[n];
        for (int i = 0; i < n; i++) {
            root[i] = Math.sqrt(Math.max(e.values[i], 0));
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += e.vectors[i][k] * root[k] * e.vectors[j][k];
                }
                out[i][j] = s;
                out[j][i] = s;
            }
        }
        return out;
    }
}
