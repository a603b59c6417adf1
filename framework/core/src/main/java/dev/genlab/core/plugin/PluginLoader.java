package dev.genlab.core.plugin;

import dev.genlab.api.DatasetProvider;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.Plugin;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Discovers paradigms, datasets and metrics and builds the {@link PluginRegistry}.
 *
 * <p><b>Built-ins</b> are found with {@link ServiceLoader} on the application class loader.
 * <b>Third-party plugins</b> come from plugin directories; in each directory
 * <ul>
 *   <li>every {@code *.jar} file is one plugin, and</li>
 *   <li>every sub-directory holding jars is one plugin made of all its jars (the plugin jar plus the
 *       libraries it needs, so they need not be shaded),</li>
 * </ul>
 * each in its own {@link PluginClassLoader}, which exposes only the genlab API, DJL and the logging APIs.
 * Hidden entries, other files and sub-directories without jars are ignored.
 *
 * <p>Every call into a third-party plugin (instantiating its providers, and every method of the providers,
 * paradigms and capabilities it returns) runs with the plugin's class loader as the thread's context class loader,
 * so libraries it bundles find their own classes ({@link ContextLoaderProxy}). A plugin jar records the DJL version
 * it was compiled against in its manifest ({@value #DJL_VERSION_ATTRIBUTE}); one built against another DJL minor
 * version is refused with both versions named, since DJL arrays cross the plugin boundary.
 *
 * <p><b>Failures are loud.</b> A broken plugin is never skipped silently: a user who names it in a spec
 * would otherwise get a confusing "unknown plugin". Every problem (unreadable or corrupt jar, no
 * {@code META-INF/services} entry, a service class that is missing or fails to instantiate, an
 * {@link Plugin#apiVersion()} outside {@link GenlabApi#OLDEST_SUPPORTED}..{@link GenlabApi#VERSION}, an invalid or duplicate name, a
 * plugin directory that does not exist) is collected, and one {@link PluginLoadException} listing all
 * of them, each naming the jar(s), is thrown. The fix is to remove or rebuild the jar.
 */
public final class PluginLoader {

    private static final Logger LOG = LogManager.getLogger(PluginLoader.class);

    /**
     * The packages a plugin shares with genlab, as class-name prefixes: the contract, DJL (arrays must be
     * the same classes on both sides, and engine-specific helpers such as PyTorch's {@code JniUtils}
     * are reached through it), and the logging APIs. {@code java.*}/{@code javax.*} come from the platform.
     */
    public static final List<String> EXPOSED_PACKAGES =
            List.of("dev.genlab.api.", "ai.djl.", "org.apache.logging.log4j.", "org.slf4j.");

    private static final int MAX_FAILURES_PER_SERVICE = 50;

    /** The manifest entry in which a plugin jar records the DJL version it was compiled against. */
    public static final String DJL_VERSION_ATTRIBUTE = "Genlab-DJL-Version";

    /** The DJL this genlab runs. */
    static final String RUNTIME_DJL = ai.djl.engine.Engine.getDjlVersion();

    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+");

    /** The three service interfaces, with the word used for them in messages. */
    private static final Map<Class<? extends Plugin>, String> KINDS = kinds();

    private final ClassLoader applicationLoader;

    /** Uses the class loader that loaded genlab itself as the application class loader. */
    @Inject
    public PluginLoader() {
        this(PluginLoader.class.getClassLoader());
    }

    /**
     * @param applicationLoader where built-ins are discovered and exposed packages are loaded from
     */
    public PluginLoader(ClassLoader applicationLoader) {
        this.applicationLoader = applicationLoader;
    }

    /**
     * Loads the built-in plugins only.
     *
     * @return the registry
     * @throws PluginLoadException if a built-in is broken or two share a name
     */
    public PluginRegistry loadBuiltins() {
        return load(List.of());
    }

    /**
     * Loads the built-ins and every plugin in the given directories (in order; within a directory, by
     * file name; a directory listed twice counts once). The caller decides which directories count ({@code --plugins-dir},
     * {@code GENLAB_PLUGINS_DIR}, {@code plugins/} next to the distribution) and passes an optional
     * default location only if it exists: every directory passed here must exist.
     *
     * @param pluginDirs plugin directories, possibly empty
     * @return the registry of all providers with their origins
     * @throws PluginLoadException listing every problem found, each naming its jar
     */
    public PluginRegistry load(List<Path> pluginDirs) {
        Collector collector = new Collector();
        collector.addBuiltins();
        // The same folder named twice (flag and environment) must not make each plugin its own duplicate.
        for (Path dir : pluginDirs.stream().map(d -> d.toAbsolutePath().normalize()).distinct().toList()) {
            collector.addDirectory(dir);
        }
        if (!collector.problems.isEmpty()) {
            collector.closeLoaders();
            throw new PluginLoadException(collector.problems, collector.firstCause);
        }
        PluginRegistry registry = new PluginRegistry(
                collector.byName(ParadigmProvider.class),
                collector.byName(DatasetProvider.class),
                collector.byName(MetricProvider.class),
                collector.origins);
        LOG.debug("Plugins: {} paradigm(s) {}, {} dataset(s) {}, {} metric(s) {}",
                registry.paradigms().size(), names(registry.paradigms()),
                registry.datasets().size(), names(registry.datasets()),
                registry.metrics().size(), names(registry.metrics()));
        return registry;
    }

    private static List<String> names(java.util.Collection<? extends Plugin> plugins) {
        return plugins.stream().map(Plugin::name).toList();
    }

    private static Map<Class<? extends Plugin>, String> kinds() {
        Map<Class<? extends Plugin>, String> kinds = new LinkedHashMap<>();
        kinds.put(ParadigmProvider.class, "paradigm");
        kinds.put(DatasetProvider.class, "dataset");
        kinds.put(MetricProvider.class, "metric");
        return kinds;
    }

    /** One loading pass: accumulates providers, origins and problems. */
    private final class Collector {
        final List<String> problems = new ArrayList<>();
        Throwable firstCause;
        final Map<Class<? extends Plugin>, Map<String, Plugin>> providers = new HashMap<>();
        final Map<Plugin, PluginOrigin> origins = new IdentityHashMap<>();
        final Map<Plugin, String> whereFound = new IdentityHashMap<>();
        final List<PluginClassLoader> loaders = new ArrayList<>();

        void problem(String message, Throwable cause) {
            problems.add(message);
            if (firstCause == null) {
                firstCause = cause;
            } else if (cause != null && cause != firstCause) {
                firstCause.addSuppressed(cause);
            }
        }

        void addBuiltins() {
            for (Class<? extends Plugin> spi : KINDS.keySet()) {
                discover(spi, applicationLoader, "the application class path", null);
            }
        }

        void addDirectory(Path dir) {
            if (!Files.isDirectory(dir)) {
                problem("plugins directory " + dir.toAbsolutePath() + (Files.exists(dir)
                        ? " is not a directory" : " does not exist"), null);
                return;
            }
            List<Path> entries;
            try (Stream<Path> list = Files.list(dir)) {
                entries = list.sorted().toList();
            } catch (IOException e) {
                problem("cannot list plugins directory " + dir.toAbsolutePath() + ": " + e, e);
                return;
            }
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    List<Path> jars = jarsIn(entry);
                    if (jars.isEmpty()) {
                        LOG.warn("Ignoring {}: a plugin directory needs at least one .jar", entry);
                    } else {
                        addPlugin(entry, jars);
                    }
                } else if (isJar(entry)) {
                    addPlugin(entry, List.of(entry));
                } else {
                    LOG.debug("Ignoring {} in the plugins directory: not a jar", entry);
                }
            }
        }

        private List<Path> jarsIn(Path pluginDir) {
            try (Stream<Path> list = Files.list(pluginDir)) {
                return list.filter(PluginLoader::isJar).sorted().toList();
            } catch (IOException e) {
                problem("cannot list plugin directory " + pluginDir.toAbsolutePath() + ": " + e, e);
                return List.of();
            }
        }

        /** Loads one plugin: a single jar, or a directory of jars sharing one class loader. */
        void addPlugin(Path location, List<Path> jars) {
            int servicesDeclared = 0;
            boolean readable = true;
            for (Path jar : jars) {
                try {
                    servicesDeclared += declaredServices(jar);
                } catch (IOException | RuntimeException e) {
                    readable = false;
                    problem("cannot read plugin jar " + jar.toAbsolutePath() + " (" + e
                            + "); it is not a valid jar file — remove it or replace it with a good build", e);
                }
            }
            if (!readable) {
                return;
            }
            for (Path jar : jars) {
                String built = djlVersionOf(jar);
                if (built != null && !sameMinor(built, RUNTIME_DJL)) {
                    problem("plugin jar " + jar.toAbsolutePath() + " was built against DJL " + built
                            + ", but this genlab runs DJL " + RUNTIME_DJL + " (arrays cross the plugin boundary, so"
                            + " both must use one DJL API): rebuild the plugin against ai.djl:api " + RUNTIME_DJL, null);
                    readable = false;
                }
            }
            if (!readable) {
                return;
            }
            if (servicesDeclared == 0) {
                problem((jars.size() == 1 ? "plugin jar " : "plugin directory ") + location.toAbsolutePath()
                        + " declares no genlab service: expected a META-INF/services entry for "
                        + String.join(", ", KINDS.keySet().stream().map(Class::getName).toList()), null);
                return;
            }
            List<URL> urls = new ArrayList<>();
            for (Path jar : jars) {
                try {
                    urls.add(jar.toAbsolutePath().toUri().toURL());
                } catch (MalformedURLException e) {
                    problem("cannot use plugin jar " + jar.toAbsolutePath() + ": " + e, e);
                    return;
                }
            }
            PluginClassLoader loader = new PluginClassLoader(
                    location.getFileName().toString(), urls, applicationLoader, EXPOSED_PACKAGES);
            loaders.add(loader);
            Map<Path, PluginOrigin> jarOrigins = new HashMap<>();
            for (Class<? extends Plugin> spi : KINDS.keySet()) {
                discover(spi, loader, location.toAbsolutePath().toString(), jarOrigins);
            }
        }

        /**
         * Instantiates every provider of {@code spi} visible to {@code loader}.
         *
         * @param where the jar or directory, for messages
         * @param jarOrigins cache of origins per jar, or null for built-ins
         */
        void discover(Class<? extends Plugin> spi, ClassLoader loader, String where,
                Map<Path, PluginOrigin> jarOrigins) {
            // Providers are instantiated (and describe themselves) with their own loader as the context loader.
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                discoverWithContext(spi, loader, where, jarOrigins);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private void discoverWithContext(Class<? extends Plugin> spi, ClassLoader loader, String where,
                Map<Path, PluginOrigin> jarOrigins) {
            Iterator<? extends Plugin> it = ServiceLoader.load(spi, loader).iterator();
            int failures = 0;
            while (true) {
                Plugin provider;
                try {
                    if (!it.hasNext()) {
                        return;
                    }
                    provider = it.next();
                } catch (ServiceConfigurationError | LinkageError e) {
                    // ServiceLoader reports missing classes, wrong types and failing constructors this way;
                    // a LinkageError usually means a class the plugin needs is absent or from another API.
                    problem("cannot load a " + KINDS.get(spi) + " plugin from " + where + ": " + describe(e)
                            + (hasLinkageError(e)
                                    ? " (a class it needs is missing: was it built against another genlab-api,"
                                            + " or does it need a library it does not bundle?)"
                                    : ""), e);
                    // The iterator moves past a failed entry; the cap only guards against one that does not.
                    if (++failures >= MAX_FAILURES_PER_SERVICE) {
                        return;
                    }
                    continue;
                }
                register(spi, provider, where, jarOrigins);
            }
        }

        private void register(Class<? extends Plugin> spi, Plugin provider, String where,
                Map<Path, PluginOrigin> jarOrigins) {
            String className = provider.getClass().getName();
            int version;
            String name;
            try {
                version = provider.apiVersion();
                name = provider.name();
            } catch (RuntimeException | LinkageError e) {
                problem(KINDS.get(spi) + " plugin " + className + " in " + where + " fails to describe itself: "
                        + describe(e) + " (built against another genlab-api?)", e);
                return;
            }
            if (version < GenlabApi.OLDEST_SUPPORTED || version > GenlabApi.VERSION) {
                problem(KINDS.get(spi) + " plugin '" + name + "' (" + className + ") in " + where
                        + " was built for genlab API v" + version + "; this genlab loads v"
                        + GenlabApi.OLDEST_SUPPORTED + " to v" + GenlabApi.VERSION + " — rebuild it against "
                        + apiArtifact(), null);
                return;
            }
            if (name == null || !NAME.matcher(name).matches()) {
                problem(KINDS.get(spi) + " plugin " + className + " in " + where + " has an invalid name '" + name
                        + "': use lower case letters, digits, '_' and '-'", null);
                return;
            }
            Map<String, Plugin> named = providers.computeIfAbsent(spi, k -> new LinkedHashMap<>());
            Plugin previous = named.get(name);
            if (previous != null) {
                problem("two " + KINDS.get(spi) + " plugins are named '" + name + "': "
                        + ContextLoaderProxy.unwrap(previous).getClass().getName() + " from " + whereFound.get(previous) + " and "
                        + className + " from " + where + "; remove one of them", null);
                return;
            }
            PluginOrigin origin;
            try {
                origin = jarOrigins == null ? PluginOrigin.CLASS_PATH : originOf(provider, jarOrigins);
            } catch (IOException | UncheckedIOException e) {
                problem("cannot fingerprint the jar of plugin '" + name + "' in " + where + ": " + e, e);
                return;
            }
            if (jarOrigins != null) {
                // Every later call into a third-party plugin runs with its loader as the context class loader.
                provider = (Plugin) ContextLoaderProxy.wrap(provider, provider.getClass().getClassLoader());
            }
            named.put(name, provider);
            origins.put(provider, origin);
            whereFound.put(provider, where);
            LOG.debug("Found {} plugin '{}' ({}) in {}", KINDS.get(spi), name, className, where);
        }

        @SuppressWarnings("unchecked")
        <T extends Plugin> Map<String, T> byName(Class<T> spi) {
            // Only instances of spi were put under spi, by ServiceLoader.load(spi, ...).
            return (Map<String, T>) (Map<String, ?>) providers.getOrDefault(spi, Map.of());
        }

        void closeLoaders() {
            for (PluginClassLoader loader : loaders) {
                try {
                    loader.close();
                } catch (IOException e) {
                    LOG.debug("Closing {} failed", loader, e);
                }
            }
        }
    }

    /** @return how many provider lines the jar's genlab service files hold; reading it also validates it */
    private static int declaredServices(Path jar) throws IOException {
        if (!Files.isReadable(jar)) {
            throw new IOException("not readable");
        }
        int count = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Class<? extends Plugin> spi : KINDS.keySet()) {
                JarEntry entry = file.getJarEntry("META-INF/services/" + spi.getName());
                if (entry == null) {
                    continue;
                }
                try (InputStream in = file.getInputStream(entry)) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                        int hash = line.indexOf('#');
                        if (!(hash >= 0 ? line.substring(0, hash) : line).isBlank()) {
                            count++;
                        }
                    }
                }
            }
        }
        return count;
    }

    /** The origin of a third-party provider: the jar its class actually came from. */
    private static PluginOrigin originOf(Plugin provider, Map<Path, PluginOrigin> cache) throws IOException {
        CodeSource source = provider.getClass().getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return PluginOrigin.CLASS_PATH;
        }
        Path jar;
        try {
            jar = Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("unusable code source " + source.getLocation(), e);
        }
        PluginOrigin cached = cache.get(jar);
        if (cached == null) {
            cached = new PluginOrigin(jar, implementationVersion(jar), sha256(jar));
            cache.put(jar, cached);
        }
        return cached;
    }

    /** @return the jar's {@value #DJL_VERSION_ATTRIBUTE} manifest entry, or null if it has none or cannot be read */
    static String djlVersionOf(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String version = manifest == null ? null : manifest.getMainAttributes().getValue(DJL_VERSION_ATTRIBUTE);
            return version == null || version.isBlank() ? null : version.trim();
        } catch (IOException e) {
            return null; // declaredServices already reported an unreadable jar
        }
    }

    /** @return whether two versions agree in major and minor (DJL's 0.x minors change the API) */
    static boolean sameMinor(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }

    private static String implementationVersion(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String version = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return version == null || version.isBlank() ? "unknown" : version.trim();
        }
    }

    /**
     * @param file a file
     * @return the lower-case hex SHA-256 of its bytes
     * @throws IOException if it cannot be read
     */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static boolean isJar(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                .endsWith(".jar");
    }

    private static boolean hasLinkageError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LinkageError) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        Throwable cause = e.getCause();
        // ServiceLoader wraps the interesting exception (e.g. the constructor's) one or two levels deep.
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            text.append("; caused by ").append(cause);
        }
        return text.toString();
    }

    /** @return "genlab-api X" with this genlab's API artifact version, as precisely as it is known */
    private static String apiArtifact() {
        String version = GenlabApi.class.getPackage() == null ? null
                : GenlabApi.class.getPackage().getImplementationVersion();
        if (version == null) {
            // Maven writes this file into every jar it builds; absent when running from target/classes.
            try (InputStream in = GenlabApi.class.getResourceAsStream(
                    "/META-INF/maven/dev.genlab/genlab-api/pom.properties")) {
                if (in != null) {
                    Properties props = new Properties();
                    props.load(in);
                    version = props.getProperty("version");
                }
            } catch (IOException e) {
                LOG.debug("Cannot read the genlab-api version", e);
            }
        }
        return version == null ? "the genlab-api of this genlab (API v" + GenlabApi.VERSION + ")"
                : "genlab-api " + version;
    }
}
