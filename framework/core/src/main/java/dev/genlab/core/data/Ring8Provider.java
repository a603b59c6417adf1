package dev.genlab.core.data;

import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MixtureTruth;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Params;
import java.util.Optional;
import java.util.Random;

/**
 * {@code ring8}: equal-weight Gaussians on a circle, the standard mode-collapse benchmark. Defaults follow
 * PacGAN (Lin et al. 2018): 8 modes at angles 2πk/8 on radius 1, std 0.01, 100,000 points. Deterministic
 * in {@link DatasetSetup#seed()} ({@link Random}'s algorithm is fixed by its specification).
 */
public final class Ring8Provider implements DatasetProvider {

    @Override
    public String name() {
        return "ring8";
    }

    @Override
    public String description() {
        return "Gaussians on a circle (PacGAN ring: 8 modes, radius 1, std 0.01)";
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addInt("n", 100_000, 1, Points.MAX_N, "number of points")
                .addInt("modes", 8, 1, 10_000, "number of Gaussians, evenly spaced on the circle")
                .addDouble("radius", 1.0, 1e-6, 1e6, "radius of the circle")
                .addDouble("std", 0.01, 1e-6, 1e6, "standard deviation of each Gaussian")
                .build();
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Dataset load(DatasetSetup setup) {
        Params p = setup.params();
        MixtureTruth truth = truth(p.getInt("modes"), p.getDouble("radius"), p.getDouble("std"));
        float[] xy = Points.mixture(new Random(setup.seed()), truth.centres(), truth.std(), p.getInt("n"));
        return Points.dataset(name(), setup.manager(), xy, truth);
    }

    /** Fresh draws: the same distribution from an independent seed. */
    @Override
    public Optional<Dataset> loadHeldOut(DatasetSetup setup) {
        return Optional.of(load(Points.heldOut(setup)));
    }

    /**
     * @param modes number of modes K
     * @param radius circle radius
     * @param std mode standard deviation
     * @return the mixture with centre k at angle 2πk/K
     */
    static MixtureTruth truth(int modes, double radius, double std) {
        double[][] centres = new double[modes][];
        for (int k = 0; k < modes; k++) {
            double angle = 2 * Math.PI * k / modes;
            centres[k] = new double[] {radius * Math.cos(angle), radius * Math.sin(angle)};
        }
        return new MixtureTruth(centres, std);
    }
}
