package dev.genlab.tracking.local;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An experiment as stored in the local run store ({@code <root>/<slug>/experiment.json}).
 *
 * @param id the experiment id (derived from the name, stable across processes)
 * @param name the experiment name
 * @param createdMs creation time in milliseconds since the epoch
 * @param directory the experiment's directory, {@code <root>/<slug>}
 */
public record ExperimentRecord(String id, String name, long createdMs, Path directory) {

    /** Rejects null components. */
    public ExperimentRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
    }
}
