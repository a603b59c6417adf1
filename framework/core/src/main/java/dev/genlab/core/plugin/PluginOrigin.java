package dev.genlab.core.plugin;

import java.nio.file.Path;

/**
 * Where a provider was loaded from, for provenance tags.
 *
 * @param jar the plugin jar, or null for the application class path
 * @param version the jar's {@code Implementation-Version}, or {@code builtin}
 * @param sha256 hex SHA-256 of the jar, or empty for the class path
 */
public record PluginOrigin(Path jar, String version, String sha256) {

    /** A built-in provider found on the application class path. */
    public static final PluginOrigin CLASS_PATH = new PluginOrigin(null, "builtin", "");
}
