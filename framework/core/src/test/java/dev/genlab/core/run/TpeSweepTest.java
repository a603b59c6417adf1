package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.core.sweep.TrialPlanPrinter;
import dev.genlab.core.sweep.tpe.Tpe;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.claims.ClaimSettings;
import dev.genlab.tracking.claims.Claims;
import dev.genlab.tracking.claims.FileClaims;
import dev.genlab.tracking.claims.Lease;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code method: tpe} through the real runner and the local store, with tiny real trials (the meanfit
 * paradigm on ring8): slots get configurations inside the axes when claimed, every seed of a slot and
 * every worker uses the one recorded configuration, {@code --resume} trains nothing again and keeps them,
 * and the same results give the same search.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TpeSweepTest {

    private static final String SPEC = """
            name: tpe-test
            seed: 3
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 20, batch_size: 64, log_every: 10, checkpoint_every: 10}
            evaluate: {samples: 200, metrics: [modes]}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2, noise: 0.05}}
            sweep:
              method: tpe
              trials: 6
              seeds: [0, 1]
              objective: {metric: high_quality_pct, mode: max}
              parameters:
                fit.lr: {log_uniform: [0.01, 0.5]}
                fit.std: {uniform: [0.05, 1.5]}
                fit.noise: [0.0, 0.05]
                evaluate.samples: {int: [150, 250]}
            """;

    private static PluginRegistry registry;

    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void loadPlugins() {
        registry = new PluginLoader().load(List.of());
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private synchronized ExperimentSpec spec() throws Exception {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, SPEC);
        return new SpecLoader(registry, name -> null).load(file, List.of());
    }

    private SweepResult run(Path store, boolean resume) throws Exception {
        ExperimentSpec spec = spec();
        RunOptions options = new RunOptions(true, List.of(), store, resume, null, null);
        return LocalRunners.create(registry, options, Progress.SILENT, new Cancellation())
                .run(spec, new SweepPlanner().plan(spec));
    }

    private static List<RunRecord> children(Path store) {
        return new LocalRunStore(store).readRuns("tpe-test").stream().filter(r -> r.parentRunId() != null).toList();
    }

    /** The params the axes set, of each run, by trial hash. */
    private static Map<String, Map<String, String>> configurations(Path store) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (RunRecord r : children(store)) {
            Map<String, String> p = r.params();
            out.put(r.tags().get("genlab.trial_hash"), Map.of("lr", p.get("lr"), "std", p.get("std"),
                    "noise", p.get("noise"), "evaluate.samples", p.get("evaluate.samples")));
        }
        return out;
    }

    /** Checks every run's values against the axes, and that both seeds of a slot share one configuration. */
    private static void assertSlotsConfiguredInsideTheAxes(Path store) {
        List<RunRecord> runs = children(store);
        assertEquals(12, runs.size(), "6 slots x 2 seeds, each trained once: " + runs);
        assertEquals(12, runs.stream().map(r -> r.tags().get("genlab.trial_hash")).distinct().count());
        Map<String, Set<Map<String, String>>> bySlot = new TreeMap<>();
        for (RunRecord r : runs) {
            assertEquals(RunStatus.FINISHED, r.status(), r.name());
            double lr = Double.parseDouble(r.params().get("lr"));
            double std = Double.parseDouble(r.params().get("std"));
            double noise = Double.parseDouble(r.params().get("noise"));
            long samples = Long.parseLong(r.params().get("evaluate.samples"));
            assertTrue(lr >= 0.01 && lr <= 0.5, r.name());
            assertTrue(std >= 0.05 && std <= 1.5, r.name());
            assertTrue(noise == 0.0 || noise == 0.05, r.name());
            assertTrue(samples >= 150 && samples <= 250, r.name());
            // The run name shows the slot and the chosen values: "fit slot=3 lr=0.0421 std=... seed=1".
            assertTrue(r.name().matches("fit slot=\\d lr=\\S+ std=\\S+ noise=\\S+ evaluate\\.samples=\\d+ seed=[01]"),
                    r.name());
            assertTrue(r.name().contains("lr=" + r.params().get("lr")), r.name());
            String slot = r.name().substring(0, r.name().indexOf(" lr="));
            Map<String, String> config = new TreeMap<>(r.params());
            config.remove("seed");
            bySlot.computeIfAbsent(slot, k -> new HashSet<>()).add(config);
        }
        assertEquals(6, bySlot.size(), bySlot.keySet().toString());
        bySlot.forEach((slot, configs) -> assertEquals(1, configs.size(), slot + ": both seeds, one configuration"));
        assertEquals(6, bySlot.values().stream().distinct().count(), "six different configurations");
    }

    /** Every slot's choice was recorded once: one released generation, never replaced. */
    private static void assertEachChoiceRecordedOnce(Path store) throws Exception {
        Path claims = new LocalRunStore(store).readExperiment("tpe-test").orElseThrow().directory().resolve("claims");
        List<Path> choices;
        try (Stream<Path> s = Files.list(claims)) {
            choices = s.filter(p -> p.getFileName().toString().startsWith(TpeSource.CHOICE_PREFIX)).toList();
        }
        assertEquals(6, choices.size(), choices.toString());
        FileClaims reader = new FileClaims(claims, ClaimSettings.DEFAULTS);
        for (Path c : choices) {
            Lease l = reader.current(c.getFileName().toString()).orElseThrow();
            assertEquals(1, l.generation(), c.toString());
            assertFalse(l.held());
            assertTrue(l.outcome().contains("\"point\""), l.outcome());
        }
    }

    @Test
    void thePlanListsSlotsThatTpeChoosesWhenClaimed() throws Exception {
        ExperimentSpec spec = spec();
        List<Trial> plan = new SweepPlanner().plan(spec);
        assertEquals(12, plan.size());
        assertEquals(12, plan.stream().map(Trial::hash).distinct().count(), "each slot and seed is its own trial");
        assertEquals("fit slot=2 seed=1", plan.get(5).runName());
        String table = new TrialPlanPrinter().render(spec, plan);
        assertTrue(table.contains("TPE sweep (6 configurations per paradigm"), table);
        assertEquals(12, table.lines().filter(l -> l.contains("(chosen by TPE when claimed)")).count(), table);
        // The hashes stand for the search: another search seed is another sweep.
        List<Trial> other = new SweepPlanner().plan(new SpecLoader(registry, n -> null)
                .load(tmp.resolve("spec.yaml"), List.of("seed=4")));
        assertTrue(plan.stream().map(Trial::hash).noneMatch(h -> other.stream().anyMatch(t -> t.hash().equals(h))));
    }

    @Test
    void slotsGetConfigurationsInsideTheAxesAndResumeKeepsThem() throws Exception {
        Path store = tmp.resolve("store");
        SweepResult first = run(store, false);
        assertEquals(12, first.trials().size());
        assertSlotsConfiguredInsideTheAxes(store);
        assertEachChoiceRecordedOnce(store);
        Map<String, Map<String, String>> before = configurations(store);
        // The summary's trials carry their configurations (the run names the report and summary group by).
        assertEquals(6, first.trials().stream().map(r -> SweepSummary.config(r.trial())).distinct().count());

        SweepResult resumed = run(store, true);
        assertEquals(12, children(store).size(), "--resume trains nothing again");
        assertEquals(before, configurations(store));
        assertEquals(first.trials().stream().map(r -> r.trial().runName()).sorted().toList(),
                resumed.trials().stream().map(r -> r.trial().runName()).sorted().toList(),
                "the resumed sweep's results name the same configurations");
        assertEachChoiceRecordedOnce(store);

        // The same results give the same search: a second store, one worker again, the same choices.
        Path again = tmp.resolve("again");
        run(again, false);
        assertEquals(before, configurations(again));
    }

    @Test
    void twoWorkersUseOneConfigurationPerSlot() throws Exception {
        Path store = tmp.resolve("store");
        List<Future<SweepResult>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(pool.submit(() -> run(store, true)));
        }
        for (Future<SweepResult> f : workers) {
            f.get(240, TimeUnit.SECONDS);
        }
        assertSlotsConfiguredInsideTheAxes(store);
        assertEachChoiceRecordedOnce(store);
    }

    @Test
    void processesRacingForASlotRecordOneConfiguration() throws Exception {
        ExperimentSpec spec = spec();
        List<Trial> plan = new SweepPlanner().plan(spec);
        Path store = tmp.resolve("store");
        String experimentId = new LocalRunStore(store).experiment("tpe-test");
        // Slots 0 to 3 are chosen first (random draws: no results yet).
        TpeSource setup = source(spec, plan, store, experimentId);
        List<Trial> settled = new ArrayList<>();
        for (int i = 0; i < 8; i += 2) {
            settled.add(setup.claimed(plan.get(i), view(plan, List.of())));
        }
        // Racers that read different results: each would suggest something else for slot 4 on its own.
        int racers = 4;
        List<List<TrialResult>> views = new ArrayList<>();
        Set<Map<String, Object>> alone = new HashSet<>();
        for (int k = 0; k < racers; k++) {
            List<TrialResult> ended = new ArrayList<>();
            List<Tpe.Observation> obs = new ArrayList<>();
            for (int s = 0; s < settled.size(); s++) {
                double hq = (s + k) % settled.size(); // a different best slot for each racer
                Trial slot = settled.get(s);
                for (Trial seedTrial : List.of(slot, plan.get(plan.indexOf(planned(plan, slot)) + 1))) {
                    ended.add(new TrialResult(seedTrial, "run", RunStatus.FINISHED, "",
                            Map.of("high_quality_pct", hq), Map.of(), 0));
                }
                Map<String, Object> point = new LinkedHashMap<>(slot.swept());
                point.remove(SweepPlanner.SLOT_KEY);
                obs.add(new Tpe.Observation(point, hq));
            }
            views.add(ended);
            alone.add(new Tpe(SweepPlanner.axesOf(spec.sweep().parameters(), "fit"), Tpe.defaultStartup(6))
                    .suggest(spec.seed(), 4, obs, true));
        }
        assertTrue(alone.size() > 1, "the racers' own suggestions differ: " + alone);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Trial>> picks = new ArrayList<>();
        for (int k = 0; k < racers; k++) {
            List<TrialResult> ended = views.get(k);
            // Each racer is another claim owner (its own store instance), as another process is.
            TpeSource racer = source(spec, plan, store, experimentId);
            Trial slot4 = plan.get(8 + k % 2); // slot 4, either seed
            picks.add(pool.submit(() -> {
                go.await();
                return racer.claimed(slot4, view(plan, ended));
            }));
        }
        go.countDown();
        Set<Map<String, Object>> chosen = new HashSet<>();
        for (Future<Trial> f : picks) {
            Trial t = f.get(60, TimeUnit.SECONDS);
            Map<String, Object> point = new LinkedHashMap<>(t.swept());
            point.remove(SweepPlanner.SLOT_KEY);
            chosen.add(point);
        }
        assertEquals(1, chosen.size(), "one configuration for the slot: " + chosen);
        assertTrue(alone.containsAll(chosen), "it is one racer's suggestion: " + chosen + " of " + alone);
    }

    private static Trial planned(List<Trial> plan, Trial settled) {
        return plan.stream().filter(t -> t.hash().equals(settled.hash())).findFirst().orElseThrow();
    }

    private static TpeSource source(ExperimentSpec spec, List<Trial> plan, Path store, String experimentId) {
        Claims claims = new LocalRunStore(store).claims(experimentId).orElseThrow();
        return new TpeSource(spec, plan, new SweepPlanner(), claims, TrialSource.planOrder(null));
    }

    /** A view of a fixed plan and fixed results (TrialSourceTest uses it too). */
    static SweepView view(List<Trial> plan, List<TrialResult> ended) {
        return new SweepView() {
            @Override
            public List<Trial> plan() {
                return plan;
            }

            @Override
            public List<TrialResult> ended() {
                return ended;
            }
        };
    }
}
