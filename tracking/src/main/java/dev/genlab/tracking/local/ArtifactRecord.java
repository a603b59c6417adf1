package dev.genlab.tracking.local;

import java.util.Objects;

/**
 * One artifact file of a run, as recorded in its journal.
 *
 * @param path path relative to the run's {@code artifacts/} directory, with {@code /} separators,
 *     e.g. {@code plots/losses.png}
 * @param sha256 lower-case hex SHA-256 of the file's content
 * @param size size in bytes
 */
public record ArtifactRecord(String path, String sha256, long size) {

    /** Rejects null components and negative sizes. */
    public ArtifactRecord {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("negative artifact size: " + size);
        }
    }
}
