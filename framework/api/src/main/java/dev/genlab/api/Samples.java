package dev.genlab.api;

import ai.djl.ndarray.NDArray;

/**
 * Generated samples. The caller owns {@code data} and closes it.
 *
 * @param data float32 samples of shape {@code [n, ...]}, in the dataset's scale
 * @param labels the labels the samples were conditioned on, or null
 * @param evaluationsPerSample network evaluations (forward passes) spent per sample, e.g. 1 for a GAN
 *     generator, T for ancestral DDPM sampling
 */
public record Samples(NDArray data, int[] labels, int evaluationsPerSample) {

    /** Copies the labels and checks the evaluation count. */
    public Samples {
        if (evaluationsPerSample < 0) {
            throw new IllegalArgumentException("evaluationsPerSample < 0");
        }
        labels = labels == null ? null : labels.clone();
    }
}
