package dev.genlab.tracking.local;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An experiment as stored in the local run store ({@code <root>/<slug>/experiment.json}).
 *
 * @param id the experiment id (derived from the name, stable across processes)
 * @param name the experiment name
 * @param createdMs creation time in milliseconds since the epoch
 * @param directory the experiment's directory, {@code <root>/<slug>}
 * @param tags the experiment's tags (MLflow's experiment tags; {@code mlflow.note.content} is its
 *     description)
 */
public record ExperimentRecord(String id, String name, long createdMs, Path directory, Map<String, String> tags) {

    /** Rejects null components; copies the tags. */
    public ExperimentRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags == null ? Map.of() : tags));
    }

    /** An experiment without tags. */
    public ExperimentRecord(String id, String name, long createdMs, Path directory) {
        this(id, name, createdMs, directory, Map.of());
    }
}
