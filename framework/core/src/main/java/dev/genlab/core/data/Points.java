package dev.genlab.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.MixtureTruth;
import java.util.Random;

/** Helpers shared by the 2-D toy datasets. */
final class Points {

    /** Largest dataset a toy provider generates; keeps a typo such as {@code n: 1e9} from exhausting memory. */
    static final long MAX_N = 10_000_000;

    private Points() {}

    /**
     * Draws {@code n} points from an equal-weight isotropic mixture. Each point picks its mode uniformly at
     * random, as PacGAN's generator does, so mode counts vary like a real sample.
     *
     * @param random the seeded generator
     * @param centres mode centres, 2-D
     * @param std per-coordinate standard deviation
     * @param n number of points
     * @return row-major {@code [n, 2]} coordinates
     */
    static float[] mixture(Random random, double[][] centres, double std, int n) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double[] c = centres[random.nextInt(centres.length)];
            xy[2 * i] = (float) (c[0] + std * random.nextGaussian());
            xy[2 * i + 1] = (float) (c[1] + std * random.nextGaussian());
        }
        return xy;
    }

    /**
     * @param name dataset name
     * @param manager owner of the array
     * @param xy row-major {@code [n, 2]} coordinates
     * @param truth the generating mixture, or null
     * @return the dataset of 2-D unlabelled points
     */
    static Dataset dataset(String name, NDManager manager, float[] xy, MixtureTruth truth) {
        NDArray data = manager.create(xy, new Shape(xy.length / 2, 2));
        return new Dataset(name, data, null, DataShape.points(2), truth);
    }

    /**
     * @param setup the training data's setup
     * @return the same parameters with a seed no training seed maps to by accident (a fixed bijection)
     */
    static DatasetSetup heldOut(DatasetSetup setup) {
        return new DatasetSetup(setup.params(), setup.manager(), ~setup.seed() ^ 0x48454C444F5554L);
    }
}
