package dev.genlab.core.run;

import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.tracking.Tracker;

/** Opens the tracker a spec asks for (the local run store by default). */
public interface TrackerFactory {

    /**
     * @param spec the spec's tracking section
     * @param options command-line options (which may override the store's folder)
     * @return an open tracker, closed by the caller
     */
    Tracker open(TrackingSpec spec, RunOptions options);
}
