/**
 * The diffusion paradigm plugin {@code diffusion}: DDPM training (linear or cosine schedule, ε-prediction,
 * EMA), ancestral DDPM, DDIM and DPM-Solver++(2M) sampling, classifier-free guidance for labelled data,
 * and the discrete-time variational bound as a likelihood. A residual MLP denoises points, a small U-Net
 * images. It depends on genlab-api, the DJL API and the genlab-nn library (parameters, Adam, layers, the time
 * embedding, the moving average and the checkpoint format).
 *
 * <p>{@link dev.genlab.plugin.diffusion.DiffusionParadigm} wires the parts: the model
 * ({@link dev.genlab.plugin.diffusion.DiffusionModel}), training
 * ({@link dev.genlab.plugin.diffusion.DiffusionObjective}), sampling
 * ({@link dev.genlab.plugin.diffusion.DiffusionSampling}, {@link dev.genlab.plugin.diffusion.Sampler}) and the
 * likelihood capability ({@link dev.genlab.plugin.diffusion.DiffusionLikelihood}).
 */
package dev.genlab.plugin.diffusion;
