package dev.genlab.core.spec;

/**
 * Where runs are recorded.
 *
 * @param uri a tracking server URI, or null for the local run store
 * @param experiment experiment name override, or null to use the spec's name
 * @param localDir the local run store's folder (default {@code genlab-runs})
 * @param systemMetrics whether trials log the process's CPU use and memory at each log step
 */
public record TrackingSpec(String uri, String experiment, String localDir, boolean systemMetrics) {

    /** Local store under {@code ./genlab-runs}. */
    public static final TrackingSpec DEFAULTS = new TrackingSpec(null, null, "genlab-runs", false);

    /** Without system metrics. */
    public TrackingSpec(String uri, String experiment, String localDir) {
        this(uri, experiment, localDir, false);
    }
}
