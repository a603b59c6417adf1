package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.api.ParadigmProvider;
import dev.genlab.core.plugin.PluginJarBuilder;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genlab run --parallel N} end to end: a genlab process (as a user starts it) that starts N worker
 * JVMs on one store. Every trial once, to the numbers of a one-process run, with one summary; a second run
 * is a new sweep; a worker SIGKILLed mid-trial is taken over by the other, which was waiting for it; the
 * exit codes: a failing trial 1 (the sweep goes on), bad input 2 (no worker starts), SIGTERM 130 (trials
 * KILLED after a checkpoint, no summary), after which {@code --resume --parallel 2} completes the sweep.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS) // a regression in the workers must fail, not hang
class ParallelCliTest {

    private static final String SPEC = """
            name: parallel-cli
            seed: 0
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 120, batch_size: 128, log_every: 20, checkpoint_every: 100}
            evaluate: {samples: 500, metrics: [modes, stability]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.05}}
            sweep:
              seeds: [0, 1, 2, 3]
            """;

    /** Fails to create its model when {@code fail} is true: a trial that fails at run time. */
    private static final String BRITTLE = """
            package org.example.brittle;

            import ai.djl.ndarray.NDArray;
            import ai.djl.ndarray.NDManager;
            import ai.djl.ndarray.types.Shape;
            import dev.genlab.api.*;
            import java.io.*;
            import java.util.Map;

            public final class BrittleProvider implements ParadigmProvider {
                public String name() { return "brittle"; }
                public String description() { return "test paradigm that fails on request"; }
                public int apiVersion() { return GenlabApi.VERSION; }
                public ParamSchema parameters() {
                    return ParamSchema.builder().addBoolean("fail", false, "fail at model creation").build();
                }
                public Paradigm create(ParadigmSetup setup) {
                    if (setup.params().getBoolean("fail")) {
                        throw new IllegalStateException("brittle: failing as asked");
                    }
                    NDManager m = setup.manager().newSubManager();
                    int d = setup.shape().size();
                    return new Paradigm() {
                        NDArray mean = m.zeros(new Shape(d));
                        public StepResult trainStep(Batch b) {
                            NDArray next = mean.add(b.data().reshape(b.size(), d).mean(new int[] {0}).sub(mean)
                                    .mul(0.1));
                            next.attach(m);
                            mean.close();
                            mean = next;
                            return StepResult.of("loss", 0.0);
                        }
                        public Samples sample(SampleRequest r) {
                            return new Samples(m.randomNormal(new Shape(r.n(), d)).mul(0.1).add(mean), null, 1);
                        }
                        public Map<String, Long> parameterCounts() { return Map.of("mean", (long) d); }
                        public void save(OutputStream out) {}
                        public void load(InputStream in) {}
                        public void close() { m.close(); }
                    };
                }
            }
            """;

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process genlab(String log, String... args) throws IOException {
        Process p = ChildJvm.start(tmp.resolve(log + ".log"), Map.of(), args);
        started.add(p);
        return p;
    }

    private String log(String name) throws IOException {
        return "\n--- " + name + ".log\n" + Files.readString(tmp.resolve(name + ".log"));
    }

