package dev.genlab.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genlab.api.DataShape;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {

    @TempDir
    Path plugins;

    /** A complete, minimal paradigm plugin: samples are all {@code fill}, one loss of value 0.5. */
    static String paradigmSource(String pkg, String name, String apiVersionExpr) {
        return """
                package %1$s;

                import ai.djl.ndarray.NDManager;
                import dev.genlab.api.*;
                import java.io.*;
                import java.util.Map;

                public class Provider implements ParadigmProvider {
                    public String name() { return "%2$s"; }
                    public String description() { return "test paradigm %2$s"; }
                    public ParamSchema parameters() {
                        return ParamSchema.builder().addDouble("fill", 1.0, -10, 10, "sample value").build();
                    }
                    public int apiVersion() { return %3$s; }
                    public Paradigm create(ParadigmSetup setup) {
                        double fill = setup.params().getDouble("fill");
                        NDManager manager = setup.manager();
                        DataShape shape = setup.shape();
                        return new Paradigm() {
                            public StepResult trainStep(Batch batch) { return StepResult.of("loss", 0.5); }
                            public Samples sample(SampleRequest r) {
                                return new Samples(manager.ones(shape.batchShape(r.n())).mul(fill), null, 1);
                            }
                            public Map<String, Long> parameterCounts() { return Map.of("net", 7L); }
                            public void save(OutputStream out) {}
                            public void load(InputStream in) {}
                            public void close() {}
                        };
                    }
                }
                """.formatted(pkg, name, apiVersionExpr);
    }

    static Path paradigmJar(Path dir, String jarName, String pkg, String name) {
        return PluginJarBuilder.create(dir, jarName)
                .source(pkg + ".Provider", paradigmSource(pkg, name, "GenlabApi.VERSION"))
                .service(ParadigmProvider.class, pkg + ".Provider")
                .manifest("Implementation-Version", "1.2.3")
                .build();
    }

    @Test
    void loadsAPluginJarWhoseProviderCreatesAWorkingParadigm() throws Exception {
        Path jar = paradigmJar(plugins, "hello.jar", "com.example.hello", "hello");

        PluginRegistry registry = new PluginLoader().load(List.of(plugins));

        ParadigmProvider provider = registry.paradigm("hello").orElseThrow();
        assertInstanceOf(PluginClassLoader.class, ContextLoaderProxy.unwrap(provider).getClass().getClassLoader());
        PluginOrigin origin = registry.origin(provider);
        assertEquals(jar.toAbsolutePath(), origin.jar());
        assertEquals("1.2.3", origin.version());
        assertEquals(PluginLoader.sha256(jar), origin.sha256());
        assertEquals(64, origin.sha256().length());

        try (NDManager manager = NDManager.newBaseManager()) {
            ParadigmSetup setup = new ParadigmSetup(new Params(Map.of("fill", 2.5)), DataShape.points(2),
                    manager, Device.cpu(), 0L, new Random(0));
            try (Paradigm paradigm = provider.create(setup)) {
                Samples samples = paradigm.sample(SampleRequest.of(3));
                assertEquals(new Shape(3, 2), samples.data().getShape());
                assertEquals(2.5f, samples.data().getFloat(2, 1));
                assertEquals(Map.of("net", 7L), paradigm.parameterCounts());
            }
        }
    }

    @Test
    void theSameDirectoryTwiceLoadsEachPluginOnce() {
        paradigmJar(plugins, "once.jar", "com.example.once", "once");
        PluginRegistry registry = new PluginLoader().load(List.of(plugins, plugins.resolve("..").resolve(
                plugins.getFileName())));
        assertTrue(registry.paradigm("once").isPresent());
    }

    @Test
    void builtinsComeFromTheClassPathWithoutJarOrigin() {
        PluginRegistry registry = new PluginLoader().loadBuiltins();
        DatasetProvider ring8 = registry.dataset("ring8").orElseThrow();
        assertSame(PluginOrigin.CLASS_PATH, registry.origin(ring8));
        assertTrue(registry.metric("modes").isPresent());
    }

    @Test
    void pluginSeesTheApiAndDjlButNotGenlabInternalsOrGuice() throws Exception {
        paradigmJar(plugins, "iso.jar", "com.example.iso", "iso");
        ParadigmProvider provider = new PluginLoader().load(List.of(plugins)).paradigm("iso").orElseThrow();
        ClassLoader loader = ContextLoaderProxy.unwrap(provider).getClass().getClassLoader();

        // Shared classes are the very same Class objects as the application's.
        assertSame(NDArray.class, Class.forName("ai.djl.ndarray.NDArray", false, loader));
        assertSame(Paradigm.class, Class.forName("dev.genlab.api.Paradigm", false, loader));
        assertSame(org.apache.logging.log4j.LogManager.class,
                Class.forName("org.apache.logging.log4j.LogManager", false, loader));
        assertSame(String.class, Class.forName("java.lang.String", false, loader));
        assertSame(java.sql.Timestamp.class, Class.forName("java.sql.Timestamp", false, loader));

        // Present on the application class path, but not exposed.
        Class.forName("com.google.inject.Guice"); // sanity: the test itself can see it
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.google.inject.Guice", false, loader));
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("dev.genlab.core.plugin.PluginLoader", false, loader));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.yaml.snakeyaml.Yaml", false, loader));
        assertEquals(null, loader.getResource("dev/genlab/core/plugin/PluginLoader.class"));
    }

    @Test
    void eachPluginUsesTheLibraryVersionItBundles() throws Exception {
        // Two plugins bundle conflicting copies of the same class; one also shadows SnakeYAML's Yaml.
        for (String v : List.of("1", "2")) {
            PluginJarBuilder.create(plugins, "p" + v + ".jar")
                    .source("com.acme.lib.Util", "package com.acme.lib; public class Util {"
                            + " public static String version() { return \"" + v + "\"; } }")
                    .source("org.yaml.snakeyaml.Yaml", "package org.yaml.snakeyaml; public class Yaml {}")
                    .source("com.example.p" + v + ".Provider",
                            paradigmSource("com.example.p" + v, "p" + v, "GenlabApi.VERSION"))
                    .service(ParadigmProvider.class, "com.example.p" + v + ".Provider")
                    .build();
        }
        PluginRegistry registry = new PluginLoader().load(List.of(plugins));
        for (String v : List.of("1", "2")) {
            ClassLoader loader = ContextLoaderProxy.unwrap(registry.paradigm("p" + v).orElseThrow()).getClass().getClassLoader();
            Class<?> util = Class.forName("com.acme.lib.Util", true, loader);
            assertEquals(v, util.getMethod("version").invoke(null));
            Class<?> yaml = Class.forName("org.yaml.snakeyaml.Yaml", false, loader);
            assertSame(loader, yaml.getClassLoader());
            assertNotSame(org.yaml.snakeyaml.Yaml.class, yaml);
        }
    }

    @Test
    void aPluginDirectoryLoadsAllItsJarsInOneClassLoader() throws Exception {
        Path dir = Files.createDirectories(plugins.resolve("withlib"));
        Path lib = PluginJarBuilder.create(dir, "lib.jar")
                .source("com.acme.lib.Greeting", "package com.acme.lib; public class Greeting {"
                        + " public static double fill() { return 4.0; } }")
                .build();
        String code = paradigmSource("com.example.withlib", "withlib", "GenlabApi.VERSION")
                .replace("double fill = setup.params().getDouble(\"fill\");",
                        "double fill = com.acme.lib.Greeting.fill();");
        Path main = PluginJarBuilder.create(dir, "main.jar")
                .source("com.example.withlib.Provider", code)
                .service(ParadigmProvider.class, "com.example.withlib.Provider")
                .classpath(lib)
                .build();

        PluginRegistry registry = new PluginLoader().load(List.of(plugins));
        ParadigmProvider provider = registry.paradigm("withlib").orElseThrow();
        assertEquals(main.toAbsolutePath(), registry.origin(provider).jar());
        assertEquals("unknown", registry.origin(provider).version());
        try (NDManager manager = NDManager.newBaseManager();
                Paradigm p = provider.create(new ParadigmSetup(new Params(Map.of()), DataShape.points(1), manager,
                        Device.cpu(), 0L, new Random(0)))) {
            assertEquals(4.0f, p.sample(SampleRequest.of(1)).data().getFloat(0, 0));
        }
    }

    @Test
    void pluginBuiltAgainstTheOldestSupportedApiStillLoads() {
        PluginJarBuilder.create(plugins, "old.jar")
                .source("com.example.old.Provider", paradigmSource("com.example.old", "old",
                        Integer.toString(GenlabApi.OLDEST_SUPPORTED)))
                .service(ParadigmProvider.class, "com.example.old.Provider")
                .build();

        PluginRegistry registry = new PluginLoader().load(List.of(plugins));
        assertTrue(registry.paradigm("old").isPresent());
    }

    @Test
    void wrongApiVersionIsRejectedNamingTheJar() {
        PluginJarBuilder.create(plugins, "future.jar")
                .source("com.example.future.Provider", paradigmSource("com.example.future", "future",
                        Integer.toString(GenlabApi.VERSION + 1)))
                .service(ParadigmProvider.class, "com.example.future.Provider")
                .build();

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(plugins)));
        assertTrue(e.getMessage().contains("future.jar"), e.getMessage());
        assertTrue(e.getMessage().contains("'future'"), e.getMessage());
        assertTrue(e.getMessage().contains("built for genlab API v" + (GenlabApi.VERSION + 1)
                + "; this genlab loads v" + GenlabApi.OLDEST_SUPPORTED + " to v" + GenlabApi.VERSION), e.getMessage());
        assertTrue(e.getMessage().contains("rebuild it against"), e.getMessage());
    }

    @Test
    void corruptJarIsRejectedNamingIt() throws Exception {
        byte[] junk = new byte[2048];
        new Random(42).nextBytes(junk);
        Files.write(plugins.resolve("broken.jar"), junk);

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(plugins)));
        assertEquals(1, e.problems().size());
        assertTrue(e.getMessage().contains("broken.jar"), e.getMessage());
        assertTrue(e.getMessage().contains("not a valid jar"), e.getMessage());
    }

    @Test
    void duplicateNamesAreRejectedNamingBothJars() {
        paradigmJar(plugins, "first.jar", "com.example.one", "twin");
        paradigmJar(plugins, "second.jar", "com.example.two", "twin");

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(plugins)));
        assertTrue(e.getMessage().contains("'twin'"), e.getMessage());
        assertTrue(e.getMessage().contains("first.jar"), e.getMessage());
        assertTrue(e.getMessage().contains("second.jar"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.one.Provider"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.two.Provider"), e.getMessage());
    }

    @Test
    void aPluginMayNotTakeTheNameOfABuiltin() {
        String code = """
                package com.example.fake;
                import dev.genlab.api.*;
                public class Ring implements DatasetProvider {
                    public String name() { return "ring8"; }
                    public String description() { return "impostor"; }
                    public ParamSchema parameters() { return ParamSchema.empty(); }
                    public int apiVersion() { return GenlabApi.VERSION; }
                    public Dataset load(DatasetSetup setup) { throw new UnsupportedOperationException(); }
                }
                """;
        PluginJarBuilder.create(plugins, "impostor.jar").source("com.example.fake.Ring", code)
                .service(DatasetProvider.class, "com.example.fake.Ring").build();

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(plugins)));
        assertTrue(e.getMessage().contains("two dataset plugins are named 'ring8'"), e.getMessage());
        assertTrue(e.getMessage().contains("application class path"), e.getMessage());
        assertTrue(e.getMessage().contains("impostor.jar"), e.getMessage());
    }

    @Test
    void jarWithoutServiceEntriesIsRejected() {
        PluginJarBuilder.create(plugins, "empty.jar")
                .source("com.example.Nothing", "package com.example; public class Nothing {}")
                .build();

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(plugins)));
        assertTrue(e.getMessage().contains("empty.jar"), e.getMessage());
        assertTrue(e.getMessage().contains("declares no genlab service"), e.getMessage());
    }

    @Test
    void missingAndFailingServiceClassesAreReportedTogether() {
        PluginJarBuilder.create(plugins, "ghost.jar")
                .service(ParadigmProvider.class, "com.example.DoesNotExist")
                .build();
        String failing = paradigmSource("com.example.boom", "boom", "GenlabApi.VERSION")
                .replace("public class Provider implements ParadigmProvider {",
                        "public class Provider implements ParadigmProvider {\n"
                                + "    public Provider() { throw new IllegalStateException(\"kaboom\"); }");
        PluginJarBuilder.create(plugins, "boom.jar")
                .source("com.example.boom.Provider", failing)
                .service(ParadigmProvider.class, "com.example.boom.Provider")
                .build();

        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(plugins)));
        assertEquals(2, e.problems().size(), e.getMessage());
        String boom = e.problems().get(0);
        String ghost = e.problems().get(1);
        assertTrue(boom.contains("boom.jar") && boom.contains("kaboom"), boom);
        assertTrue(ghost.contains("ghost.jar") && ghost.contains("com.example.DoesNotExist"), ghost);
    }

    @Test
    void aMissingPluginsDirectoryIsAnError() {
        Path missing = plugins.resolve("nope");
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> new PluginLoader().load(List.of(missing)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void otherFilesAndEmptyDirectoriesAreIgnored() throws Exception {
        Files.writeString(plugins.resolve("README.txt"), "not a plugin");
        Files.createDirectories(plugins.resolve("empty-dir"));
        PluginRegistry registry = new PluginLoader().load(List.of(plugins));
        assertEquals(new PluginLoader().loadBuiltins().paradigms().size(), registry.paradigms().size());
        assertTrue(registry.dataset("ring8").isPresent());
    }

    @Test
    void everyCallIntoAPluginRunsWithItsClassLoaderAsContextLoader() throws Exception {
        // The paradigm reports the context class loader it sees in each call, as a loss value: 1 when it is the
        // plugin's own loader, 0 otherwise; sample() and a capability check do the same through fill/labels.
        String source = paradigmSource("com.example.ctx", "ctx", "GenlabApi.VERSION")
                .replace("public StepResult trainStep(Batch batch) { return StepResult.of(\"loss\", 0.5); }",
                        "public StepResult trainStep(Batch batch) { return StepResult.of(\"loss\","
                                + " Thread.currentThread().getContextClassLoader() == Provider.class.getClassLoader()"
                                + " ? 1.0 : 0.0); }")
                .replace("double fill = setup.params().getDouble(\"fill\");",
                        "double fill = Thread.currentThread().getContextClassLoader() == Provider.class.getClassLoader()"
                                + " ? 3.0 : -3.0;");
        PluginJarBuilder.create(plugins, "ctx.jar").source("com.example.ctx.Provider", source)
                .service(ParadigmProvider.class, "com.example.ctx.Provider").build();
        ParadigmProvider provider = new PluginLoader().load(List.of(plugins)).paradigm("ctx").orElseThrow();
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (NDManager manager = NDManager.newBaseManager()) {
            ParadigmSetup setup = new ParadigmSetup(new Params(Map.of("fill", 0.0)), DataShape.points(2),
                    manager, Device.cpu(), 0L, new Random(0));
            try (Paradigm paradigm = provider.create(setup)) {
                assertEquals(3.0f, paradigm.sample(SampleRequest.of(1)).data().getFloat(0, 0), "create() ran outside the plugin's loader");
                assertEquals(1.0, paradigm.trainStep(null).values().get("loss"), "trainStep() ran outside the plugin's loader");
                assertTrue(paradigm.capability(Paradigm.class).isPresent());
            }
        }
        assertSame(before, Thread.currentThread().getContextClassLoader(), "the caller's context loader is restored");
    }

    @Test
    void aPluginBuiltAgainstAnotherDjlIsRejectedNamingBothVersions() {
        PluginJarBuilder.create(plugins, "olddjl.jar")
                .source("com.example.old.Provider", paradigmSource("com.example.old", "olddjl", "GenlabApi.VERSION"))
                .service(ParadigmProvider.class, "com.example.old.Provider")
                .manifest(PluginLoader.DJL_VERSION_ATTRIBUTE, "0.28.0")
                .build();
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> new PluginLoader().load(List.of(plugins)));
        assertTrue(e.getMessage().contains("olddjl.jar was built against DJL 0.28.0, but this genlab runs DJL "
                + PluginLoader.RUNTIME_DJL), e.getMessage());
        assertTrue(e.getMessage().contains("rebuild the plugin against ai.djl:api"), e.getMessage());
    }

    @Test
    void aPluginBuiltAgainstThisDjlLoads() {
        PluginJarBuilder.create(plugins, "samedjl.jar")
                .source("com.example.same.Provider", paradigmSource("com.example.same", "samedjl", "GenlabApi.VERSION"))
                .service(ParadigmProvider.class, "com.example.same.Provider")
                .manifest(PluginLoader.DJL_VERSION_ATTRIBUTE, PluginLoader.RUNTIME_DJL)
                .build();
        assertTrue(new PluginLoader().load(List.of(plugins)).paradigm("samedjl").isPresent());
        assertTrue(PluginLoader.sameMinor("0.36.1", "0.36.0"));
        assertTrue(!PluginLoader.sameMinor("0.35.0", "0.36.0"));
    }
}
