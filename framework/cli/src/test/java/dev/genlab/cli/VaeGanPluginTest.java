package dev.genlab.cli;

import static dev.genlab.cli.CliEndToEndTest.genlab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.api.ParadigmProvider;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginJarBuilder;
import dev.genlab.nn.Parameters;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vaegan plugin as a third party would ship it: its sources compiled against genlab-api, the DJL API and
 * genlab-nn alone into a jar, put with the genlab-nn jar it bundles into one plugin folder inside a plugins
 * folder, and trained from a YAML spec through the CLI.
 */
class VaeGanPluginTest {

    private static final Path SOURCES = CliEndToEndTest.REPO.resolve("plugins/vaegan/src/main/java");
    private static final String PROVIDER = "dev.genlab.plugin.vaegan.VaeGanProvider";

    @TempDir
    Path tmp;

    @Test
    void theVaeGanJarRunsFromAPluginsFolder() throws Exception {
        // Not on the CLI's classpath: only the jar can provide it.
        assertThrows(ClassNotFoundException.class, () -> Class.forName(PROVIDER));
        Path plugins = buildJar(tmp.resolve("plugins"));

        CliEndToEndTest.Outcome listed = genlab("plugins", "vaegan", "--plugins-dir", plugins.toString());
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().contains("gamma") && listed.out().contains("kl_weight"), listed.out());

        Path spec = tmp.resolve("vaegan.yaml");
        Files.writeString(spec, """
                name: vaegan-third-party
                dataset: {name: ring8, params: {n: 4000}}
                train: {steps: 40, batch_size: 64, log_every: 10}
                evaluate: {samples: 500, metrics: [modes, speed]}
                paradigms:
                  - {name: vaegan, plugin: vaegan, params: {latent_dim: 2, hidden: 32, gamma: 0.5}}
                """);
        Path store = tmp.resolve("runs");
        CliEndToEndTest.Outcome run = genlab("run", spec.toString(), "--plugins-dir", plugins.toString(), "--store",
                store.toString(), "--quiet");
        assertEquals(0, run.code(), run.err());

        RunRecord trial = new LocalRunStore(store).readRuns("vaegan-third-party").stream()
                .filter(r -> r.parentRunId() != null).findFirst().orElseThrow();
        assertEquals(RunStatus.FINISHED, trial.status());
        assertEquals("test", trial.tags().get("genlab.plugin.version"));
        assertTrue(trial.tags().get("genlab.plugin.source").endsWith("genlab-plugin-vaegan-test.jar"),
                trial.tags().toString());
        for (String loss : List.of("loss_d", "loss_enc", "loss_dec", "kl", "recon_feat")) {
            assertEquals(4, trial.history("train/" + loss).size(), loss);
        }
        // No step value is called "loss": the decoder's (the generator's) loss is the headline train/loss.
        assertEquals(trial.history("train/loss_dec").stream().map(p -> p.value()).toList(),
                trial.history(MetricKeys.TRAIN_LOSS).stream().map(p -> p.value()).toList());
        for (String count : List.of("params_encoder", "params_decoder", "params_discriminator", "modes_covered")) {
            assertTrue(trial.latestValue(MetricKeys.eval(count)).isPresent(), count + " in " + trial.metrics().keySet());
        }
    }

    /**
     * Compiles the vaegan plugin's sources against genlab-api, the DJL API and genlab-nn only, into a jar, and
     * lays out a plugins folder as the plugin's build does: {@code plugins/vaegan/} holding that jar and the
     * genlab-nn jar it bundles (a folder of jars is one plugin; jars directly in the plugins folder would each
     * be a plugin of their own).
     *
     * @param plugins the plugins folder to create
     * @return the folder
     */
    static Path buildJar(Path plugins) throws IOException {
        Path folder = Files.createDirectories(plugins.resolve("vaegan"));
        Path nn = PluginJarBuilder.locate(Parameters.class);
        PluginJarBuilder jar = PluginJarBuilder.create(folder, "genlab-plugin-vaegan-test.jar")
                .service(ParadigmProvider.class, PROVIDER)
                .manifest("Implementation-Version", "test")
                .classpath(nn);
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = SOURCES.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                jar.source(name, Files.readString(file));
            }
        }
        jar.build();
        bundle(nn, folder, "genlab-nn-test.jar");
        return plugins;
    }

    /** Copies a library jar into the plugin folder, or packs it first when the build gives a classes folder. */
    private static void bundle(Path library, Path folder, String jarName) throws IOException {
        if (Files.isRegularFile(library)) {
            Files.copy(library, folder.resolve(jarName));
            return;
        }
        PluginJarBuilder jar = PluginJarBuilder.create(folder, jarName);
        try (Stream<Path> files = Files.walk(library)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                jar.resource(library.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        jar.build();
    }
}
