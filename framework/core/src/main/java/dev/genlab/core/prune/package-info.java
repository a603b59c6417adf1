/**
 * Early termination of sweep trials ({@code sweep.early_stop}): the median stopping rule, ASHA and
 * asynchronous Hyperband, judged on the sweep's objective at periodic evaluations, from the values every
 * process of the sweep recorded in the shared run store. See docs/early-stopping.md.
 */
package dev.genlab.core.prune;
