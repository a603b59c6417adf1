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
 * {@code grid25}: equal-weight Gaussians on a square grid centred at the origin. Defaults follow PacGAN
 * (Lin et al. 2018): means at {−4,−2,0,2,4}², std 0.05, 100,000 points. Deterministic in the seed.
 */
public final class Grid25Provider implements DatasetProvider {

    @Override
    public String name() {
        return "grid25";
    }

    @Override
    public String description() {
        return "Gaussians on a square grid (PacGAN grid: 5x5 means at {-4,-2,0,2,4}^2, std 0.05)";
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addInt("n", 100_000, 1, Points.MAX_N, "number of points")
                .addInt("side", 5, 1, 100, "modes per grid row and column")
                .addDouble("spacing", 2.0, 1e-6, 1e6, "distance between neighbouring means")
                .addDouble("std", 0.05, 1e-6, 1e6, "standard deviation of each Gaussian")
                .build();
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Dataset load(DatasetSetup setup) {
        Params p = setup.params();
        MixtureTruth truth = truth(p.getInt("side"), p.getDouble("spacing"), p.getDouble("std"));
        float[] xy = Points.mixture(new Random(setup.seed()), truth.centres(), truth.std(), p.getInt("n"));
        return Points.dataset(name(), setup.manager(), xy, truth);
    }

    /** Fresh draws: the same distribution from an independent seed. */
    @Override
    public Optional<Dataset> loadHeldOut(DatasetSetup setup) {
        return Optional.of(load(Points.heldOut(setup)));
    }

    /**
     * @param side modes per row
     * @param spacing distance between neighbours
     * @param std mode standard deviation
     * @return the mixture; mode {@code i·side + j} sits at {@code ((i − (side−1)/2)·spacing,
     *     (j − (side−1)/2)·spacing)}
     */
    static MixtureTruth truth(int side, double spacing, double std) {
        double[][] centres = new double[side * side][];
        double offset = (side - 1) / 2.0;
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                centres[i * side + j] = new double[] {(i - offset) * spacing, (j - offset) * spacing};
            }
        }
        return new MixtureTruth(centres, std);
    }
}
