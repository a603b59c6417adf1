package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The ordered list of a network's parameter tensors: names, shapes and how each is initialised. A
 * network registers its tensors here once and addresses them by index, so the same forward code runs
 * on the trained weights and on their exponential moving average (two arrays of the same layout).
 */
final class ParamLayout {

    /** How a tensor starts. */
    enum Init {
        /** U(−1/√fan_in, 1/√fan_in), PyTorch's default for linear and convolution layers. */
        FAN_IN_UNIFORM,
        /** All zeros: biases, and output layers that should start as the identity of a residual branch. */
        ZERO,
        /** All ones: normalisation gains. */
        ONE
    }

    /**
     * One tensor.
     *
     * @param name a readable path, e.g. {@code block2.conv1.weight} (save files check it)
     * @param shape its shape
     * @param init its initialisation
     * @param fanIn the inputs feeding one output, for {@link Init#FAN_IN_UNIFORM}
     */
    record Entry(String name, Shape shape, Init init, long fanIn) {}

    private final List<Entry> entries = new ArrayList<>();

    /**
     * @return the index of the new tensor
     */
    int add(String name, Shape shape, Init init, long fanIn) {
        entries.add(new Entry(name, shape, init, fanIn));
        return entries.size() - 1;
    }

    /** @return the tensors in registration order */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** @return the number of tensors */
    int size() {
        return entries.size();
    }

    /** @return the total number of scalars */
    long count() {
        return entries.stream().mapToLong(e -> e.shape().size()).sum();
    }

    /**
     * Creates freshly initialised tensors from the engine's (seeded) generator, in registration order, so
     * the same seed gives the same weights.
     *
     * @param manager owner of the tensors
     * @return one array per entry
     */
    NDArray[] initialise(NDManager manager) {
        NDArray[] out = new NDArray[entries.size()];
        for (int i = 0; i < out.length; i++) {
            Entry e = entries.get(i);
            out[i] = switch (e.init()) {
                case ZERO -> manager.zeros(e.shape());
                case ONE -> manager.ones(e.shape());
                case FAN_IN_UNIFORM -> {
                    float bound = (float) (1.0 / Math.sqrt(Math.max(1, e.fanIn())));
                    yield manager.randomUniform(-bound, bound, e.shape());
                }
            };
        }
        return out;
    }

    /**
     * @param manager owner of the copies
     * @param source arrays of this layout
     * @return deep copies without gradient tracking
     */
    NDArray[] copy(NDManager manager, NDArray[] source) {
        NDArray[] out = new NDArray[source.length];
        for (int i = 0; i < source.length; i++) {
            out[i] = manager.create(source[i].toFloatArray(), source[i].getShape());
        }
        return out;
    }

    /** @return a one-line fingerprint of the layout (names and shapes), written into save files */
    String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            b.append(e.name()).append(e.shape()).append(';');
        }
        return Integer.toHexString(b.toString().hashCode()) + ":" + entries.size() + ":" + count();
    }
}
