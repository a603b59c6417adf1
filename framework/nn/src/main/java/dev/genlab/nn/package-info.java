/**
 * genlab-nn: the one network, optimiser and checkpoint layer under genlab's paradigms.
 *
 * <ul>
 *   <li>{@link dev.genlab.nn.Parameters}: named parameters and buffers with scopes, initialisers
 *       ({@link dev.genlab.nn.Init}), differentiable views, DJL blocks adopted;</li>
 *   <li>{@link dev.genlab.nn.Adam}: the one Adam/AdamW (clipping, skip-non-finite, warm-up, the engine's fused
 *       update, a functional step for users that differentiate through updates);</li>
 *   <li>{@link dev.genlab.nn.Checkpoint}: the one versioned, shape-checked save/load format;</li>
 *   <li>layers: {@link dev.genlab.nn.Dense}, {@link dev.genlab.nn.Conv} (with an exact transposed convolution),
 *       {@link dev.genlab.nn.Mlp} (functional or as a DJL block), {@link dev.genlab.nn.Scalars}.</li>
 * </ul>
 *
 * <p>It is a library, not part of the plugin contract: a plugin that uses it <b>bundles</b> it (the plugin's
 * folder holds its jar and {@code genlab-nn-*.jar}; genlab's plugin class loader takes every non-contract class
 * from the plugin's own jars first). So a plugin keeps the genlab-nn version it was built and tested with, and
 * genlab-nn can evolve without breaking installed plugins; only DJL's API and genlab-api are shared. Built-in
 * paradigms use the copy on genlab's class path. Every call into DJL's internals ({@code getNDArrayInternal()})
 * lives in this package and nowhere else in the plugins.
 */
package dev.genlab.nn;
