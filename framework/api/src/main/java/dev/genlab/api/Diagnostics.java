package dev.genlab.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * Capability of a paradigm that can describe itself on held-out data after training: values a generic
 * metric cannot compute (a VAE's active units, I(x; z), a linear probe on its latents) and figures (a
 * latent interpolation). The framework calls it once per evaluation when the dataset has held-out
 * examples, logs the values as metrics next to the others and draws each figure as an artifact.
 */
public interface Diagnostics {

    /**
     * Computes named values on held-out examples. The keys become metric names, so they must not clash
     * with the metric providers' (prefer model-specific names such as {@code active_units}).
     *
     * @param heldOut examples the model never trained on, with labels if the dataset has them; closed by
     *     the framework afterwards
     * @return named finite values
     */
    Map<String, Double> diagnose(Batch heldOut);

    /**
     * Draws named figures from held-out examples. Each array has shape {@code [rows, cols, ...]} followed by
     * the data's example shape: images are drawn as a rows × cols grid, 2-D points as one connected path per
     * row over the data. The file is {@code <name>.png}. The default: none.
     *
     * @param heldOut examples the model never trained on; closed by the framework afterwards
     * @param manager owner of the returned arrays, closed by the framework after drawing
     * @return figure name (a file-name stem: letters, digits, {@code _} or {@code -}) to its values
     */
    default Map<String, NDArray> figures(Batch heldOut, NDManager manager) {
        return Map.of();
    }
}
