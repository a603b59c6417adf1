package dev.genlab.core.plugin;

import java.nio.file.Path;

/**
 * Where a provider was loaded from, for provenance tags.
 *
 * @param jar the plugin jar the provider class came from, or null for the application class path
 * @param version the jar's manifest {@code Implementation-Version} ({@code unknown} if it has none), or
 *     {@code builtin} for the class path
 * @param sha256 lower-case hex SHA-256 of the jar, or empty for the class path
 */
public record PluginOrigin(Path jar, String version, String sha256) {

    /** A built-in provider found on the application class path. */
    public static final PluginOrigin CLASS_PATH = new PluginOrigin(null, "builtin", "");
}
