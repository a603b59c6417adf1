/**
 * The baseline paradigm plugin {@code gaussian}: a full-covariance multivariate normal fitted by maximum
 * likelihood, the reference point every generative model should beat. It depends only on genlab-api and
 * the DJL API, like any third-party plugin.
 */
package dev.genlab.plugin.baseline;
