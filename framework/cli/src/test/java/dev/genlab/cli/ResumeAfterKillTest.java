package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: a sweep killed with SIGKILL in the middle of a trial (a child JVM) is completed by
 * {@code genlab run --resume}; the store holds each trial once, and the resumed trial ends with exactly the
 * numbers of an uninterrupted run with the same seed.
 */
class ResumeAfterKillTest {

    private static final String SPEC = """
            name: kill-resume
            seed: 0
            dataset: {name: ring8, params: {n: 4000}}
            train: {steps: 1500, batch_size: 128, log_every: 50, checkpoint_every: 100}
            evaluate: {samples: 1000, metrics: [modes, stability]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.02}}
            sweep:
              seeds: [0, 1, 2]
            """;

    @TempDir
    Path tmp;

    @Test
    void killMinus9ThenResumeCompletesTheSweepWithUninterruptedNumbers() throws Exception {
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
        Path store = tmp.resolve("store");
        Path log = tmp.resolve("child.log");
        Process child = ChildJvm.start(log, Map.of(), "run", spec.toString(), "--store", store.toString());

        // Kill it once the second trial has a checkpoint past step 100 and is still training.
        LocalRunStore reader = new LocalRunStore(store);
        Optional<RunRecord> second = awaitRun(reader, child, r -> "1".equals(r.tags().get("genlab.trial_index"))
                && r.latest("train/nll").map(p -> p.step() >= 300).orElse(false));
        assertTrue(second.isPresent() && child.isAlive(), "the child never reached trial 2, step 300:\n"
                + Files.readString(log));
        child.destroyForcibly(); // SIGKILL: no hook, no flush
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        RunRecord killed = reader.readRun(second.get().id()).orElseThrow();
        assertEquals(RunStatus.RUNNING, killed.status(), "a killed process cannot end its run");
        assertTrue(Files.isRegularFile(killed.directory().resolve("checkpoint/state.bin")));

        CliEndToEndTest.Outcome resumed = CliEndToEndTest.genlab("run", spec.toString(), "--store", store.toString(),
                "--resume", "--quiet");
        assertEquals(0, resumed.code(), resumed.err());

        List<RunRecord> runs = reader.readRuns("kill-resume");
        List<RunRecord> children = runs.stream().filter(r -> r.parentRunId() != null).toList();
        assertEquals(1, runs.size() - children.size(), "one parent run: " + runs);
        assertEquals(3, children.size(), "each trial exactly once: " + children);
        assertEquals(3, children.stream().map(r -> r.tags().get("genlab.trial_hash")).distinct().count());
        children.forEach(c -> assertEquals(RunStatus.FINISHED, c.status(), c.name()));
        assertEquals(RunStatus.FINISHED, runs.stream().filter(r -> r.parentRunId() == null).findFirst().orElseThrow()
                .status());
        RunRecord continued = reader.readRun(killed.id()).orElseThrow();
        int from = Integer.parseInt(continued.tags().get("genlab.resumed_from_step"));
        assertTrue(from >= 100 && from % 100 == 0, "resumed from a checkpoint: " + from);

        // The same trial, never interrupted.
        Path reference = tmp.resolve("reference");
        CliEndToEndTest.Outcome whole = CliEndToEndTest.genlab("run", spec.toString(), "--store",
                reference.toString(), "sweep.seeds=[1]", "--quiet");
        assertEquals(0, whole.code(), whole.err());
        RunRecord uninterrupted = new LocalRunStore(reference).readRuns("kill-resume").stream()
                .filter(r -> r.parentRunId() != null).findFirst().orElseThrow();
        assertEquals(uninterrupted.tags().get("genlab.trial_hash"), continued.tags().get("genlab.trial_hash"));
        Map<String, Double> expected = CliEndToEndTest.finalNumbers(uninterrupted);
        assertTrue(expected.containsKey(MetricKeys.eval("modes_covered")) && expected.containsKey("train/nll"), expected::toString);
        assertEquals(expected, CliEndToEndTest.finalNumbers(continued));
        System.out.printf("kill -9 at trial 2 step >= %d; resumed from step %d; final numbers equal: %s%n",
                second.get().latest("train/nll").orElseThrow().step(), from, expected);
    }

    @Test
    void sigtermEndsTheRunningTrialKilledWithACheckpointAndExits130() throws Exception {
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
        Path store = tmp.resolve("store");
        Path log = tmp.resolve("child.log");
        Process child = ChildJvm.start(log, Map.of(), "run", spec.toString(), "--store", store.toString());
        LocalRunStore reader = new LocalRunStore(store);
        Optional<RunRecord> first = awaitRun(reader, child,
                r -> r.latest("train/nll").map(p -> p.step() >= 150).orElse(false));
        assertTrue(first.isPresent() && child.isAlive(), "the child never reached step 150:\n" + Files.readString(log));
        child.destroy(); // SIGTERM, as Slurm and Kubernetes send it
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not stop after SIGTERM");
        assertEquals(130, child.exitValue(), Files.readString(log));

        List<RunRecord> runs = reader.readRuns("kill-resume");
        RunRecord trial = reader.readRun(first.get().id()).orElseThrow();
        assertEquals(RunStatus.KILLED, trial.status(), "the running trial ended KILLED");
        assertTrue(trial.tags().get("genlab.failure").startsWith("interrupted after step"), trial.tags().toString());
        assertTrue(Files.isRegularFile(trial.directory().resolve("checkpoint/state.bin")), "checkpointed");
        assertEquals(RunStatus.KILLED, runs.stream().filter(r -> r.parentRunId() == null).findFirst().orElseThrow()
                .status(), "the sweep's parent too");
        assertEquals(1, runs.size() - 1, "no further trial started: " + runs);
        assertTrue(Files.readString(log).contains("SIGTERM received"), Files.readString(log));
    }

    /**
     * Polls the store (every 50 ms, up to 90 s) while the child runs.
     *
     * @return the first run of the experiment that matches, or empty if the child ended or time ran out first
     */
    private static Optional<RunRecord> awaitRun(LocalRunStore reader, Process child, Predicate<RunRecord> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && child.isAlive()) {
            Optional<RunRecord> found = reader.readRuns("kill-resume").stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }
}
