package dev.genlab.plugin.vae;

/**
 * Posterior-collapse diagnostics computed on the host from a set of posteriors q(z|xᵢ) = N(μᵢ, e^{vᵢ})
 * (rows = examples, columns = latent units), all in nats.
 */
public final class LatentStats {

    private LatentStats() {}

    /**
     * @param mu posterior means {@code [n][L]}
     * @param logvar posterior log-variances {@code [n][L]}
     * @return per latent unit, the mean over examples of KL(q(z_u|x) ‖ N(0, 1)); a unit whose value is ≈ 0
     *     carries no information about x (collapsed)
     */
    public static double[] klPerDim(float[][] mu, float[][] logvar) {
        int n = mu.length;
        int l = mu[0].length;
        double[] kl = new double[l];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < l; j++) {
                double m = mu[i][j];
                double v = logvar[i][j];
                kl[j] += 0.5 * (m * m + Math.exp(v) - v - 1) / n;
            }
        }
        return kl;
    }

    /**
     * @param mu posterior means {@code [n][L]}
     * @return per unit u, the population variance over examples of E_q[z_u | x] = μ_u(x), Burda et al.'s
     *     activity statistic A_u = Cov_x(E_{u~q(u|x)}[u])
     */
    public static double[] meanVariance(float[][] mu) {
        int n = mu.length;
        int l = mu[0].length;
        double[] mean = new double[l];
        double[] var = new double[l];
        for (float[] row : mu) {
            for (int j = 0; j < l; j++) {
                mean[j] += row[j] / (double) n;
            }
        }
        for (float[] row : mu) {
            for (int j = 0; j < l; j++) {
                double d = row[j] - mean[j];
                var[j] += d * d / n;
            }
        }
        return var;
    }

    /**
     * Active units (Burda et al. 2016, §5.2): units whose A_u exceeds the threshold (they use 10⁻²).
     *
     * @param mu posterior means {@code [n][L]}, n ≥ 2
     * @param threshold activity threshold
     * @return the number of active units
     */
    public static int activeUnits(float[][] mu, double threshold) {
        int active = 0;
        for (double a : meanVariance(mu)) {
            if (a > threshold) {
                active++;
            }
        }
        return active;
    }

    /**
     * Estimates the mutual information I(x; z) between the examples and their codes under the aggregate
     * posterior q(z) = (1/n) Σₖ q(z|xₖ) of these n examples (Hoffman &amp; Johnson 2016):
     * I = E_x E_{q(z|x)}[log q(z|x)] − E_{q(z)}[log q(z)], with the first term in closed form (minus the
     * Gaussian entropy) and the second by one draw zᵢ ~ q(z|xᵢ) per example, log q(zᵢ) =
     * logsumexpₖ log q(zᵢ|xₖ) − log n (the estimator of He et al. 2019). It is at most log n, so use a
     * few hundred examples or more.
     *
     * @param mu posterior means {@code [n][L]}
     * @param logvar posterior log-variances {@code [n][L]}
     * @param z one posterior draw per example {@code [n][L]}
     * @return the estimate, in nats
     */
    public static double mutualInformation(float[][] mu, float[][] logvar, float[][] z) {
        int n = mu.length;
        int l = mu[0].length;
        double negEntropy = 0;
        for (float[] row : logvar) {
            for (int j = 0; j < l; j++) {
                negEntropy += (-0.5 * GaussianMath.LOG_2PI - 0.5 * (1 + row[j])) / n;
            }
        }
        double[][] inverseVar = new double[n][l];
        double[] logNorm = new double[n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < l; j++) {
                inverseVar[k][j] = Math.exp(-logvar[k][j]);
                logNorm[k] += -0.5 * (GaussianMath.LOG_2PI + logvar[k][j]);
            }
        }
        double logAggregate = 0;
        double[] terms = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                double t = logNorm[k];
                for (int j = 0; j < l; j++) {
                    double d = z[i][j] - mu[k][j];
                    t -= 0.5 * d * d * inverseVar[k][j];
                }
                terms[k] = t;
                max = Math.max(max, t);
            }
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += Math.exp(terms[k] - max);
            }
            logAggregate += (max + Math.log(sum) - Math.log(n)) / n;
        }
        return negEntropy - logAggregate;
    }
}
