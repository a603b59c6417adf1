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
 * {@code swissroll}: the 2-D swiss roll (spiral). With t uniform on [1.5π, 4.5π] (as scikit-learn's
 * {@code make_swiss_roll}), a point is {@code (t·cos t, t·sin t) · 2/(4.5π)} plus isotropic Gaussian noise
 * of standard deviation {@code noise}; the scaling puts the noiseless roll inside the disc of radius 2,
 * so it spans about [−2, 2]². No known mixture truth. Deterministic in the seed.
 */
public final class SwissRollProvider implements DatasetProvider {

    /** The largest t, so the outermost point of the noiseless roll lies at radius exactly 2. */
    static final double T_MAX = 4.5 * Math.PI;

    static final double T_MIN = 1.5 * Math.PI;

    static final double SCALE = 2.0 / T_MAX;

    @Override
    public String name() {
        return "swissroll";
    }

    @Override
    public String description() {
        return "2-D swiss roll spiral scaled to about [-2, 2]^2";
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
            double t = T_MIN + (T_MAX - T_MIN) * random.nextDouble();
            xy[2 * i] = (float) (SCALE * t * Math.cos(t) + noise * random.nextGaussian());
            xy[2 * i + 1] = (float) (SCALE * t * Math.sin(t) + noise * random.nextGaussian());
        }
        return Points.dataset(name(), setup.manager(), xy, null);
    }

    /** Fresh draws: the same distribution from an independent seed. */
    @Override
    public Optional<Dataset> loadHeldOut(DatasetSetup setup) {
        return Optional.of(load(Points.heldOut(setup)));
    }
}
