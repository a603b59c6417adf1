package dev.genlab.api;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Random;

/**
 * Everything a paradigm receives when the framework creates it for a trial.
 *
 * @param params validated parameters with defaults filled in
 * @param shape the shape of one training example and the number of label classes
 * @param manager the trial's NDManager; arrays attached to it live until the trial ends
 * @param device the device to train on (the CPU on genlab's reference machines)
 * @param seed the trial's seed; the framework has already seeded the engine's global generator with it
 * @param random a Java generator seeded from {@code seed}, for host-side randomness
 */
public record ParadigmSetup(
        Params params, DataShape shape, NDManager manager, Device device, long seed, Random random) {}
