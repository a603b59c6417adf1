/**
 * Built-in metrics: {@code modes} (PacGAN mode coverage, high-quality samples, reverse KL),
 * {@code speed} (throughput, evaluations per sample, step time, parameter counts) and {@code stability}
 * (loss variance and oscillation over the last window, divergence). Definitions are in each class's
 * documentation and in {@code docs/metrics.md}.
 */
package dev.genlab.core.metrics;
