package dev.genlab.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.spec.SpecTestPlugins;
import dev.genlab.core.spec.SpecWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepPlannerTest {

    private final SpecLoader loader = new SpecLoader(SpecTestPlugins.registry(), k -> null);
    private final SweepPlanner planner = new SweepPlanner(new TrialHasher());

    @TempDir
    Path dir;

    private ExperimentSpec write(String yaml, String... overrides) throws Exception {
        Path file = Files.createTempFile(dir, "spec", ".yaml");
        Files.writeString(file, yaml);
        return loader.load(file, List.of(overrides));
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(SweepPlannerTest.class.getResource("/specs/" + name).toURI());
    }

    private static final String GRID = String.join("\n",
            "name: grid",
            "dataset: {name: ring8, params: {n: 1000}}",
            "paradigms: [gan, vae]",
            "sweep:",
            "  seeds: [0, 1, 2]",
            "  parameters:",
            "    train.steps: [100, 200, 300]",
            "    train.batch_size: [16, 32, 64]",
            "");

    @Test
    void gridOfTwoSharedAxesTimesParadigmsTimesSeeds() throws Exception {
        List<Trial> trials = planner.plan(write(GRID));
        assertEquals(3 * 3 * 2 * 3, trials.size());
        for (int i = 0; i < trials.size(); i++) {
            assertEquals(i, trials.get(i).index());
        }
        // Order: paradigm, then the first axis outermost, then seeds innermost.
        Trial first = trials.get(0);
        assertEquals("gan", first.paradigm());
        assertEquals(Map.of("train.steps", 100L, "train.batch_size", 16L), first.swept());
        assertEquals(100, first.train().steps());
        assertEquals(16, first.train().batchSize());
        assertEquals(List.of(0L, 1L, 2L), trials.subList(0, 3).stream().map(Trial::seed).toList());
        assertEquals(32, trials.get(3).train().batchSize());
        assertEquals(200, trials.get(9).train().steps());
        assertEquals("vae", trials.get(27).paradigm());
        assertEquals("gan train.steps=100 train.batch_size=16 seed=0", first.runName());
        assertEquals(trials.size(), trials.stream().map(Trial::hash).distinct().count(), "all configs differ");
    }

    @Test
    void paradigmAxesApplyOnlyToTheirParadigm() throws Exception {
        List<Trial> trials = planner.plan(write(GRID.replace("train.batch_size", "gan.lr")
                .replace("[16, 32, 64]", "[1.0e-4, 2.0e-4, 5.0e-4]")));
        long gan = trials.stream().filter(t -> t.paradigm().equals("gan")).count();
        long vae = trials.stream().filter(t -> t.paradigm().equals("vae")).count();
        assertEquals(3 * 3 * 3, gan);
        assertEquals(3 * 3, vae);
        assertTrue(trials.stream().filter(t -> t.paradigm().equals("vae"))
                .allMatch(t -> t.swept().keySet().equals(Set.of("train.steps"))));
        Set<Object> lrs = trials.stream().filter(t -> t.paradigm().equals("gan")).map(t -> t.params().get("lr"))
                .collect(Collectors.toSet());
        assertEquals(Set.of(1e-4, 2e-4, 5e-4), lrs);
        assertEquals("gan train.steps=100 lr=1.0E-4 seed=0", trials.get(0).runName());
        assertEquals("vae train.steps=100 seed=0", trials.get(27).runName());
    }

    @Test
    void withoutASweepEachParadigmRunsOnceWithTheSpecSeed() throws Exception {
        List<Trial> trials = planner.plan(write("name: one\nseed: 42\ndataset: ring8\nparadigms: [gan, vae]\n"));
        assertEquals(2, trials.size());
        assertEquals(List.of(42L, 42L), trials.stream().map(Trial::seed).toList());
        assertEquals("gan seed=42", trials.get(0).runName());
        assertEquals(Map.of(), trials.get(0).swept());
    }

    private static final String RANDOM = String.join("\n",
            "name: random",
            "seed: 5",
            "dataset: ring8",
            "paradigms: [gan, vae]",
            "sweep:",
            "  method: random",
            "  trials: 40",
            "  parameters:",
            "    gan.lr: {log_uniform: [1.0e-5, 1.0e-2]}",
            "    gan.loss: {choice: [hinge, wasserstein]}",
            "    vae.beta: {uniform: [0.5, 4]}",
            "    vae.latent_dim: {int: [2, 5]}",
            "    train.steps: [100, 200]",
            "");

    @Test
    void randomDrawsStayWithinTheirBoundsAndCoverThem() throws Exception {
        List<Trial> trials = planner.plan(write(RANDOM));
        assertEquals(80, trials.size());
        Set<Object> losses = new HashSet<>();
        Set<Object> latents = new HashSet<>();
        double minLr = 1;
        double maxLr = 0;
        for (Trial t : trials) {
            if (t.paradigm().equals("gan")) {
                double lr = (Double) t.params().get("lr");
                assertTrue(lr >= 1e-5 && lr <= 1e-2, "lr " + lr);
                minLr = Math.min(minLr, lr);
                maxLr = Math.max(maxLr, lr);
                losses.add(t.params().get("loss"));
                assertEquals(Set.of("gan.lr", "gan.loss", "train.steps"), t.swept().keySet());
            } else {
                double beta = (Double) t.params().get("beta");
                assertTrue(beta >= 0.5 && beta <= 4.0, "beta " + beta);
                Object latent = t.params().get("latent_dim");
                assertEquals(Long.class, latent.getClass());
                latents.add(latent);
            }
            assertTrue(Set.of(100, 200).contains(t.train().steps()));
        }
        assertEquals(Set.of("hinge", "wasserstein"), losses);
        assertEquals(Set.of(2L, 3L, 4L, 5L), latents, "40 draws hit every integer of [2, 5]");
        assertTrue(minLr < 1e-4 && maxLr > 1e-3, "log-uniform spreads over decades: " + minLr + ".." + maxLr);
    }

    private static final Object GOLDEN_FIRST_LR = 3.28596e-5;

    @Test
    void randomDrawsAreReproducibleAndDependOnTheSpecSeed() throws Exception {
        List<Trial> a = planner.plan(write(RANDOM));
        List<Trial> b = planner.plan(write(RANDOM));
        assertEquals(a, b, "same spec, same plan");
        List<Trial> other = planner.plan(write(RANDOM.replace("seed: 5", "seed: 6")));
        assertNotEquals(a.stream().map(Trial::params).toList(), other.stream().map(Trial::params).toList());
        // A golden value pins the draws across JVM runs and versions (java.util.Random is specified).
        assertEquals(GOLDEN_FIRST_LR, a.get(0).params().get("lr"));
    }

    @Test
    void addingAnAxisDoesNotChangeTheOtherAxesDraws() throws Exception {
        List<Trial> before = planner.plan(write(RANDOM));
        List<Trial> after = planner.plan(write(RANDOM.replace("    train.steps: [100, 200]\n",
                "    train.steps: [100, 200]\n    gan.d_steps: {int: [1, 3]}\n")));
        assertEquals(before.stream().map(t -> t.params().get("lr")).toList(),
                after.stream().map(t -> t.params().get("lr")).toList());
    }

    @Test
    void hashIsStableAcrossLoadsAndFormatting() throws Exception {
        ExperimentSpec block = loader.load(resource("hash/block.yaml"));
        ExperimentSpec flow = loader.load(resource("hash/flow.yaml"));
        List<Trial> a = planner.plan(block);
        List<Trial> b = planner.plan(loader.load(resource("hash/block.yaml")));
        List<Trial> c = planner.plan(flow);
        assertEquals(a.stream().map(Trial::hash).toList(), b.stream().map(Trial::hash).toList());
        assertEquals(12, a.size());
        // flow.yaml lists the paradigms in the other order under other names; the set of configurations is
        // the same, and so is each configuration's hash.
        assertEquals(a.stream().map(Trial::hash).collect(Collectors.toSet()),
                c.stream().map(Trial::hash).collect(Collectors.toSet()));
        Trial gan = a.stream().filter(t -> t.plugin().equals("gan") && t.seed() == 1
                && t.params().get("lr").equals(2e-4) && t.train().steps() == 400).findFirst().orElseThrow();
        Trial generator = c.stream().filter(t -> t.paradigm().equals("generator") && t.seed() == 1
                && t.params().get("lr").equals(2e-4) && t.train().steps() == 400).findFirst().orElseThrow();
        assertEquals(gan.hash(), generator.hash());
        assertTrue(gan.hash().matches("[0-9a-f]{16}"), gan.hash());
    }

    @Test
    void hashChangesWhenAnyResolvedValueChanges() throws Exception {
        Path block = resource("hash/block.yaml");
        String base = planner.plan(loader.load(block)).get(0).hash();
        List<List<String>> changes = List.of(
                List.of("gan.loss=wasserstein"),
                List.of("gan.d_steps=2"),
                List.of("gan.spectral_norm=true"),
                List.of("dataset.params.n=1001"),
                List.of("dataset.params.std=0.02"),
                List.of("dataset.name=grid25"),
                List.of("train.batch_size=33"),
                List.of("train.eval_every=50"),
                List.of("train.log_every=5"),
                List.of("evaluate.samples=100"),
                List.of("evaluate.metrics=[prdc]"),
                List.of("sweep.seeds=[9]"),
                List.of("sweep.parameters.gan.lr=[3.0e-4]"),
                List.of("sweep.parameters.train.steps=[201]"));
        Set<String> seen = new HashSet<>();
        seen.add(base);
        for (List<String> change : changes) {
            String h = planner.plan(loader.load(block, change)).get(0).hash();
            assertNotEquals(base, h, "unchanged hash after " + change);
            assertTrue(seen.add(h), "collision after " + change);
        }
        // Things that are not configuration leave it alone.
        assertEquals(base, planner.plan(loader.load(block, List.of("name=other", "gan.lr=9e-4"))).get(0).hash(),
                "the name is not config, and gan.lr is swept over anyway");
    }

    /**
     * Dataset parameters added later ({@code mnist}'s {@code binarize_mode} and {@code binarize_seed}) leave
     * the hashes of existing specs alone like a plugin's do, and a bad combination is a spec error at its
     * location, before anything trains.
     */
    @Test
    void datasetParametersAddedLaterKeepOldHashesAndAreCrossChecked() throws Exception {
        SpecLoader mnist = new SpecLoader(SpecTestPlugins.registryWith("mnist", new dev.genlab.core.data.MnistDataset()),
                k -> null);
        String base = "name: m\nseed: 0\ndataset: {name: mnist, params: {binarize: true%s}}\nparadigms: [vae]\n";
        java.util.function.Function<String, ExperimentSpec> load = extra -> {
            try {
                Path file = Files.createTempFile(dir, "mnist", ".yaml");
                Files.writeString(file, String.format(base, extra));
                return mnist.load(file, List.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        ExperimentSpec threshold = load.apply("");
        Trial t = planner.plan(threshold).get(0);
        assertEquals("threshold", t.dataset().params().get("binarize_mode"), "the dataset still receives every parameter");
        // The hash a framework without the two parameters computed: the dataset's original five only.
        Map<String, Object> original = new java.util.LinkedHashMap<>(t.dataset().params());
        original.remove("binarize_mode");
        original.remove("binarize_seed");
        assertEquals(5, original.size());
        assertEquals(new TrialHasher().hash(t.plugin(), t.params(), new dev.genlab.core.spec.DatasetSpec("mnist", original),
                t.train(), t.evaluate(), t.seed()), t.hash());
        assertEquals(t.hash(), planner.plan(load.apply(", binarize_mode: threshold, binarize_seed: 0")).get(0).hash(),
                "written out at their defaults, the same configuration");
        String s0 = planner.plan(load.apply(", binarize_mode: stochastic")).get(0).hash();
        String s1 = planner.plan(load.apply(", binarize_mode: stochastic, binarize_seed: 1")).get(0).hash();
        assertNotEquals(t.hash(), s0);
        assertNotEquals(s0, s1);
        // A trial's spec.yaml replays to the same hash.
        ExperimentSpec stochastic = load.apply(", binarize_mode: stochastic, binarize_seed: 1");
        Trial st = planner.plan(stochastic).get(0);
        Path file = dir.resolve("mnist-trial.yaml");
        Files.writeString(file, new SpecWriter().toYaml(planner.trialSpec(stochastic, st)));
        assertEquals(st.hash(), planner.plan(mnist.load(file, List.of())).get(0).hash());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: m\ndataset: {name: mnist, params: {binarize_mode: stochastic}}\nparadigms: [vae]\n");
        dev.genlab.core.spec.SpecException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.genlab.core.spec.SpecException.class, () -> mnist.load(bad, List.of()));
        assertEquals(1, e.errors().size(), e.errors().toString());
        assertTrue(e.errors().get(0).message().contains("binarize: true"), e.errors().get(0).format());
        assertEquals(2, e.errors().get(0).line(), "at the dataset's params");
        Path wrong = dir.resolve("wrong.yaml");
        Files.writeString(wrong, "name: m\ndataset: {name: mnist, params: {binarize: true, binarize_mode: random}}\n"
                + "paradigms: [vae]\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.genlab.core.spec.SpecException.class,
                () -> mnist.load(wrong, List.of()));
        assertTrue(e.errors().get(0).format().contains("stochastic"), e.errors().get(0).format());
    }

    /**
     * A plugin release that adds parameters (marked added-later, with defaults that keep the old behaviour)
     * leaves the hash of every existing spec alone, so {@code --resume} still finds its finished trials; a
     * spec that sets one of them to another value is another configuration.
     */
    @Test
    void parametersAddedLaterEnterTheHashOnlyAwayFromTheirDefaults() throws Exception {
        SpecLoader later = new SpecLoader(SpecTestPlugins.registryWithLaterGan(), k -> null);
        Path block = resource("hash/block.yaml");
        List<Trial> before = planner.plan(loader.load(block));
        ExperimentSpec spec = later.load(block);
        List<Trial> after = planner.plan(spec);
        assertEquals(before.stream().map(Trial::hash).toList(), after.stream().map(Trial::hash).toList());
        assertEquals(0L, after.get(0).params().get("packs"), "the plugin still receives every parameter");
        assertEquals(after.get(0).hash(), planner.plan(later.load(block, List.of("gan.packs=0"))).get(0).hash(),
                "written out at its default, it is still the same configuration");
        String packed = planner.plan(later.load(block, List.of("gan.packs=100"))).get(0).hash();
        String averaged = planner.plan(later.load(block, List.of("gan.ema=true"))).get(0).hash();
        assertNotEquals(after.get(0).hash(), packed);
        assertNotEquals(after.get(0).hash(), averaged);
        assertNotEquals(packed, averaged);
        // A trial's spec.yaml lists every parameter and still replays to the same hash.
        SpecWriter writer = new SpecWriter();
        for (Trial t : after) {
            Path file = dir.resolve("later-" + t.index() + ".yaml");
            Files.writeString(file, writer.toYaml(planner.trialSpec(spec, t)));
            if (t.plugin().equals("gan")) {
                assertTrue(Files.readString(file).contains("packs"), "spec.yaml is fully resolved");
            }
            assertEquals(t.hash(), planner.plan(later.load(file)).get(0).hash());
            assertEquals(t.hash(), planner.plan(planner.trialSpec(spec, t)).get(0).hash(), "in memory too");
        }
    }

    @Test
    void aTrialSpecReplaysExactlyThatTrial() throws Exception {
        ExperimentSpec spec = loader.load(resource("hash/block.yaml"));
        SpecWriter writer = new SpecWriter();
        for (Trial t : planner.plan(spec)) {
            Path file = dir.resolve("trial-" + t.index() + ".yaml");
            Files.writeString(file, writer.toYaml(planner.trialSpec(spec, t)));
            List<Trial> replay = planner.plan(loader.load(file));
            assertEquals(1, replay.size());
            assertEquals(t.hash(), replay.get(0).hash());
            assertEquals(t.params(), replay.get(0).params());
        }
    }

    @Test
    void periodicEvaluationSettingsSurviveASweptSampleCountAndATrialSpec() throws Exception {
        ExperimentSpec spec = write("""
                name: periodic
                dataset: {name: ring8}
                train: {steps: 100, eval_every: 20}
                evaluate: {samples: 800, periodic_metrics: [modes], periodic_samples: 300}
                paradigms: [gan]
                sweep:
                  parameters:
                    evaluate.samples: [400, 800]
                """);
        SpecWriter writer = new SpecWriter();
        for (Trial t : planner.plan(spec)) {
            assertEquals(List.of("modes"), t.evaluate().periodicMetrics());
            assertEquals(300, t.evaluate().periodicSampleCount());
            Path file = dir.resolve("periodic-" + t.index() + ".yaml");
            Files.writeString(file, writer.toYaml(planner.trialSpec(spec, t)));
            Trial replay = planner.plan(loader.load(file)).get(0);
            assertEquals(t.hash(), replay.hash());
            assertEquals(t.evaluate(), replay.evaluate());
        }
    }
}
