/**
 * The genlab plugin contract (SPI).
 *
 * <p>A third party adds a generative paradigm by implementing {@link dev.genlab.api.ParadigmProvider},
 * listing the class in {@code META-INF/services/dev.genlab.api.ParadigmProvider}, and dropping the jar
 * in a plugins folder. Datasets ({@link dev.genlab.api.DatasetProvider}) and metrics
 * ({@link dev.genlab.api.MetricProvider}) are added the same way. The framework owns the training loop
 * (steps, batching, seeding, evaluation cadence, checkpoints, divergence detection, logging); a paradigm
 * owns one optimisation step and sampling.
 *
 * <p>This package depends only on DJL's engine-neutral API. It holds interfaces and immutable records,
 * never framework implementation classes; it changes only with {@link dev.genlab.api.GenlabApi#VERSION}, and
 * only by additions while {@link dev.genlab.api.GenlabApi#OLDEST_SUPPORTED} stays put.
 */
package dev.genlab.api;
