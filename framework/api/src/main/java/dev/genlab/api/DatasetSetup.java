package dev.genlab.api;

import ai.djl.ndarray.NDManager;

/**
 * What a dataset provider receives.
 *
 * @param params validated parameters with defaults filled in
 * @param manager the manager to create the arrays on
 * @param seed the seed for synthetic data; the same seed and params must give the same data
 */
public record DatasetSetup(Params params, NDManager manager, long seed) {}
