/**
 * Built-in datasets: the 2-D toys {@code ring8}, {@code grid25} (mixtures with known truth, PacGAN
 * defaults), {@code swissroll} and {@code moons}. All are generated host-side from the dataset seed with
 * {@link java.util.Random}, so the same seed and parameters give bit-identical data on every machine.
 */
package dev.genlab.core.data;
