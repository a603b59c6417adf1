package dev.genlab.core.plugin;

import ai.djl.ndarray.NDArray;
import dev.genlab.api.GenlabApi;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a plugin jar in a test: compiles Java sources given as strings against the genlab-api jar and
 * the DJL api jar <em>only</em> (as a third party would), writes {@code META-INF/services} files and a
 * manifest, and packs everything into {@code dir/jarName}.
 *
 * <pre>{@code
 * Path jar = PluginJarBuilder.create(pluginsDir, "hello.jar")
 *         .source("com.example.HelloProvider", "package com.example; public class HelloProvider ...")
 *         .service(ParadigmProvider.class, "com.example.HelloProvider")
 *         .manifest("Implementation-Version", "1.2.3")
 *         .build();
 * }</pre>
 *
 * <p>Compilation happens in a private temporary directory, so nothing but the jar appears in {@code dir}.
 * A compile error throws {@link IllegalStateException} with javac's diagnostics.
 */
public final class PluginJarBuilder {

    private final Path dir;
    private final String jarName;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final List<Path> extraClasspath = new ArrayList<>();

    private PluginJarBuilder(Path dir, String jarName) {
        this.dir = dir;
        this.jarName = jarName;
    }

    /**
     * @param dir the directory to write the jar into (created if missing)
     * @param jarName the jar's file name, e.g. {@code hello.jar}
     * @return a builder
     */
    public static PluginJarBuilder create(Path dir, String jarName) {
        return new PluginJarBuilder(dir, jarName);
    }

    /**
     * Adds a Java source file.
     *
     * @param className the fully qualified name of its top-level class
     * @param code the whole compilation unit
     * @return this builder
     */
    public PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /**
     * Lists an implementation in {@code META-INF/services/<spi>}; call it several times for several.
     *
     * @param spi the service interface, e.g. {@code ParadigmProvider.class}
     * @param implClass the implementation's fully qualified name
     * @return this builder
     */
    public PluginJarBuilder service(Class<?> spi, String implClass) {
        return service(spi.getName(), implClass);
    }

    /**
     * Lists an implementation under a service name given as text (e.g. for an interface of another
     * API version that does not exist here).
     *
     * @param spiName the service interface's fully qualified name
     * @param implClass the implementation's fully qualified name
     * @return this builder
     */
    public PluginJarBuilder service(String spiName, String implClass) {
        services.computeIfAbsent(spiName, k -> new ArrayList<>()).add(implClass);
        return this;
    }

    /**
     * Adds a main manifest attribute, e.g. {@code Implementation-Version}.
     *
     * @param key attribute name
     * @param value attribute value
     * @return this builder
     */
    public PluginJarBuilder manifest(String key, String value) {
        manifest.put(key, value);
        return this;
    }

    /**
     * Adds a raw file to the jar.
     *
     * @param path the entry name, e.g. {@code data/weights.bin}
     * @param content its bytes
     * @return this builder
     */
    public PluginJarBuilder resource(String path, byte[] content) {
        resources.put(path, content.clone());
        return this;
    }

    /**
     * Adds compile-time class path entries beyond genlab-api and the DJL api (e.g. a library jar built
     * with another builder, or {@link #locate(Class) locate(LogManager.class)} for the Log4j API).
     *
     * @param entries jars or class directories
     * @return this builder
     */
    public PluginJarBuilder classpath(Path... entries) {
        extraClasspath.addAll(List.of(entries));
        return this;
    }

    /**
     * Compiles and packs the jar.
     *
     * @return the path of the written jar
     * @throws IllegalStateException if the sources do not compile
     */
    public Path build() {
        try {
            Files.createDirectories(dir);
            Path work = Files.createTempDirectory("genlab-plugin-jar-");
            try {
                Path classes = Files.createDirectories(work.resolve("classes"));
                if (!sources.isEmpty()) {
                    compile(work.resolve("src"), classes);
                }
                Path jar = dir.resolve(jarName);
                writeJar(classes, jar);
                return jar;
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build plugin jar " + jarName, e);
        }
    }

    /**
     * @return the compile class path every plugin gets: the genlab-api jar (or classes directory) and the
     *     DJL api jar, found where the running test loaded them from
     */
    public static List<Path> apiClasspath() {
        return List.of(locate(GenlabApi.class), locate(NDArray.class));
    }

    /**
     * @param type a class on the test class path
     * @return the jar or classes directory it was loaded from
     */
    public static Path locate(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }

    private void compile(Path srcDir, Path classes) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = srcDir.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
            files.add(file);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        }
        List<Path> classpath = new ArrayList<>(apiClasspath());
        classpath.addAll(extraClasspath);
        List<String> args = new ArrayList<>(List.of(
                "--release", "17", "-proc:none", "-nowarn", "-encoding", "UTF-8",
                // An explicit class path: the plugin must not compile against anything else.
                "-classpath", String.join(java.io.File.pathSeparator,
                        classpath.stream().map(Path::toString).toList()),
                "-d", classes.toString()));
        files.forEach(f -> args.add(f.toString()));
        StringWriter diagnostics = new StringWriter();
        OutputStream err = new OutputStream() {
            @Override
            public void write(int b) {
                diagnostics.write(b);
            }
        };
        int status = javac.run(null, err, err, args.toArray(new String[0]));
        if (status != 0) {
            throw new IllegalStateException("plugin sources for " + jarName + " do not compile:\n" + diagnostics);
        }
    }

    private void writeJar(Path classes, Path jar) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> mf.getMainAttributes().put(new Attributes.Name(k), v));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
            }
            for (Path file : files) {
                put(out, classes.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
            for (Map.Entry<String, List<String>> service : services.entrySet()) {
                put(out, "META-INF/services/" + service.getKey(),
                        (String.join("\n", service.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
                put(out, resource.getKey(), resource.getValue());
            }
        }
    }

    private static void put(JarOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content);
        out.closeEntry();
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
