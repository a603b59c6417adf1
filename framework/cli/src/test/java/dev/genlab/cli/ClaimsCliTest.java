package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance for trial claims: worker processes ({@code genlab run --resume}, or a Slurm array task) share
 * one local store; every trial is trained exactly once, a worker killed with SIGKILL is taken over from its
 * checkpoint, a worker stopped with SIGTERM leaves the shared parent to the others, and exactly one
 * summary is logged. Also: a corrupted claim file and impossible shards exit 2 with the fix.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS) // a regression in claiming must fail, not hang
class ClaimsCliTest {

    private static final String SPEC = """
            name: claims-cli
            seed: 0
            dataset: {name: ring8, params: {n: 4000}}
            train: {steps: 1200, batch_size: 128, log_every: 50, checkpoint_every: 100}
            evaluate: {samples: 500, metrics: [modes, stability]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.02}}
            sweep:
              seeds: [0, 1, 2, 3]
            """;

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private Path spec(String text) throws IOException {
        return Files.writeString(tmp.resolve("spec.yaml"), text);
    }

    private Process worker(String name, Path spec, Path store, Map<String, String> env, String... extra)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("run", spec.toString(), "--store", store.toString(), "--quiet"));
        args.addAll(List.of(extra));
        Process p = ChildJvm.start(tmp.resolve(name + ".log"), env, args.toArray(String[]::new));
        started.add(p);
        return p;
    }

    private String log(String name) throws IOException {
        return "\n--- " + name + ".log\n" + Files.readString(tmp.resolve(name + ".log"));
    }

    private String logs(String... names) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            b.append(log(n));
        }
        return b.toString();
    }

    private static List<RunRecord> children(Path store) {
        return new LocalRunStore(store).readRuns("claims-cli").stream().filter(r -> r.parentRunId() != null).toList();
    }

    private static RunRecord parent(Path store) {
        List<RunRecord> parents = new LocalRunStore(store).readRuns("claims-cli").stream()
                .filter(r -> r.parentRunId() == null).toList();
        assertEquals(1, parents.size(), "one parent run: " + parents);
        return parents.get(0);
    }

    private static long journalLines(RunRecord run, String event, String containing) throws IOException {
        return Files.readAllLines(run.directory().resolve("journal.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"" + event + "\""))
                .filter(l -> containing == null || l.contains(containing)).count();
    }

    /** Exactly one summary: one summary.json, one value of each sweep metric, one end (FINISHED). */
    private static void assertOneSummary(Path store, int trials) throws IOException {
        RunRecord parent = parent(store);
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals(1, journalLines(parent, "artifact", "\"path\":\"summary.json\""), "one summary.json");
        assertEquals(1, journalLines(parent, "end", null), "the parent ended once");
        assertEquals(1, parent.history("sweep/trials_finished").size());
        assertEquals(trials, parent.latestValue("sweep/trials_finished").orElseThrow());
    }

    /** Each trial of the plan has exactly one run, FINISHED, and no run was ended FINISHED twice. */
    private static void assertEachTrialOnce(Path store, int trials) throws IOException {
        List<RunRecord> children = children(store);
        Map<String, List<RunRecord>> byTrial = children.stream()
                .collect(Collectors.groupingBy(r -> r.tags().get("genlab.trial_hash")));
        assertEquals(trials, byTrial.size(), "every trial: " + children);
        for (Map.Entry<String, List<RunRecord>> e : byTrial.entrySet()) {
            assertEquals(1, e.getValue().size(), "trial " + e.getKey() + " once: " + e.getValue());
            RunRecord r = e.getValue().get(0);
            assertEquals(RunStatus.FINISHED, r.status(), r.name());
            assertEquals(1, journalLines(r, "end", "FINISHED"), "trained to the end once: " + r.name());
        }
    }

    private static String pidOf(Process p) {
        return " pid " + p.pid();
    }

    /** Polls the store every 50 ms (up to 120 s) while {@code alive} runs. */
    private static Optional<RunRecord> awaitRun(Path store, Process alive, Predicate<RunRecord> match)
            throws InterruptedException {
        LocalRunStore reader = new LocalRunStore(store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && alive.isAlive()) {
            Optional<RunRecord> found = reader.readRuns("claims-cli").stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    private static Predicate<RunRecord> trainingBy(Process p, int step) {
        return r -> r.tags().getOrDefault("genlab.claim.owner", "").endsWith(pidOf(p))
                && r.latest("train/nll").map(pt -> pt.step() >= step).orElse(false);
    }

    private static void assertExit(Process p, int code, String why) throws Exception {
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), why + ": did not finish");
        assertEquals(code, p.exitValue(), why);
    }

    @Test
    void workersStartedTogetherAndALateReSubmittedArrayTaskTrainEveryTrialOnceWithOneSummary() throws Exception {
        Path spec = spec(SPEC.replace("seeds: [0, 1, 2, 3]", "seeds: [0, 1, 2, 3, 4, 5]"));
        Path store = tmp.resolve("store");
        long t0 = System.nanoTime();
        Process a = worker("a", spec, store, Map.of(), "--resume");
        Process b = worker("b", spec, store, Map.of(), "--resume");
        // Once A trains, a single array index is re-submitted (sbatch --array=1): Slurm says 1 task of 1.
        assertTrue(awaitRun(store, a, trainingBy(a, 200)).isPresent(), "A never trained" + logs("a", "b"));
        Process c = worker("c", spec, store, Map.of("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "1"));
        assertExit(a, 0, logs("a"));
        assertExit(b, 0, logs("b"));
        assertExit(c, 0, logs("c"));
        String all = logs("a", "b", "c");

        assertEachTrialOnce(store, 6);
        assertOneSummary(store, 6);
        Map<String, Long> byOwner = children(store).stream()
                .collect(Collectors.groupingBy(r -> r.tags().get("genlab.claim.owner"), Collectors.counting()));
        assertTrue(byOwner.keySet().stream().anyMatch(o -> o.endsWith(pidOf(a))), byOwner + all);
        assertTrue(byOwner.keySet().stream().anyMatch(o -> o.endsWith(pidOf(b))), byOwner + all);
        System.out.printf("3 workers (one joining late as a re-submitted array task) in %.1f s; trials per "
                + "worker: %s%n", (System.nanoTime() - t0) / 1e9, byOwner);
    }

    @Test
    void aWorkerKilledMidTrialIsTakenOverByAnotherFromItsCheckpoint() throws Exception {
        Path spec = spec(SPEC);
        Path store = tmp.resolve("store");
        Process a = worker("a", spec, store, Map.of(), "--resume");
        Process b = worker("b", spec, store, Map.of(), "--resume");
        Optional<RunRecord> victim = awaitRun(store, a, trainingBy(a, 300));
        assertTrue(victim.isPresent() && a.isAlive(), "A never reached step 300" + logs("a", "b"));
        assertTrue(b.isAlive(), "B must still be at work" + logs("b"));
        a.destroyForcibly(); // SIGKILL: no release, no flush; only the dead pid frees its claim
        assertExit(a, 137, "killed by SIGKILL");
        assertExit(b, 0, logs("a", "b"));

        assertEachTrialOnce(store, 4);
        assertOneSummary(store, 4);
        RunRecord taken = new LocalRunStore(store).readRun(victim.get().id()).orElseThrow();
        assertTrue(taken.tags().get("genlab.claim.owner").endsWith(pidOf(b)), taken.tags().toString());
        assertTrue(taken.tags().get("genlab.claim.taken_over_from").endsWith(pidOf(a)), taken.tags().toString());
        int from = Integer.parseInt(taken.tags().get("genlab.resumed_from_step"));
        // A had logged step 300, so its checkpoint of step 200 (at least) was on disk when it was killed.
        assertTrue(from >= 200 && from % 100 == 0, "resumed from A's checkpoint: " + from);

        // The same trial, never interrupted, ends with the same numbers.
        String seed = taken.tags().get("genlab.seed");
        Path reference = tmp.resolve("reference");
        CliEndToEndTest.Outcome whole = CliEndToEndTest.genlab("run", spec.toString(), "--store",
                reference.toString(), "sweep.seeds=[" + seed + "]", "--quiet");
        assertEquals(0, whole.code(), whole.err());
        RunRecord uninterrupted = new LocalRunStore(reference).readRuns("claims-cli").stream()
                .filter(r -> r.parentRunId() != null).findFirst().orElseThrow();
        assertEquals(uninterrupted.tags().get("genlab.trial_hash"), taken.tags().get("genlab.trial_hash"));
        assertEquals(CliEndToEndTest.finalNumbers(uninterrupted), CliEndToEndTest.finalNumbers(taken));
    }

    @Test
    void aSigtermedWorkerLeavesTheParentToTheOthersWhichFinishWithOneSummary() throws Exception {
        Path spec = spec(SPEC);
        Path store = tmp.resolve("store");
        Process a = worker("a", spec, store, Map.of(), "--resume");
        Process b = worker("b", spec, store, Map.of(), "--resume");
        Optional<RunRecord> stopped = awaitRun(store, a, trainingBy(a, 300));
        assertTrue(stopped.isPresent() && a.isAlive(), "A never reached step 300" + logs("a", "b"));
        a.destroy(); // SIGTERM, as scancel sends it
        assertExit(a, 130, logs("a"));
        assertTrue(b.isAlive(), "B must still be at work for this test to mean anything" + logs("b"));

        RunRecord killed = new LocalRunStore(store).readRun(stopped.get().id()).orElseThrow();
        assertEquals(RunStatus.KILLED, killed.status());
        RunRecord parent = parent(store);
        assertEquals(RunStatus.RUNNING, parent.status(), "the stopped worker did not end the shared parent");
        assertEquals(0, journalLines(parent, "end", null));
        assertEquals(0, journalLines(parent, "artifact", "summary"), "no partial summary");
        assertTrue(parent.history("sweep/trials_finished").isEmpty(), "no partial sweep metrics");
        assertTrue(Files.readString(tmp.resolve("a.log")).contains("other worker(s)"), log("a"));

        assertExit(b, 0, logs("a", "b"));
        assertEachTrialOnce(store, 4);
        assertOneSummary(store, 4);
        RunRecord continued = new LocalRunStore(store).readRun(killed.id()).orElseThrow();
        assertTrue(continued.tags().get("genlab.claim.owner").endsWith(pidOf(b)), continued.tags().toString());
        assertTrue(Integer.parseInt(continued.tags().get("genlab.resumed_from_step")) >= 300, continued.tags()
                .toString());
    }

    @Test
    void aCorruptedClaimFileExitsTwoNamingTheFileAndTheFix() throws Exception {
        Path spec = spec(SPEC.replace("steps: 1200", "steps: 40").replace("seeds: [0, 1, 2, 3]", "seeds: [0]"));
        Path store = tmp.resolve("store");
        CliEndToEndTest.Outcome first = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(),
                "--resume", "--quiet");
        assertEquals(0, first.code(), first.err());
        Path lease;
        try (Stream<Path> files = Files.walk(store.resolve("claims-cli/claims"))) {
            lease = files.filter(p -> p.getFileName().toString().equals("lease-000001.json"))
                    .filter(p -> p.getParent().getFileName().toString().startsWith("trial-")).findFirst()
                    .orElseThrow();
        }
        Files.writeString(lease, "{\"format\":1,\"key\":\"trial-");
        CliEndToEndTest.Outcome o = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(),
                "--resume", "--quiet");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(lease.toAbsolutePath().toString()), o.err());
        assertTrue(o.err().contains("rm '"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertEquals(2, new LocalRunStore(store).readRuns("claims-cli").size(), "nothing more recorded");

        // The fix works: without the file the trial is found FINISHED by its record, nothing is retrained.
        Files.delete(lease);
        o = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(), "--resume", "--quiet");
        assertEquals(0, o.code(), o.err());
        assertEquals(2, new LocalRunStore(store).readRuns("claims-cli").size(), "nothing retrained");
        // The summary's claim is read the same way.
        Path summary;
        try (Stream<Path> files = Files.walk(store.resolve("claims-cli/claims"))) {
            summary = files.filter(p -> p.getParent().getFileName().toString().startsWith("summary-"))
                    .filter(p -> p.getFileName().toString().startsWith("lease-")).findFirst().orElseThrow();
        }
        Files.writeString(summary, "garbage");
        o = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(), "--resume", "--quiet");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("rm '" + summary.toAbsolutePath() + "'"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void impossibleShardsExitTwoWithTheFix() throws Exception {
        Path spec = spec(SPEC);
        Path store = tmp.resolve("store");
        CliEndToEndTest.Outcome o = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(),
                "--shard", "3/3");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("0/3 ... 2/3"), o.err());
        o = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(), "--shard", "1of3");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("i/n") && o.err().contains("'1of3'"), o.err());
        assertFalse(Files.exists(store.resolve("claims-cli")), "nothing recorded");
    }
}
