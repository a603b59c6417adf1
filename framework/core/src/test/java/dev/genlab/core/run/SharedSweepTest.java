package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.core.testing.MeanFitProvider;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.claims.Claim;
import dev.genlab.tracking.claims.ClaimFileException;
import dev.genlab.tracking.claims.ClaimOwner;
import dev.genlab.tracking.claims.ClaimSettings;
import dev.genlab.tracking.claims.FileClaims;
import dev.genlab.tracking.claims.Lease;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers of one sweep sharing one local store, each with its own store instance (so its own claim owner),
 * through the real runner: trials claimed once, takeover of a dead holder, never of a live one, a stopped
 * worker that leaves the parent to the others, exactly one summary per set of results.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS) // a regression in claiming must fail, not hang
class SharedSweepTest {

    private static final String SPEC = """
            name: shared-test
            seed: 5
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 60, batch_size: 64, log_every: 5, checkpoint_every: 10}
            evaluate: {samples: 300, metrics: [modes]}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2, noise: 0.05}}
            sweep:
              seeds: [0, 1, 2, 3]
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
        System.clearProperty(MeanFitProvider.FAIL_SEED);
    }

    private synchronized ExperimentSpec spec(String... overrides) throws Exception {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, SPEC);
        return new SpecLoader(registry, name -> null).load(file, List.of(overrides));
    }

    /** One worker of the shared sweep (as {@code --resume}) on its own store instance. */
    private SweepResult worker(Path store, Progress progress, Cancellation cancel, TrialSource source)
            throws Exception {
        ExperimentSpec spec = spec();
        List<Trial> plan = new SweepPlanner().plan(spec);
        RunOptions options = new RunOptions(true, List.of(), store, true, null, null);
        SweepRunner runner = LocalRunners.create(registry, options, progress, cancel);
        return source == null ? runner.run(spec, plan) : runner.run(spec, plan, source);
    }

    private SweepResult worker(Path store) throws Exception {
        return worker(store, Progress.SILENT, new Cancellation(), null);
    }

    private static List<RunRecord> children(Path store) {
        return new LocalRunStore(store).readRuns("shared-test").stream().filter(r -> r.parentRunId() != null)
                .toList();
    }

    private static RunRecord parent(Path store) {
        List<RunRecord> parents = new LocalRunStore(store).readRuns("shared-test").stream()
                .filter(r -> r.parentRunId() == null).toList();
        assertEquals(1, parents.size(), "one parent run: " + parents);
        return parents.get(0);
    }

    /** Lines of a run's journal with a given event (and, if not null, containing a text). */
    private static long events(RunRecord run, String event, String containing) throws IOException {
        return Files.readAllLines(run.directory().resolve("journal.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"" + event + "\""))
                .filter(l -> containing == null || l.contains(containing)).count();
    }

    private static long summaries(RunRecord parent) throws IOException {
        return events(parent, "artifact", "\"path\":\"summary.json\"");
    }

    /** Every trial of the 4-seed plan has exactly one run, and it FINISHED. */
    private static void assertEachTrialOnceFinished(Path store) {
        List<RunRecord> children = children(store);
        Map<String, List<RunRecord>> byTrial = children.stream()
                .collect(Collectors.groupingBy(r -> r.tags().get("genlab.trial_hash")));
        assertEquals(4, byTrial.size(), "4 trials: " + children);
        byTrial.forEach((hash, runs) -> assertEquals(1, runs.size(), "trial " + hash + " once: " + runs));
        children.forEach(c -> assertEquals(RunStatus.FINISHED, c.status(), c.name()));
    }

    /** A progress listener that calls {@code onStart} when its worker starts a trial and {@code onStep} per step. */
    private static Progress hooks(Consumer<Trial> onStart, Consumer<Integer> onStep) {
        return new Progress() {
            @Override
            public void trialStarted(int position, int total, Trial trial) {
                onStart.accept(trial);
            }

            @Override
            public void step(int step, int total, Map<String, Double> losses) {
                onStep.accept(step);
            }

            @Override
            public void trialEnded(TrialResult result) {}
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(120, TimeUnit.SECONDS), "timed out waiting for the other worker");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoWorkersOnOneStoreTrainEveryTrialOnceAndOneOfThemSummarises() throws Exception {
        Path store = tmp.resolve("store");
        CountDownLatch bothStarted = new CountDownLatch(2);
        List<Future<SweepResult>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            // Each worker waits at its first trial until the other has one too: both really take part.
            boolean[] first = {true};
            Progress p = hooks(t -> {
                if (first[0]) {
                    first[0] = false;
                    bothStarted.countDown();
                    await(bothStarted);
                }
            }, s -> {});
            workers.add(pool.submit(() -> worker(store, p, new Cancellation(), null)));
        }
        List<SweepResult> results = new ArrayList<>();
        for (Future<SweepResult> f : workers) {
            results.add(f.get(300, TimeUnit.SECONDS));
        }
        assertEachTrialOnceFinished(store);
        assertEquals(2, children(store).stream().map(r -> r.tags().get("genlab.claim.owner_id")).distinct().count(),
                "both workers trained: " + children(store));
        assertTrue(results.stream().anyMatch(r -> r.trials().size() == 4), "a worker saw the whole sweep");
        assertEquals(results.get(0).parentRunId(), results.get(1).parentRunId());
        RunRecord parent = parent(store);
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals(1, summaries(parent), "exactly one summary");
        assertEquals(1, events(parent, "end", null), "the parent ended once");
        assertEquals(1, parent.history("sweep/trials_finished").size());
        assertEquals(4.0, parent.latestValue("sweep/trials_finished").orElseThrow());
        // The claims record who trained what, released with the runs' outcome.
        FileClaims reader = new FileClaims(parent.directory().getParent().getParent().resolve("claims"),
                ClaimSettings.DEFAULTS);
        for (RunRecord c : children(store)) {
            Lease l = reader.current("trial-" + c.tags().get("genlab.trial_hash")).orElseThrow();
            assertFalse(l.held());
            assertEquals("FINISHED", l.outcome());
            assertEquals(l.owner().id(), c.tags().get("genlab.claim.owner_id"));
        }
    }

    @Test
    void aStoppedWorkerLeavesTheParentToALiveOneWhichFinishesItsTrialWithOneSummary() throws Exception {
        Path store = tmp.resolve("store");
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch aDone = new CountDownLatch(1);
        Cancellation cancelA = new Cancellation();
        // B holds its first trial (a live worker of the sweep) until A has stopped and returned.
        Progress b = hooks(t -> {
            if (bStarted.getCount() > 0) {
                bStarted.countDown();
                await(aDone);
            }
        }, s -> {});
        // A is stopped (as by SIGTERM) at step 15 of its first trial, once B is at work.
        Progress a = hooks(t -> {}, s -> {
            if (s == 15) {
                await(bStarted);
                cancelA.request();
            }
        });
        Future<SweepResult> fb = pool.submit(() -> worker(store, b, new Cancellation(), null));
        await(bStarted);
        SweepResult ra = worker(store, a, cancelA, null);

        assertEquals(1, ra.trials().size(), ra.trials().toString());
        TrialResult killed = ra.trials().get(0);
        assertEquals(RunStatus.KILLED, killed.status());
        RunRecord parent = parent(store);
        assertEquals(RunStatus.RUNNING, parent.status(), "a stopped worker does not end the shared parent");
        assertEquals(0, events(parent, "end", null));
        assertEquals(0, summaries(parent), "no partial summary");
        assertTrue(parent.history("sweep/trials_finished").isEmpty(), "no sweep metrics");

        aDone.countDown();
        SweepResult rb = fb.get(300, TimeUnit.SECONDS);
        assertEquals(4, rb.trials().size());
        assertEachTrialOnceFinished(store);
        RunRecord continued = new LocalRunStore(store).readRun(killed.runId()).orElseThrow();
        assertEquals(RunStatus.FINISHED, continued.status());
        assertEquals("15", continued.tags().get("genlab.resumed_from_step"), "from A's checkpoint");
        assertNull(continued.tags().get("genlab.claim.taken_over_from"), "A released it: no takeover");
        assertEquals("2", continued.tags().get("genlab.claim.generation"));
        parent = parent(store);
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals(1, summaries(parent));
        assertEquals(1, events(parent, "end", null), "ended once, by B, FINISHED");
    }

    @Test
    void aDeadHoldersTrialIsTakenOverFromItsCheckpointAndALiveHoldersIsWaitedFor() throws Exception {
        Path store = tmp.resolve("store");
        ExperimentSpec spec = spec();
        List<Trial> plan = new SweepPlanner().plan(spec);
        // A alone, stopped at step 20 of seed 1: as the last worker, it ends the parent KILLED (no summary).
        Cancellation cancelA = new Cancellation();
        long[] current = {-1};
        worker(store, hooks(t -> current[0] = t.seed(), s -> {
            if (current[0] == 1 && s == 20) {
                cancelA.request();
            }
        }), cancelA, null);
        RunRecord parent = parent(store);
        assertEquals(RunStatus.KILLED, parent.status(), "the last worker to stop ends the parent KILLED");
        assertEquals(0, summaries(parent));

        // Seed 1's claim now held by a dead process of this host; seed 2's by a live one (this JVM, another
        // claims object, renewing its heartbeat).
        Path claimsDir = parent.directory().getParent().getParent().resolve("claims");
        ClaimOwner me = ClaimOwner.current();
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        ClaimOwner dead = new ClaimOwner(me.host(), me.bootId(), gone.pid(), "ticks:1", "dead");
        FileClaims deadClaims = new FileClaims(claimsDir, dead, ClaimSettings.DEFAULTS, System::currentTimeMillis,
                pid -> pid == gone.pid() ? java.util.Optional.empty() : java.util.Optional.of("ticks:x"));
        deadClaims.acquire(TrialDispatcher.key(plan.get(1)), l -> true).orElseThrow();
        deadClaims.close();
        try (FileClaims live = new FileClaims(claimsDir, ClaimSettings.DEFAULTS)) {
            Claim held = live.acquire(TrialDispatcher.key(plan.get(2)), l -> true).orElseThrow();

            Future<SweepResult> fb = pool.submit(() -> worker(store));
            // Seed 0 ended before (its claim says FINISHED), seed 2 is held by a live process: B trains 1 and 3,
            // then waits for the holder of 2 instead of leaving.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (children(store).stream().filter(r -> r.status() == RunStatus.FINISHED)
                    .map(r -> r.tags().get("genlab.seed")).collect(Collectors.toSet()).size() < 3) {
                assertTrue(System.nanoTime() < deadline && !fb.isDone(), "B did not train seeds 1 and 3: "
                        + children(store));
                Thread.sleep(50);
            }
            assertFalse(fb.isDone(), "B waits for the trial a live process holds");
            assertTrue(children(store).stream().noneMatch(r -> r.tags().get("genlab.seed").equals("2")),
                    "no run of the held trial was started or continued");
            RunRecord taken = children(store).stream().filter(r -> r.tags().get("genlab.seed").equals("1"))
                    .findFirst().orElseThrow();
            assertEquals(RunStatus.FINISHED, taken.status());
            assertEquals("20", taken.tags().get("genlab.resumed_from_step"), "resumed from the checkpoint");
            assertEquals(dead.describe(), taken.tags().get("genlab.claim.taken_over_from"));
            assertEquals("3", taken.tags().get("genlab.claim.generation"));
            assertEquals(0, summaries(parent(store)), "incomplete: no summary");

            // The holder lets go of seed 2 (as a stopped worker does): B, still waiting, trains it and ends
            // the sweep.
            live.release(held, "KILLED");
            SweepResult b = fb.get(300, TimeUnit.SECONDS);
            assertEquals(4, b.trials().size());
        }
        assertEachTrialOnceFinished(store);
        assertEquals(RunStatus.FINISHED, parent(store).status());
        assertEquals(1, summaries(parent(store)));

        // The taken-over trial ends with the numbers of an uninterrupted run.
        Path reference = tmp.resolve("reference");
        SweepResult ref = LocalRunners.create(registry, new RunOptions(true, List.of(), reference), Progress.SILENT,
                new Cancellation()).run(spec, plan);
        TrialResult refSeed1 = ref.trials().stream().filter(t -> t.trial().seed() == 1).findFirst().orElseThrow();
        RunRecord taken = new LocalRunStore(store).readRuns("shared-test").stream()
                .filter(r -> "1".equals(r.tags().get("genlab.seed"))).findFirst().orElseThrow();
        assertEquals(refSeed1.metrics().get("modes_covered"), taken.latestValue(MetricKeys.eval("modes_covered")).orElseThrow());
        assertEquals(refSeed1.finalLosses().get("loss"), taken.latestValue("train/loss").orElseThrow());
    }

    @Test
    void aWorkerWhoseClaimIsTakenOverStopsThatTrialWithoutWritingMore() throws Exception {
        Path store = tmp.resolve("store");
        ExperimentSpec spec = spec();
        List<Trial> plan = new SweepPlanner().plan(spec);
        ClaimSettings quick = new ClaimSettings(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(50));
        ClaimOwner elsewhere = new ClaimOwner("another-host", "", 1, "ticks:1", "far");
        FileClaims[] taker = new FileClaims[1];
        long[] current = {-1};
        // At step 20 of seed 1 (the first time only), a process on another host takes the claim over (as if
        // this worker had looked gone to it); the hook then waits long enough for this worker's heartbeat to
        // notice.
        Progress p = hooks(t -> current[0] = t.seed(), s -> {
            if (current[0] == 1 && s == 20 && taker[0] == null) {
                Path claimsDir = store.resolve("shared-test").resolve("claims");
                taker[0] = new FileClaims(claimsDir, elsewhere, ClaimSettings.DEFAULTS, System::currentTimeMillis,
                        pid -> java.util.Optional.empty());
                taker[0].acquire(TrialDispatcher.key(plan.get(1)), l -> true).orElseThrow();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        TrackerFactory trackers = (tracking, opts) -> new LocalRunStore(opts.runStore(), quick);
        RunOptions options = new RunOptions(true, List.of(), store, true, null, null);
        SweepRunner runner = new SweepRunner(registry, trackers, options, new dev.genlab.core.report.Plots(),
                new Provenance(), p, new SweepSummary(), new SweepPlanner(), new dev.genlab.core.spec.SpecWriter(),
                new Cancellation(), new dev.genlab.core.report.SweepReporter(new dev.genlab.core.report.ReportLoader(),
                        new dev.genlab.core.report.SweepReport(new dev.genlab.core.report.ReportCharts())));
        Future<SweepResult> fr = pool.submit(() -> runner.run(spec, plan));
        // The worker trains the other trials, then waits for the one held elsewhere.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (children(store).stream().filter(c -> c.status() == RunStatus.FINISHED).count() < 3) {
            assertTrue(System.nanoTime() < deadline && !fr.isDone(), "seeds 0, 2, 3 not trained: " + children(store));
            Thread.sleep(50);
        }
        assertFalse(fr.isDone(), "the worker waits for the trial another live process holds");
        RunRecord lost = children(store).stream().filter(c -> c.tags().get("genlab.seed").equals("1")).findFirst()
                .orElseThrow();
        assertEquals(RunStatus.RUNNING, lost.status(), "not ended: it is the new holder's run");
        assertEquals(0, events(lost, "end", null));
        assertTrue(lost.latest("train/loss").orElseThrow().step() <= 20, "no step logged after the loss");
        assertTrue(lost.history(MetricKeys.eval("modes_covered")).isEmpty(), "not evaluated");
        assertEquals(0, summaries(parent(store)), "a trial is held elsewhere: no summary");
        assertEquals(RunStatus.RUNNING, parent(store).status());

        // The new holder gives up on it; the waiting worker resumes it from the checkpoint of step 10: step
        // 20's came after the takeover, so the old holder skipped it (the checkpoint is the new holder's).
        Claim held = taker[0].acquire(TrialDispatcher.key(plan.get(1)), l -> false).orElse(null);
        assertNull(held, "still held by the taker");
        taker[0].release(takenClaim(taker[0], plan.get(1)), "KILLED");
        taker[0].close();
        SweepResult done = fr.get(300, TimeUnit.SECONDS);
        assertEquals(4, done.trials().size());
        assertEachTrialOnceFinished(store);
        RunRecord resumed = new LocalRunStore(store).readRun(lost.id()).orElseThrow();
        assertEquals("10", resumed.tags().get("genlab.resumed_from_step"));
        assertEquals(1, summaries(parent(store)));
    }

    /** The claim a claims object holds on a trial, found through a fresh acquire attempt's bookkeeping. */
    private static Claim takenClaim(FileClaims claims, Trial trial) {
        return claims.held(TrialDispatcher.key(trial)).orElseThrow();
    }

    @Test
    void theSummaryIsWrittenOncePerSetOfResultsAndAgainWhenAResumeChangesThem() throws Exception {
        Path store = tmp.resolve("store");
        System.setProperty(MeanFitProvider.FAIL_SEED, "2");
        SweepResult first = worker(store);
        assertEquals(1, first.failures());
        RunRecord parent = parent(store);
        assertEquals(RunStatus.FAILED, parent.status());
        assertEquals(1, summaries(parent));
        assertEquals(1.0, parent.latestValue("sweep/trials_failed").orElseThrow());

        // Retried by a later worker, failing the same way: the same results, so no second summary.
        SweepResult again = worker(store);
        assertEquals(1, again.failures());
        assertEquals(1, summaries(parent(store)), "same results, same summary");
        assertEquals(1, events(parent(store), "end", null));

        // The failure was transient: a resume now finishes the trial, in its run, and rewrites the summary.
        System.clearProperty(MeanFitProvider.FAIL_SEED);
        SweepResult fixed = worker(store);
        assertEquals(0, fixed.failures());
        parent = parent(store);
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals(2, summaries(parent), "new results, new summary");
        assertEquals(0.0, parent.latestValue("sweep/trials_failed").orElseThrow());
        assertEquals(4.0, parent.latestValue("sweep/trials_finished").orElseThrow());
        assertEachTrialOnceFinished(store);

        worker(store);
        assertEquals(2, summaries(parent(store)), "nothing changed since");
    }

    @Test
    void aCorruptClaimFileStopsTheWorkerBeforeTrainingAndNamesTheFile() throws Exception {
        Path store = tmp.resolve("store");
        List<Trial> plan = new SweepPlanner().plan(spec());
        new LocalRunStore(store).experiment("shared-test");
        Path file = store.resolve("shared-test/claims/" + TrialDispatcher.key(plan.get(0)) + "/lease-000001.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"format\":1,\"key\":");
        ClaimFileException e = assertThrows(ClaimFileException.class, () -> worker(store));
        assertEquals(file.toAbsolutePath(), e.file());
        assertTrue(e.getMessage().contains("rm '" + file.toAbsolutePath() + "'"), e.getMessage());
        assertEquals(List.of(), children(store), "nothing trained");
        RunRecord parent = parent(store);
        assertEquals(RunStatus.RUNNING, parent.status(), "a failing worker does not end the parent");
        assertEquals(0, summaries(parent));
    }

    @Test
    void theSourceDecidesWhichTrialIsClaimedNext() throws Exception {
        Path store = tmp.resolve("store");
        List<Long> order = new ArrayList<>();
        TrialSource lastFirst = view -> {
            assertEquals(4, view.plan().size());
            List<Trial> reversed = new ArrayList<>(view.plan());
            reversed.sort(Comparator.comparingInt(Trial::index).reversed());
            return reversed;
        };
        SweepResult r = worker(store, hooks(t -> order.add(t.seed()), s -> {}), new Cancellation(), lastFirst);
        assertEquals(List.of(3L, 2L, 1L, 0L), order);
        assertEquals(List.of(0L, 1L, 2L, 3L), r.trials().stream().map(t -> t.trial().seed()).toList(),
                "results in plan order");
        // An adaptive source reads the results so far from the view.
        List<Integer> endedSeen = new ArrayList<>();
        worker(store, Progress.SILENT, new Cancellation(), view -> {
            endedSeen.add(view.ended().size());
            return view.plan();
        });
        assertEquals(List.of(4), endedSeen);
        assertNotEquals(0, summaries(parent(store)));
    }
}
