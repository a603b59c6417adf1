package dev.genlab.plugin.vae;

/**
 * A linear probe of representation quality: multinomial logistic regression from latent codes to class
 * labels, trained by full-batch Adam on standardised features with a small L2 penalty, and scored by its
 * accuracy on examples it did not see. Plain Java and deterministic (zero initialisation, no sampling).
 *
 * @param iterations full-batch Adam steps
 * @param learningRate Adam step size
 * @param l2 weight decay on the weights (not the biases)
 */
public record LinearProbe(int iterations, double learningRate, double l2) {

    /** Checks the settings. */
    public LinearProbe {
        if (iterations < 1 || learningRate <= 0 || l2 < 0) {
            throw new IllegalArgumentException("bad probe settings: iterations=" + iterations + ", lr="
                    + learningRate + ", l2=" + l2);
        }
    }

    /** @return 500 iterations at step 0.05 with L2 10⁻⁴: enough for ≤ 512 standardised features */
    public static LinearProbe standard() {
        return new LinearProbe(500, 0.05, 1e-4);
    }

    /**
     * Splits the examples deterministically (every 5th one is a test example, the rest train the probe)
     * and returns the test accuracy.
     *
     * @param features one code per example {@code [n][d]}, n ≥ 5
     * @param labels class of each example, in {@code [0, classes)}
     * @param classes number of classes
     * @return the fraction of test examples classified correctly
     */
    public double accuracy(float[][] features, int[] labels, int classes) {
        int n = features.length;
        if (n < 5 || labels.length != n) {
            throw new IllegalArgumentException("a probe needs >= 5 examples with one label each (got " + n
                    + " codes, " + labels.length + " labels)");
        }
        int tests = (n + 4) / 5;
        float[][] trainX = new float[n - tests][];
        int[] trainY = new int[n - tests];
        float[][] testX = new float[tests][];
        int[] testY = new int[tests];
        int a = 0;
        int b = 0;
        for (int i = 0; i < n; i++) {
            if (i % 5 == 0) {
                testX[b] = features[i];
                testY[b++] = labels[i];
            } else {
                trainX[a] = features[i];
                trainY[a++] = labels[i];
            }
        }
        return fitAndScore(trainX, trainY, testX, testY, classes);
    }

    /**
     * @param trainX training codes {@code [n][d]}
     * @param trainY their labels
     * @param testX test codes {@code [m][d]}
     * @param testY their labels
     * @param classes number of classes
     * @return the test accuracy of the probe trained on the training codes
     */
    public double fitAndScore(float[][] trainX, int[] trainY, float[][] testX, int[] testY, int classes) {
        int n = trainX.length;
        int d = trainX[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (float[] row : trainX) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / (double) n;
            }
        }
        for (float[] row : trainX) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            // A constant feature (a collapsed unit) stays at 0 instead of dividing by zero.
            scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
        }
        double[][] x = standardise(trainX, mean, scale);
        // Weights [d + 1][classes]; the last row is the bias.
        double[][] w = new double[d + 1][classes];
        double[][] m = new double[d + 1][classes];
        double[][] v = new double[d + 1][classes];
        double[] logits = new double[classes];
        for (int t = 1; t <= iterations; t++) {
            double[][] grad = new double[d + 1][classes];
            for (int i = 0; i < n; i++) {
                softmax(x[i], w, logits);
                logits[trainY[i]] -= 1; // dL/dlogits = p − onehot
                for (int c = 0; c < classes; c++) {
                    double g = logits[c] / n;
                    for (int j = 0; j < d; j++) {
                        grad[j][c] += g * x[i][j];
                    }
                    grad[d][c] += g;
                }
            }
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int j = 0; j <= d; j++) {
                for (int c = 0; c < classes; c++) {
                    double g = grad[j][c] + (j < d ? l2 * w[j][c] : 0);
                    m[j][c] = 0.9 * m[j][c] + 0.1 * g;
                    v[j][c] = 0.999 * v[j][c] + 0.001 * g * g;
                    w[j][c] -= learningRate * (m[j][c] / c1) / (Math.sqrt(v[j][c] / c2) + 1e-8);
                }
            }
        }
        double[][] test = standardise(testX, mean, scale);
        int correct = 0;
        for (int i = 0; i < test.length; i++) {
            softmax(test[i], w, logits);
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[c] > logits[best]) {
                    best = c;
                }
            }
            if (best == testY[i]) {
                correct++;
            }
        }
        return (double) correct / test.length;
    }

    private static double[][] standardise(float[][] rows, double[] mean, double[] scale) {
        double[][] out = new double[rows.length][mean.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (rows[i][j] - mean[j]) * scale[j];
            }
        }
        return out;
    }

    /** Writes softmax(xᵀW + b) into {@code out}. */
    private static void softmax(double[] x, double[][] w, double[] out) {
        int d = x.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < out.length; c++) {
            double s = w[d][c];
            for (int j = 0; j < d; j++) {
                s += x[j] * w[j][c];
            }
            out[c] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < out.length; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < out.length; c++) {
            out[c] /= sum;
        }
    }
}
