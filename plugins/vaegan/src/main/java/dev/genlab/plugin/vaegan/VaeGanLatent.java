package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.LatentModel;
import dev.genlab.nn.Parameters;

/**
 * The {@link LatentModel} capability: {@code encode} gives the posterior means μ(x), {@code decode} the
 * decoder's output. Large sets go through the networks {@value #EVAL_ROWS} rows at a time; the results
 * belong to the manager of the caller's array.
 */
final class VaeGanLatent implements LatentModel {

    /** Rows per forward pass when sampling, encoding or decoding large sets. */
    static final int EVAL_ROWS = 1000;

    private final Parameters params;
    private final Networks.Encoder encoder;
    private final Networks.Decoder decoder;
    private final int latentDim;

    VaeGanLatent(Parameters params, Networks.Encoder encoder, Networks.Decoder decoder, int latentDim) {
        this.params = params;
        this.encoder = encoder;
        this.decoder = decoder;
        this.latentDim = latentDim;
    }

    @Override
    public int latentDim() {
        return latentDim;
    }

    @Override
    public NDArray encode(NDArray data) {
        NDManager owner = data.getManager();
        try (NDManager tmp = params.open(data)) {
            long n = data.getShape().get(0);
            NDList parts = new NDList();
            for (long from = 0; from < n; from += EVAL_ROWS) {
                NDArray rows = data.get(from + ":" + Math.min(n, from + EVAL_ROWS));
                parts.add(encoder.forward(encoder.params.stored(), rows)[0]);
            }
            NDArray mu = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            mu.attach(owner);
            return mu;
        }
    }

    @Override
    public NDArray decode(NDArray latents) {
        NDManager owner = latents.getManager();
        try (NDManager tmp = params.open(latents)) {
            NDArray x = decodeRows(latents);
            x.attach(owner);
            return x;
        }
    }

    /**
     * @param z codes [n, L], in a scope opened on the weights
     * @return the decoder's output for every row, in that scope
     */
    NDArray decodeRows(NDArray z) {
        long n = z.getShape().get(0);
        NDList parts = new NDList();
        for (long from = 0; from < n; from += EVAL_ROWS) {
            parts.add(decoder.forward(decoder.params.stored(), z.get(from + ":" + Math.min(n, from + EVAL_ROWS))));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }
}
