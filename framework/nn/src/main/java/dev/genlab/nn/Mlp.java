package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A multi-layer perceptron: {@link Dense} layers with an activation between them (none after the last).
 * {@link #create} makes the functional form (for networks that are differentiated twice or whose weights are
 * swapped, e.g. EMA); {@link #block} makes the same stack as a DJL {@link SequentialBlock}.
 *
 * @param layers the layers, input first
 * @param activation applied after every layer but the last
 */
public record Mlp(List<Dense> layers, UnaryOperator<NDArray> activation) {

    /**
     * @param widths input width, hidden widths..., output width
     * @return layers named {@code name.0}, {@code name.1}, … with PyTorch's default initialisation
     */
    public static Mlp create(Parameters p, String name, int[] widths, UnaryOperator<NDArray> activation) {
        List<Dense> layers = new ArrayList<>();
        for (int i = 0; i + 1 < widths.length; i++) {
            layers.add(Dense.create(p, name + "." + i, widths[i], widths[i + 1]));
        }
        return new Mlp(List.copyOf(layers), activation);
    }

    /** Runs the stack on x [n, in] with the scope's arrays {@code w}. */
    public NDArray forward(NDArray[] w, NDArray x) {
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(w, h);
            if (i + 1 < layers.size()) {
                h = activation.apply(h);
            }
        }
        return h;
    }

    /**
     * @param widths hidden widths..., output width (the input width comes from {@code initialize})
     * @param activation applied after every layer but the last, e.g. {@link Activation#relu(NDList)}
     * @return an uninitialised DJL block; initialise it, then {@link Parameters#adopt} it
     */
    public static SequentialBlock block(int[] widths, java.util.function.Function<NDList, NDList> activation) {
        SequentialBlock block = new SequentialBlock();
        for (int i = 0; i < widths.length; i++) {
            block.add(Linear.builder().setUnits(widths[i]).build());
            if (i + 1 < widths.length) {
                block.add(activation);
            }
        }
        return block;
    }
}
