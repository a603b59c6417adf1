package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable tensors of one network, in a fixed order (also the save order). The stored arrays never
 * require gradients; each optimisation step differentiates fresh detached views of them instead
 * ({@link #views}), so gradients never accumulate across steps and a network whose views are not
 * requested (the discriminator during a generator step) costs no parameter gradients at all.
 */
final class Weights {

    private final NDManager manager;
    private final List<String> names = new ArrayList<>();
    private final List<NDArray> arrays = new ArrayList<>();

    Weights(NDManager manager) {
        this.manager = manager;
    }

    /** Adds N(0, std²) weights; returns their index. */
    int normal(String name, float std, Shape shape) {
        return add(name, manager.randomNormal(0f, std, shape, DataType.FLOAT32));
    }

    /** Adds constant weights; returns their index. */
    int constant(String name, float value, Shape shape) {
        return add(name, manager.full(shape, value));
    }

    /** Adds the given array (now owned by this network); returns its index. */
    int add(String name, NDArray array) {
        names.add(name);
        arrays.add(array);
        return arrays.size() - 1;
    }

    /** @return the stored arrays (the live weights; the array itself is a copy) */
    NDArray[] stored() {
        return arrays.toArray(new NDArray[0]);
    }

    /**
     * @param scope where the views live (closed after the step)
     * @return detached views sharing the stored data, each requiring a gradient
     */
    NDArray[] views(NDManager scope) {
        NDArray[] out = new NDArray[arrays.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arrays.get(i).stopGradient();
            out[i].attach(scope);
            out[i].setRequiresGradient(true);
        }
        return out;
    }

    /** @return the names, for messages */
    List<String> names() {
        return List.copyOf(names);
    }

    int size() {
        return arrays.size();
    }

    /** @return the number of trainable scalars */
    long count() {
        long total = 0;
        for (NDArray a : arrays) {
            total += a.size();
        }
        return total;
    }
}
