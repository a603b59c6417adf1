package dev.genlab.api;

/**
 * The known generating mixture of a synthetic dataset: isotropic Gaussians of equal weight and a common
 * standard deviation. Mode metrics (modes covered, high-quality samples, reverse KL) use it.
 *
 * @param centres one row per mode, each of the data dimension
 * @param std the standard deviation of every mode
 */
public record MixtureTruth(double[][] centres, double std) {

    /** Deep-copies the centres and checks them. */
    public MixtureTruth {
        if (centres.length == 0 || std <= 0) {
            throw new IllegalArgumentException("a mixture needs centres and a positive std");
        }
        double[][] copy = new double[centres.length][];
        for (int i = 0; i < centres.length; i++) {
            copy[i] = centres[i].clone();
        }
        centres = copy;
    }

    /** @return the number of modes */
    public int modes() {
        return centres.length;
    }

    /**
     * @param i mode index
     * @return a copy of that mode's centre
     */
    public double[] centre(int i) {
        return centres[i].clone();
    }
}