    private static int exit(Process p) throws InterruptedException {
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "genlab did not finish");
        return p.exitValue();
    }

    private static List<RunRecord> runs(Path store, String experiment) {
        return new LocalRunStore(store).readRuns(experiment);
    }

    private static List<RunRecord> parents(Path store, String experiment) {
        return runs(store, experiment).stream().filter(r -> r.parentRunId() == null).toList();
    }

    private static long journal(RunRecord run, String event, String containing) throws IOException {
        return Files.readAllLines(run.directory().resolve("journal.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"" + event + "\""))
                .filter(l -> containing == null || l.contains(containing)).count();
    }

    /**
     * The parent's trials each have exactly one run, every one ended with {@code status} (trained to its end
     * once), and the parent has one summary and ended FINISHED once.
     *
     * @return the children by trial hash
     */
    private static Map<String, RunRecord> assertOneSweep(Path store, String experiment, RunRecord parent, int trials,
            RunStatus status) throws IOException {
        List<RunRecord> children = runs(store, experiment).stream()
                .filter(r -> parent.id().equals(r.parentRunId())).toList();
        Map<String, List<RunRecord>> byTrial = children.stream()
                .collect(Collectors.groupingBy(r -> r.tags().get("genlab.trial_hash")));
        assertEquals(trials, byTrial.size(), "every trial: " + children);
        Map<String, RunRecord> out = new TreeMap<>();
        for (Map.Entry<String, List<RunRecord>> e : byTrial.entrySet()) {
            assertEquals(1, e.getValue().size(), "trial " + e.getKey() + " once: " + e.getValue());
            RunRecord r = e.getValue().get(0);
            assertEquals(status, r.status(), r.name());
            assertEquals(1, journal(r, "end", status.name()), "ended once: " + r.name());
            out.put(e.getKey(), r);
        }
        assertEquals(1, journal(parent, "artifact", "\"path\":\"summary.json\""), "one summary");
        assertEquals(1, journal(parent, "end", "FINISHED"), "the parent ended FINISHED once");
        assertEquals(1, parent.history("sweep/trials_finished").size());
        return out;
    }

    @Test
    void twoWorkerProcessesTrainEveryTrialOnceToTheNumbersOfOneProcessAndEachRunIsANewSweep() throws Exception {
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
        Path serialStore = tmp.resolve("serial");
        CliEndToEndTest.Outcome serial = CliEndToEndTest.genlab("run", spec.toString(), "--store",
                serialStore.toString(), "--quiet");
        assertEquals(0, serial.code(), serial.err());
        RunRecord serialParent = parents(serialStore, "parallel-cli").get(0);
        Map<String, RunRecord> one = assertOneSweep(serialStore, "parallel-cli", serialParent, 4, RunStatus.FINISHED);

        Path store = tmp.resolve("store");
        Process first = genlab("first", "run", spec.toString(), "--parallel", "2", "--store", store.toString());
        assertEquals(0, exit(first), log("first"));
        String out = Files.readString(tmp.resolve("first.log"));
        assertEquals(1, parents(store, "parallel-cli").size());
        RunRecord parent = parents(store, "parallel-cli").get(0);
        assertEquals(RunStatus.FINISHED, parent.status());
        Map<String, RunRecord> two = assertOneSweep(store, "parallel-cli", parent, 4, RunStatus.FINISHED);
        assertEquals(4.0, parent.latestValue("sweep/trials_finished").orElseThrow());
        assertEquals(one.keySet(), two.keySet());
        for (String hash : one.keySet()) {
            assertEquals(CliEndToEndTest.finalNumbers(one.get(hash)), CliEndToEndTest.finalNumbers(two.get(hash)),
                    "trial " + hash);
        }
        // The parent shows the sweep's progress and prints the whole sweep's table once.
        assertTrue(out.contains("2 worker processes for 4 trial(s)"), out);
        for (int i = 1; i <= 4; i++) {
            assertTrue(out.contains("[trial " + i + "/4] gaussian seed=" + (i - 1) + " (gaussian) on worker "), out);
        }
        assertTrue(out.contains("| 4/4 ended"), out);
        assertTrue(out.contains("ETA "), out);
        assertEquals(1, out.split("4 trial\\(s\\), 0 failed", -1).length - 1, "one table: " + out);
        System.out.println("trials per worker: " + two.values().stream()
                .collect(Collectors.groupingBy(r -> r.tags().get("genlab.claim.owner"), Collectors.counting())));

        // Again on the same store: a new sweep (like a plain run), not a resume of the first; quiet.
        Process second = genlab("second", "run", spec.toString(), "--parallel", "2", "--store", store.toString(),
                "--quiet");
        assertEquals(0, exit(second), log("second"));
        List<RunRecord> both = parents(store, "parallel-cli");
        assertEquals(2, both.size(), both.toString());
        for (RunRecord p : both) {
            assertOneSweep(store, "parallel-cli", p, 4, RunStatus.FINISHED);
            assertEquals(1, journal(p, "end", null), "ended once, by one worker");
        }
        String quiet = Files.readString(tmp.resolve("second.log"));
        assertFalse(quiet.contains("[trial ") || quiet.contains("ETA"), "no progress with --quiet: " + quiet);
        assertTrue(quiet.contains("4 trial(s), 0 failed"), quiet);
    }

    @Test
    void aWorkerKilledMidTrialIsTakenOverByTheOtherWhichWaitedForIt() throws Exception {
        // Two trials of very different length: one worker trains the short one, then has nothing left to
        // claim and waits for the long one, which the other worker holds.
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC
                .replace("seeds: [0, 1, 2, 3]", "parameters: {train.steps: [4000, 150]}"));
        Path store = tmp.resolve("store");
        Process run = genlab("kill", "run", spec.toString(), "--parallel", "2", "--store", store.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        Predicate<RunRecord> longOne = r -> r.name().contains("steps=4000");
        Optional<RunRecord> victim = Optional.empty();
        while (System.nanoTime() < deadline && run.isAlive()) {
            boolean waiting = Files.readString(tmp.resolve("kill.log")).contains("waiting for 1 trial(s)");
            victim = runs(store, "parallel-cli").stream().filter(r -> r.parentRunId() != null).filter(longOne)
                    .filter(r -> r.latest("train/nll").map(pt -> pt.step() >= 300).orElse(false)).findFirst();
            if (waiting && victim.isPresent()) {
                break;
            }
            Thread.sleep(50);
        }
        assertTrue(victim.isPresent() && run.isAlive(), "no worker waited while the other trained" + log("kill"));
        String owner = victim.get().tags().get("genlab.claim.owner");
        long pid = Long.parseLong(owner.substring(owner.lastIndexOf(' ') + 1));
        ProcessHandle worker = run.descendants().filter(h -> h.pid() == pid).findFirst().orElseThrow();
        assertTrue(worker.destroyForcibly(), "SIGKILL"); // no release, no flush: only the dead pid frees its claim
        assertEquals(0, exit(run), log("kill"));

        RunRecord parent = parents(store, "parallel-cli").get(0);
        assertEquals(RunStatus.FINISHED, parent.status());
        assertOneSweep(store, "parallel-cli", parent, 2, RunStatus.FINISHED);
        assertEquals(1, journal(parent, "end", null), "ended once, by the survivor");
        RunRecord taken = new LocalRunStore(store).readRun(victim.get().id()).orElseThrow();
        assertTrue(taken.tags().get("genlab.claim.taken_over_from").endsWith(" pid " + pid), taken.tags().toString());
        assertFalse(taken.tags().get("genlab.claim.owner").endsWith(" pid " + pid), taken.tags().toString());
        int from = Integer.parseInt(taken.tags().get("genlab.resumed_from_step"));
        assertTrue(from >= 200 && from % 100 == 0, "resumed from the killed worker's checkpoint: " + from);
    }

    @Test
    void exitCodesFollowTheSweepAFailingTrialOneBadInputTwoSigtermOneThirtyThenResumeCompletes() throws Exception {
        // A failing trial: the other trial still trains, exit 1, the summary counts the failure.
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        PluginJarBuilder.create(plugins, "brittle-1.0.jar")
                .source("org.example.brittle.BrittleProvider", BRITTLE)
                .service(ParadigmProvider.class, "org.example.brittle.BrittleProvider")
                .build();
        Path brittle = Files.writeString(tmp.resolve("brittle.yaml"), """
                name: brittle
                dataset: {name: ring8, params: {n: 2000}}
                train: {steps: 40, batch_size: 64, log_every: 10}
                evaluate: {samples: 300, metrics: [modes]}
                paradigms:
                  - {name: b, plugin: brittle}
                sweep:
                  parameters: {b.fail: [true, false]}
                """);
        Path failStore = tmp.resolve("fail-store");
        Process failing = genlab("failing", "run", brittle.toString(), "--plugins-dir", plugins.toString(),
                "--parallel", "2", "--store", failStore.toString(), "--quiet");
        assertEquals(1, exit(failing), log("failing"));
        RunRecord failParent = parents(failStore, "brittle").get(0);
        assertEquals(RunStatus.FAILED, failParent.status());
        assertEquals(1.0, failParent.latestValue("sweep/trials_failed").orElseThrow());
        assertEquals(1.0, failParent.latestValue("sweep/trials_finished").orElseThrow());
        assertTrue(Files.readString(tmp.resolve("failing.log")).contains("2 trial(s), 1 failed"), log("failing"));

        // Bad input: the parent says so and starts no worker.
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC.replace("steps: 120", "steps: 3000")
                .replace("seeds: [0, 1, 2, 3]", "seeds: [0, 1]"));
        Path store = tmp.resolve("store");
        CliEndToEndTest.Outcome bad = CliEndToEndTest.genlab("run", spec.toString(), "gausian.lr=0.1", "--parallel",
                "2", "--store", store.toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("gaussian"), "names the fix: " + bad.err());
        assertFalse(Files.exists(store.resolve("parallel-cli")), "nothing recorded");

        // SIGTERM to the parent (as scancel or Ctrl-C): forwarded; trials end KILLED; no summary; 130.
        Process stopped = genlab("stopped", "run", spec.toString(), "--parallel", "2", "--store", store.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline && stopped.isAlive() && runs(store, "parallel-cli").stream()
                .filter(r -> r.parentRunId() != null)
                .filter(r -> r.latest("train/nll").map(pt -> pt.step() >= 200).orElse(false)).count() < 2) {
            Thread.sleep(50);
        }
        assertTrue(stopped.isAlive(), "both workers never trained" + log("stopped"));
        stopped.destroy();
        assertEquals(130, exit(stopped), log("stopped"));
        RunRecord parent = parents(store, "parallel-cli").get(0);
        assertEquals(RunStatus.KILLED, parent.status(), log("stopped"));
        assertEquals(0, journal(parent, "artifact", "summary"), "no partial summary");
        List<RunRecord> killed = runs(store, "parallel-cli").stream().filter(r -> r.parentRunId() != null)
                .filter(r -> r.status() == RunStatus.KILLED).toList();
        assertEquals(2, killed.size(), "both workers' trials ended KILLED" + log("stopped"));
        assertTrue(Files.readString(tmp.resolve("stopped.log")).contains("SIGTERM received"), log("stopped"));

        // --resume with workers continues the same sweep from the checkpoints and summarises it once.
        Process resumed = genlab("resumed", "run", spec.toString(), "--parallel", "2", "--resume", "--store",
                store.toString(), "--quiet");
        assertEquals(0, exit(resumed), log("resumed"));
        assertEquals(1, parents(store, "parallel-cli").size());
        RunRecord done = parents(store, "parallel-cli").get(0);
        assertEquals(RunStatus.FINISHED, done.status());
        Map<String, RunRecord> trials = assertOneSweep(store, "parallel-cli", done, 2, RunStatus.FINISHED);
        for (RunRecord k : killed) {
            RunRecord r = trials.get(k.tags().get("genlab.trial_hash"));
            assertEquals(k.id(), r.id(), "continued in its run");
            assertTrue(Integer.parseInt(r.tags().get("genlab.resumed_from_step")) >= 200, r.tags().toString());
        }
    }
}
