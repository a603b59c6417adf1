package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.nn.Checkpoint;
import java.util.Arrays;

/**
 * The model's coordinates. Points are standardised per coordinate with the first batch's mean and standard
 * deviation (so ring8 and grid25 both suit a unit-variance prior); images are used as given. The range of the
 * training data seen so far (in model coordinates) bounds the predicted clean data x̂₀ at every sampling step
 * ({@code clip_denoised}) and, for images, spans the likelihood's 256 bins. Its state is a
 * {@link Checkpoint.Part} of host values ({@code shift.<d>}, {@code scale.<d>}, {@code fixed}, {@code low},
 * {@code high}), saved exactly.
 */
final class Standardisation implements Checkpoint.Part {

    private final DataShape shape;
    private final int dim;
    private final boolean normalize;
    /** Per-coordinate shift and scale of points (model = (data − shift)/scale); 0 and 1 for images. */
    private final float[] shift;
    private final float[] scale;
    private boolean fixed;
    /** Smallest and largest training value seen, in model coordinates. */
    private float low = Float.POSITIVE_INFINITY;
    private float high = Float.NEGATIVE_INFINITY;

    /**
     * @param shape the data's shape
     * @param normalize standardise points (the {@code normalize} parameter)
     */
    Standardisation(DataShape shape, boolean normalize) {
        this.shape = shape;
        this.dim = shape.size();
        this.normalize = normalize;
        int statDims = shape.isPoints() ? dim : 1;
        shift = new float[statDims];
        scale = new float[statDims];
        Arrays.fill(scale, 1f);
    }

    /** Fixes the points' standardisation on the first batch and tracks the data range (model coordinates). */
    void observe(NDArray data) {
        if (!fixed) {
            if (shape.isPoints() && normalize) {
                NDArray flat = data.reshape(data.getShape().get(0), dim);
                float[] mean = flat.mean(new int[] {0}).toFloatArray();
                float[] std = flat.sub(flat.mean(new int[] {0}, true)).square().mean(new int[] {0}).sqrt()
                        .toFloatArray();
                for (int d = 0; d < dim; d++) {
                    shift[d] = mean[d];
                    // A constant coordinate (or a batch of one) keeps unit scale rather than dividing by ~0.
                    scale[d] = std[d] > 1e-6f ? std[d] : 1f;
                }
            }
            fixed = true;
        }
        NDArray model = toModel(data);
        low = Math.min(low, model.min().getFloat());
        high = Math.max(high, model.max().getFloat());
    }

    /** @return data in model coordinates ({@code [B, d]} for points), on the data's manager */
    NDArray toModel(NDArray data) {
        if (!shape.isPoints()) {
            return data;
        }
        NDManager m = data.getManager();
        NDArray flat = data.reshape(data.getShape().get(0), dim);
        return flat.sub(m.create(shift, new Shape(1, dim))).div(m.create(scale, new Shape(1, dim)));
    }

    /** @return model coordinates back in the data's units */
    NDArray toData(NDArray model) {
        if (!shape.isPoints()) {
            return model;
        }
        NDManager m = model.getManager();
        return model.mul(m.create(scale, new Shape(1, dim))).add(m.create(shift, new Shape(1, dim)));
    }

    /** @return Σ log scale: the change of variables from model to data coordinates, in nats */
    double logScale() {
        double sum = 0;
        if (shape.isPoints()) {
            for (float s : scale) {
                sum += Math.log(s);
            }
        }
        return sum;
    }

    /** @return true once training data was seen */
    boolean hasRange() {
        return low <= high;
    }

    /** @return the smallest training value seen, in model coordinates */
    float low() {
        return low;
    }

    /** @return the largest training value seen, in model coordinates */
    float high() {
        return high;
    }

    @Override
    public void addTo(Checkpoint checkpoint, String prefix) {
        for (int d = 0; d < shift.length; d++) {
            int i = d;
            checkpoint.doubleValue(prefix + "shift." + d, () -> shift[i], v -> shift[i] = (float) v);
            checkpoint.doubleValue(prefix + "scale." + d, () -> scale[i], v -> scale[i] = (float) v);
        }
        checkpoint.longValue(prefix + "fixed", () -> fixed ? 1 : 0, v -> fixed = v != 0);
        checkpoint.doubleValue(prefix + "low", () -> low, v -> low = (float) v);
        checkpoint.doubleValue(prefix + "high", () -> high, v -> high = (float) v);
    }
}
