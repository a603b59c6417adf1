package dev.genlab.plugin.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.genlab.nn.Dense;
import dev.genlab.nn.Init;
import dev.genlab.nn.Parameters;

/**
 * The conditioning vector e(t, y) every block of a denoiser receives: a two-layer MLP of the sinusoidal
 * time embedding, plus a learned class vector for conditional networks (row K of the table is the
 * "no label" vector used for label dropout and unconditional sampling).
 *
 * @param first time MLP, first layer
 * @param second time MLP, second layer
 * @param classTable index of the {@code [K + 1, E]} class table, or −1 if unconditional
 * @param dim E
 */
record Conditioning(Dense first, Dense second, int classTable, int dim) {

    /**
     * @param classes K, or 0 for an unconditional network
     */
    static Conditioning of(Parameters p, int timeDim, int dim, int classes) {
        Dense first = Dense.create(p, "time.0", timeDim, dim);
        Dense second = Dense.create(p, "time.1", dim, dim);
        int table = classes > 0 ? p.add("classes.table", new Shape(classes + 1, dim), Init.uniform(1)) : -1;
        return new Conditioning(first, second, table, dim);
    }

    /** @return GELU(e), the form each block's projection reads */
    NDArray apply(NDArray[] p, NDArray timeEmbedding, NDArray classes) {
        NDArray e = second.forward(p, Activation.gelu(first.forward(p, timeEmbedding)));
        if (classTable >= 0) {
            if (classes == null) {
                throw new IllegalStateException("a conditional denoiser needs one-hot classes");
            }
            e = e.add(classes.matMul(p[classTable]));
        }
        return Activation.gelu(e);
    }
}
