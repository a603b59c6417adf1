/**
 * The baseline paradigm plugin {@code gaussian}: a full-covariance multivariate normal fitted by maximum
 * likelihood, the reference point every generative model should beat. It depends on genlab-api, the DJL API
 * and genlab-nn (parameters, Adam, the checkpoint format).
 *
 * <p>Classes: {@link dev.genlab.plugin.baseline.Gaussian} (the model and its likelihood),
 * {@link dev.genlab.plugin.baseline.MomentsFit} (the closed-form fit of {@code optimizer: moments}),
 * {@link dev.genlab.plugin.baseline.GaussianParadigm} (the trial: training steps, sampling, the
 * {@code LikelihoodModel} capability, the checkpoint).
 */
package dev.genlab.plugin.baseline;
