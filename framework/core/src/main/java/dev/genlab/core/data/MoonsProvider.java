package dev.genlab.core.data;

import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.Params;
import java.util.Optional;
import java.util.Random;

/**
 * {@code moons}: two interleaving half circles (as scikit-learn's {@code make_moons}), centred at the
 * origin. Each point picks a moon with probability ½ and an angle θ uniform on [0, π]: the upper moon is
 * {@code (cos θ − ½, sin θ − ¼)}, the lower {@code (½ − cos θ, ¼ − sin θ)}, so the noiseless data spans
 * [−1.5, 1.5] × [−0.75, 0.75]; then isotropic Gaussian noise of standard deviation {@code noise} is
 * added. No known mixture truth. Deterministic in the seed.
 */
public final class MoonsProvider implements DatasetProvider {

    /** Shift that centres scikit-learn's moons (x in [−1, 2], y in [−0.5, 1]) at the origin. */
    static final double SHIFT_X = 0.5;

    static final double SHIFT_Y = 0.25;

    @Override
    public String name() {
        return "moons";
    }

    @Override
    public String description() {
        return "two interleaving half circles, centred at the origin";
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addInt("n", 100_000, 1, Points.MAX_N, "number of points")
                .addDouble("noise", 0.1, 0.0, 10.0, "standard deviation of the added Gaussian noise")
                .build();
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Dataset load(DatasetSetup setup) {
        Params p = setup.params();
        int n = p.getInt("n");
        double noise = p.getDouble("noise");
        Random random = new Random(setup.seed());
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            boolean upper = random.nextBoolean();
            double theta = Math.PI * random.nextDouble();
            // scikit-learn's lower moon is (1 − cos θ, ½ − sin θ); after the shift it mirrors the upper one.
            double x = upper ? Math.cos(theta) - SHIFT_X : 1 - Math.cos(theta) - SHIFT_X;
            double y = upper ? Math.sin(theta) - SHIFT_Y : 0.5 - Math.sin(theta) - SHIFT_Y;
            xy[2 * i] = (float) (x + noise * random.nextGaussian());
            xy[2 * i + 1] = (float) (y + noise * random.nextGaussian());
        }
        return Points.dataset(name(), setup.manager(), xy, null);
    }

    /** Fresh draws: the same distribution from an independent seed. */
    @Override
    public Optional<Dataset> loadHeldOut(DatasetSetup setup) {
        return Optional.of(load(Points.heldOut(setup)));
    }
}
