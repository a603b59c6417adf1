package dev.genlab.core.spec;

import static dev.genlab.core.spec.SpecLoaderErrorsTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid specs: composition, overrides, interpolation and defaults produce the expected records. */
class SpecLoaderTest {

    private static final Map<String, String> ENV = Map.of("USER_TAG", "abc", "RUN_NAME", "123", "SEED", "5",
            "STEPS", "250", "LATENT", "16", "GENLAB_TEST_RUNS", "/tmp/runs");

    private final SpecLoader loader = new SpecLoader(SpecTestPlugins.registry(), ENV::get);

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void extendsMergesMapsReplacesListsAndInterpolatesEnvironment() throws SpecException {
        Path file = spec("valid/child.yaml");
        ExperimentSpec s = loader.load(file);

        assertEquals("child-abc", s.name());
        assertEquals(7L, s.seed(), "inherited from base.yaml");
        assertEquals(new DatasetSpec("ring8", map("n", 5000L, "std", 0.02)), s.dataset());
        assertEquals(new TrainSpec(300, 64, 100, 10), s.train(), "base steps/batch, child eval_every, default log");
        assertEquals(new EvaluateSpec(500, List.of("prdc", "modes")), s.evaluate());
        assertEquals(List.of(
                new ParadigmSpec("gan", "gan", map("lr", 1e-3, "loss", "hinge", "d_steps", 1L, "spectral_norm", false)),
                new ParadigmSpec("beta-vae", "vae", map("beta", 4.0, "latent_dim", 8L)),
                new ParadigmSpec("diffusion", "diffusion", map("timesteps", 1000L, "sampler", "ddpm", "lr", 1e-3))),
                s.paradigms());
        assertEquals(new SweepSpec(List.of(0L, 1L), SweepMethod.GRID, 0,
                Map.of("gan.lr", new SweepAxis.Values(List.of(1e-4, 2e-4)))), s.sweep());
        // ${env:MLFLOW_URI:-} is empty, which means "no server"; the base's local_dir came from the env.
        assertEquals(new TrackingSpec(null, null, "/tmp/runs"), s.tracking());
        assertEquals(file, s.source());
    }

    @Test
    void valuesAreNormalisedToTheSchemaTypes() throws SpecException {
        ExperimentSpec s = loader.load(spec("valid/child.yaml"));
        Map<String, Object> vae = s.paradigms().get(1).params();
        assertEquals(Double.class, vae.get("beta").getClass(), "beta: 4 is written as an int");
        assertEquals(Long.class, vae.get("latent_dim").getClass());
        assertEquals(Boolean.class, s.paradigms().get(0).params().get("spectral_norm").getClass());
        assertEquals(List.of("lr", "loss", "d_steps", "spectral_norm"),
                List.copyOf(s.paradigms().get(0).params().keySet()), "complete, in schema order");
    }

    @Test
    void overridesApplyAfterExtendsToSectionsParadigmsAndSweeps() throws SpecException {
        ExperimentSpec s = loader.load(spec("valid/child.yaml"), List.of(
                "train.steps=500", "gan.lr=5e-4", "beta-vae.latent_dim=16", "diffusion.sampler=ddim",
                "dataset.params.n=100", "sweep.seeds=[3]", "sweep.parameters.gan.lr=[1e-5, 3e-5]",
                "evaluate.metrics=[frechet]", "seed=11", "name=renamed", "tracking.uri=http://mlflow:5000"));
        assertEquals("renamed", s.name());
        assertEquals(11L, s.seed());
        assertEquals(500, s.train().steps());
        assertEquals(64, s.train().batchSize());
        assertEquals(5e-4, s.paradigms().get(0).params().get("lr"));
        assertEquals("hinge", s.paradigms().get(0).params().get("loss"), "other params untouched");
        assertEquals(16L, s.paradigms().get(1).params().get("latent_dim"));
        assertEquals("ddim", s.paradigms().get(2).params().get("sampler"), "shorthand entry - diffusion");
        assertEquals(map("n", 100L, "std", 0.02), s.dataset().params());
        assertEquals(List.of(3L), s.sweep().seeds());
        assertEquals(new SweepAxis.Values(List.of(1e-5, 3e-5)), s.sweep().parameters().get("gan.lr"));
        assertEquals(List.of("frechet"), s.evaluate().metrics());
        assertEquals("http://mlflow:5000", s.tracking().uri());
    }

    @Test
    void interpolatedValuesAreTypedByWhatTheyExpandTo() throws SpecException {
        ExperimentSpec s = loader.load(spec("valid/env-typed.yaml"));
        assertEquals("123", s.name(), "a string key reads the text even if it looks like a number");
        assertEquals(5L, s.seed());
        assertEquals(250, s.train().steps(), "quoted \"${env:STEPS}\" still becomes an integer");
        assertEquals(map("beta", 0.5, "latent_dim", 16L), s.paradigms().get(0).params(), "default after :-");
        assertEquals("/data/${x}.bin", s.dataset().params().get("path"), "$${ writes a literal ${");
    }

    @Test
    void shorthandsAndDefaults() throws SpecException {
        ExperimentSpec s = loader.load(spec("valid/minimal.yaml"), List.of("dataset.params.n=10"));
        assertEquals(0L, s.seed());
        assertEquals(new DatasetSpec("ring8", map("n", 10L, "std", 0.01)), s.dataset());
        assertEquals(TrainSpec.DEFAULTS, s.train());
        assertEquals(EvaluateSpec.DEFAULTS, s.evaluate());
        assertEquals(List.of(new ParadigmSpec("gan", "gan",
                map("lr", 2e-4, "loss", "non_saturating", "d_steps", 1L, "spectral_norm", false))), s.paradigms());
        assertEquals(SweepSpec.NONE, s.sweep());
        assertEquals(TrackingSpec.DEFAULTS, s.tracking());
    }

