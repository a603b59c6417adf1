package dev.genlab.core.metrics;

import ai.djl.ndarray.NDManager;

/**
 * The bench's door to the package-private metric kernels ({@link Prdc}, {@link Frechet}), so that
 * scripts/bench times exactly the code the {@code prdc} and {@code fid} metrics run, without the feature
 * extraction and the KID that the public providers add. Lives in core's package (a split package on the
 * class path) rather than widening core's API for a benchmark.
 */
public final class MetricsProbe {

    private MetricsProbe() {}

    /**
     * @return precision, recall, density, coverage with k for all four (the reference's single-k call)
     */
    public static double[] prdc(NDManager manager, FeatureSet real, FeatureSet fake, int k) {
        Prdc.Result r = Prdc.compute(manager, real, fake, k, k);
        return new double[] {r.precision(), r.recall(), r.density(), r.coverage()};
    }

    /** @return the Fréchet distance between Gaussians fitted to the two sets */
    public static double frechet(FeatureSet real, FeatureSet fake) {
        return Frechet.distance(real, fake);
    }
}
