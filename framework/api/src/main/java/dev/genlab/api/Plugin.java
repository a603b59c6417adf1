package dev.genlab.api;

/**
 * What every service genlab discovers has in common: a unique name used in YAML specs, a one-line
 * description, a parameter schema, and the contract version it was built against.
 */
public interface Plugin {

    /**
     * @return the name specs use to refer to this plugin, e.g. {@code diffusion} or {@code ring8};
     *     lower case letters, digits, {@code _} and {@code -}
     */
    String name();

    /** @return a one-line, human-readable description shown by {@code genlab plugins} */
    String description();

    /** @return the typed, defaulted, documented parameters this plugin accepts */
    ParamSchema parameters();

    /**
     * The contract version this plugin was compiled against. Implement it as
     * {@code return GenlabApi.VERSION;}: the compiler inlines the constant into the plugin's own class
     * file, so the framework can tell a plugin built for another version and reject it clearly.
     *
     * @return the {@link GenlabApi#VERSION} seen at the plugin's compile time
     */
    int apiVersion();
}
