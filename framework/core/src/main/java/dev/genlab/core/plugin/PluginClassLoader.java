package dev.genlab.core.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * The class loader of one third-party plugin. It sees exactly three things:
 * <ol>
 *   <li>the Java platform ({@code java.*}, {@code javax.*} and the other platform modules), through its
 *       parent, the {@linkplain ClassLoader#getPlatformClassLoader() platform class loader};</li>
 *   <li>the exposed packages (the genlab API, DJL and the logging APIs), always taken from the application
 *       class loader, so that an {@code NDArray} or a {@code Paradigm} is the same class on both sides;</li>
 *   <li>its own jars, for everything else.</li>
 * </ol>
 * Nothing else of the application class path (Guice, SnakeYAML, Jackson, genlab's core classes...) is
 * visible, so two plugins can bundle conflicting versions of a library without clashing with each
 * other or with genlab. A copy of an exposed package inside a plugin jar is ignored.
 */
public final class PluginClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final String pluginName;
    private final ClassLoader apiLoader;
    private final List<String> exposedPackages;
    private final List<String> exposedResources;

    /**
     * @param pluginName the plugin's jar or directory name, for diagnostics
     * @param urls the plugin's jars
     * @param apiLoader the loader to take exposed packages from (the application class loader)
     * @param exposedPackages package prefixes ending in a dot, e.g. {@code dev.genlab.api.}
     */
    public PluginClassLoader(String pluginName, List<URL> urls, ClassLoader apiLoader, List<String> exposedPackages) {
        super("genlab-plugin[" + pluginName + "]", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        this.pluginName = Objects.requireNonNull(pluginName, "pluginName");
        this.apiLoader = Objects.requireNonNull(apiLoader, "apiLoader");
        this.exposedPackages = List.copyOf(exposedPackages);
        this.exposedResources = this.exposedPackages.stream().map(p -> p.replace('.', '/')).toList();
    }

    /** @return the plugin's jar or directory name */
    public String pluginName() {
        return pluginName;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                // Exposed classes come only from the application: a plugin must not shadow the contract.
                type = isExposedClass(name)
                        ? apiLoader.loadClass(name)
                        // Parent is the platform loader, so this is "JDK, then own jars": child-first for all
                        // libraries, without ever reaching the application class path.
                        : super.loadClass(name, false);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    @Override
    public URL getResource(String name) {
        return isExposedResource(name) ? apiLoader.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return isExposedResource(name) ? apiLoader.getResources(name) : super.getResources(name);
    }

    private boolean isExposedClass(String className) {
        for (String prefix : exposedPackages) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private boolean isExposedResource(String resource) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        for (String prefix : exposedResources) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return getName();
    }
}
