/**
 * The diffusion paradigm plugin {@code diffusion}: DDPM training (linear or cosine schedule, ε-prediction,
 * EMA), ancestral DDPM, DDIM and DPM-Solver++(2M) sampling, classifier-free guidance for labelled data,
 * and the discrete-time variational bound as a likelihood. A residual MLP denoises points, a small U-Net
 * images. Like any third-party plugin it depends only on genlab-api and the DJL API; all tensors and
 * optimiser state are plain arrays, so saving and loading need no framework support.
 */
package dev.genlab.plugin.diffusion;