    @Test
    void randomSweepDistributionsAreParsed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("random.yaml");
        Files.writeString(file, String.join("\n",
                "name: random",
                "dataset: ring8",
                "paradigms: [gan, vae]",
                "sweep:",
                "  method: random",
                "  trials: 6",
                "  parameters:",
                "    gan.lr: {log_uniform: [1.0e-5, 1.0e-2]}",
                "    gan.loss: {choice: [hinge, wasserstein]}",
                "    vae.beta: {uniform: [0.5, 4]}",
                "    vae.latent_dim: {int: [2, 16]}",
                "    train.batch_size: [32, 64]",
                ""));
        SweepSpec sweep = loader.load(file).sweep();
        assertEquals(SweepMethod.RANDOM, sweep.method());
        assertEquals(6, sweep.trials());
        assertEquals(List.of("gan.lr", "gan.loss", "vae.beta", "vae.latent_dim", "train.batch_size"),
                List.copyOf(sweep.parameters().keySet()));
        assertEquals(new SweepAxis.LogUniform(1e-5, 1e-2), sweep.parameters().get("gan.lr"));
        assertEquals(new SweepAxis.Values(List.of("hinge", "wasserstein")), sweep.parameters().get("gan.loss"));
        assertEquals(new SweepAxis.Uniform(0.5, 4.0), sweep.parameters().get("vae.beta"));
        assertEquals(new SweepAxis.IntRange(2, 16), sweep.parameters().get("vae.latent_dim"));
        assertEquals(new SweepAxis.Values(List.of(32L, 64L)), sweep.parameters().get("train.batch_size"));
    }

    @Test
    void resolvedYamlLoadsBackIntoTheSameSpec(@TempDir Path dir) throws Exception {
        ExperimentSpec original = loader.load(spec("valid/child.yaml"), List.of("gan.spectral_norm=true"));
        String yaml = loader.resolvedYaml(original);
        assertTrue(yaml.startsWith("# genlab spec, fully resolved"), yaml);
        assertTrue(yaml.contains("spectral_norm: true"), yaml);
        Path copy = dir.resolve("spec.yaml");
        Files.writeString(copy, yaml);
        ExperimentSpec again = new SpecLoader(SpecTestPlugins.registry(), k -> null).load(copy);
        assertEquals(withSource(original, copy), again);
    }

    @Test
    void resolvedYamlOfARandomSweepLoadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.yaml");
        Files.writeString(file, "name: r\ndataset: ring8\nparadigms: [vae]\n"
                + "sweep: {method: random, trials: 3, parameters: {vae.beta: {uniform: [0.5, 4]},"
                + " vae.latent_dim: {int: [2, 16]}}}\ntracking: {experiment: exp}\n");
        ExperimentSpec original = loader.load(file);
        Path copy = dir.resolve("copy.yaml");
        Files.writeString(copy, loader.resolvedYaml(original));
        assertEquals(withSource(original, copy), loader.load(copy));
        assertEquals("exp", original.tracking().experiment());
    }

    @Test
    void aParadigmNamedLikeASectionIsRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reserved.yaml");
        Files.writeString(file, "name: r\ndataset: ring8\nparadigms:\n  - {name: train, plugin: gan}\n"
                + "  - {name: my.gan, plugin: gan}\n");
        SpecException e = assertThrows(SpecException.class, () -> loader.load(file));
        assertEquals(List.of("paradigms[0].name: 'train' is reserved for the spec section train:",
                "paradigms[1].name: 'my.gan' is not a valid paradigm name"),
                e.errors().stream().map(SpecError::message).toList());
        assertEquals(4, e.errors().get(0).line());
        assertEquals(12, e.errors().get(0).column());
    }

    @Test
    void nullInAChildDropsTheInheritedSection(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("base.yaml"), "sweep: {seeds: [1, 2]}\ntrain: {steps: 9}\n");
        Path child = dir.resolve("child.yaml");
        Files.writeString(child, "extends: [base.yaml]\nname: c\ndataset: ring8\nparadigms: [gan]\nsweep: null\n");
        ExperimentSpec s = loader.load(child);
        assertEquals(SweepSpec.NONE, s.sweep());
        assertEquals(9, s.train().steps());
    }

    @Test
    void laterBasesWinOverEarlierOnes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "train: {steps: 1, batch_size: 8}\n");
        Files.writeString(dir.resolve("b.yaml"), "train: {steps: 2}\n");
        Path child = dir.resolve("c.yaml");
        Files.writeString(child, "extends: [a.yaml, b.yaml]\nname: c\ndataset: ring8\nparadigms: [gan]\n");
        ExperimentSpec s = loader.load(child);
        assertEquals(2, s.train().steps());
        assertEquals(8, s.train().batchSize());
        assertNull(s.tracking().uri());
    }

    @Test
    void errorsInABaseFilePointIntoTheBase(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, "# base\ntrain:\n  steps: many\n");
        Path child = dir.resolve("child.yaml");
        Files.writeString(child, "extends: base.yaml\nname: c\ndataset: ring8\nparadigms: [gan]\n");
        SpecException e = assertThrows(SpecException.class, () -> loader.load(child));
        assertEquals(1, e.errors().size());
        SpecError error = e.errors().get(0);
        assertEquals(base, error.file());
        assertEquals(3, error.line());
        assertEquals(10, error.column());
        assertEquals("train.steps: expected an integer, got 'many'", error.message());
    }

    private static ExperimentSpec withSource(ExperimentSpec s, Path source) {
        return new ExperimentSpec(s.name(), s.seed(), s.dataset(), s.train(), s.evaluate(), s.paradigms(), s.sweep(),
                s.tracking(), source);
    }
}
