package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import dev.genlab.tracking.mlflow.MlflowServer;
import dev.genlab.tracking.mlflow.PythonMlflow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/cluster/genlab-array.slurm on a real single-node Slurm (Debian's slurm-wlm with munge, started by
 * scripts/slurm-local on 127.0.0.1 with the machine's real cores): array tasks share one local store and
 * train every trial exactly once, whatever the array indices, a single index re-submitted while others
 * run, a cancelled task, or a task requeued before its time limit; exactly one summary. With an MLflow
 * server as well, the server gets every trial once under one parent.
 *
 * <p>Needs root (the daemons run as root, and slurm-wlm is installed with apt-get when missing).
 * Mandatory under {@code CI=true}; elsewhere skipped with a warning when that is impossible.
 */
@Tag("slurm")
@Timeout(value = 5, unit = TimeUnit.MINUTES) // per test: a hung scheduler or claim must fail, not hang
class SlurmClusterTest {

    private static final Path RECIPE = CliEndToEndTest.REPO.resolve("docs/cluster/genlab-array.slurm");
    private static final String NAME = "slurm-cluster";

    /** Tiny trials; the overrides on each submission set the length of training. */
    private static final String SPEC = """
            name: slurm-cluster
            seed: 0
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 300, batch_size: 128, log_every: 50, checkpoint_every: 100}
            evaluate: {samples: 300, metrics: [modes]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.05}}
            sweep:
              seeds: [0, 1, 2, 3]
            """;

    private static Path cluster;
    private static Thread stopOnExit;

    @TempDir
    Path tmp;

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // the first start installs slurm-wlm and munge
    static void startCluster() throws Exception {
        String uid = run(List.of("id", "-u"), Map.of(), 10).out().strip();
        if (!"0".equals(uid)) {
            skipOrFail("a local Slurm needs root (its daemons run as root), and this is uid " + uid);
        }
        cluster = Files.createTempDirectory("genlab-slurm-");
        // Jobs run genlab as the other child-JVM tests do: this test's class path, the distribution's logging.
        Path launcher = cluster.resolve("genlab");
        Files.writeString(launcher, "#!/bin/sh\nexec " + ChildJvm.command().stream().map(SlurmClusterTest::quote)
                .collect(Collectors.joining(" ")) + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        stopOnExit = new Thread(SlurmClusterTest::stopQuietly, "slurm-local-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit); // also when the test JVM is stopped mid-test
        Outcome started = run(List.of(script(), "start", cluster.toString()), Map.of(), 900);
        if (started.code() != 0) {
            stopQuietly();
            skipOrFail("scripts/slurm-local start exited " + started.code() + ": " + started.out().strip());
        }
        System.out.println("local Slurm: " + run(List.of(script(), "status", cluster.toString()), Map.of(), 30)
                .out().strip().replace('\n', ';'));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (stopOnExit != null) {
            stopQuietly();
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
            try (var files = Files.walk(cluster)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A failed test's jobs must not run on into the next test. */
    @AfterEach
    void cancelLeftoverJobs() throws Exception {
        run(List.of("scancel", "--quiet", "--user=root"), slurmEnv(), 30);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline
                && !run(List.of("squeue", "-h", "-o", "%i"), slurmEnv(), 30).out().isBlank()) {
            Thread.sleep(500);
        }
    }

    private static void stopQuietly() {
        try {
            Outcome o = run(List.of(script(), "stop", cluster.toString()), Map.of(), 120);
            if (o.code() != 0) {
                System.err.println("scripts/slurm-local stop exited " + o.code() + ": " + o.out());
            }
        } catch (Exception e) {
            System.err.println("scripts/slurm-local stop failed: " + e);
        }
    }

    private static void skipOrFail(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("the Slurm cluster tests are mandatory under CI=true: " + why);
        }
        System.err.println("\n*** WARN: SKIPPING the Slurm cluster tests (SlurmClusterTest): " + why + "\n");
        Assumptions.abort(why);
    }

    private static String script() {
        return CliEndToEndTest.REPO.resolve("scripts/slurm-local").toString();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    // ---- scenarios

    @Test
    void anArrayOfThreeTrainsEveryTrialOnceAndAnAfteranySummaryJobChangesNothing() throws Exception {
        Path store = tmp.resolve("store");
        String array = submit(store, List.of("--array=0-2"), "sweep.seeds=[0,1,2,3,4,5]");
        String summary = submit(store, List.of("--array=0", "--dependency=afterany:" + array),
                "sweep.seeds=[0,1,2,3,4,5]");
        awaitGone(array);
        awaitGone(summary);
        assertEquals(Map.of(0, "COMPLETED", 1, "COMPLETED", 2, "COMPLETED"), endStates(array), logs());
        assertEquals(Map.of(0, "COMPLETED"), endStates(summary), logs());
        assertEachTrialOnce(store, 6);
        assertOneSummary(store, 6);
    }

    @Test
    void aSteppedArrayTrainsEveryTrialOnce() throws Exception {
        Path store = tmp.resolve("store");
        String array = submit(store, List.of("--array=0-4:2"));
        awaitGone(array);
        assertEquals(Map.of(0, "COMPLETED", 2, "COMPLETED", 4, "COMPLETED"), endStates(array), logs());
        assertEachTrialOnce(store, 4);
        assertOneSummary(store, 4);
    }

    @Test
    void tasksRecordingToAnMlflowServerTooPutEveryTrialOnceOnTheServer() throws Exception {
        String python = MlflowCliTest.venvPython();
        PythonMlflow mlflow = PythonMlflow.probe(python).orElseThrow();
        try (MlflowServer server = MlflowServer.start(mlflow, tmp.resolve("server"), 0, Duration.ofSeconds(120))) {
            Path store = tmp.resolve("store");
            String array = submit(store, Map.of("MLFLOW_TRACKING_URI", server.uri()), List.of("--array=0-1"));
            awaitGone(array);
            assertEquals(Map.of(0, "COMPLETED", 1, "COMPLETED"), endStates(array), logs());
            assertEachTrialOnce(store, 4);
            assertOneSummary(store, 4);
            JsonNode runs = MlflowCliTest.readBack(python, ShardedSweepMlflowTest.READ_BACK, server.uri(), NAME);
            List<JsonNode> active = new ArrayList<>();
            runs.forEach(r -> {
                if ("active".equals(r.path("stage").asText())) {
                    active.add(r);
                }
            });
            List<JsonNode> parents = active.stream().filter(r -> r.path("parent").isNull()).toList();
            assertEquals(1, parents.size(), "one parent on the server: " + runs + logs());
            assertEquals("FINISHED", parents.get(0).path("status").asText());
            assertEquals(4.0, parents.get(0).path("metrics").path("sweep/trials_finished").asDouble());
            List<JsonNode> children = active.stream().filter(r -> !r.path("parent").isNull()).toList();
            assertEquals(4, children.size(), "each trial once on the server: " + runs + logs());
            assertEquals(4, children.stream().map(c -> c.path("trial").asText()).distinct().count());
            children.forEach(c -> assertEquals("FINISHED", c.path("status").asText(), c.toString()));
            Map<String, String> owners = ownerTasks();
            assertTrue(children.stream().allMatch(c -> owners.containsKey(c.path("owner").asText())),
                    "every run names the task that trained it: " + children + owners);
        }
    }

    @Test
    void oneIndexReSubmittedWhileTheOthersRunTrainsNoTrialTwice() throws Exception {
        Path store = tmp.resolve("store");
        // %1: task 1 waits for task 0, which leaves a core free for the re-submission.
        String array = submit(store, List.of("--array=0-1%1"), "train.steps=1200", "sweep.seeds=[0,1,2,3,4,5]");
        assertTrue(awaitRun(store, array, r -> step(r) >= 200).isPresent(), "task 0 never trained" + logs());
        String again = submit(store, List.of("--array=1"), "train.steps=1200", "sweep.seeds=[0,1,2,3,4,5]");
        awaitGone(array);
        awaitGone(again);
        assertEquals(Map.of(0, "COMPLETED", 1, "COMPLETED"), endStates(array), logs());
        assertEquals(Map.of(1, "COMPLETED"), endStates(again), logs());
        assertEachTrialOnce(store, 6);
        assertOneSummary(store, 6);
        Map<String, Long> byTask = trialsByTask(store);
        assertTrue(byTask.getOrDefault(again + "_1", 0L) >= 1, "the re-submitted task trained alongside: " + byTask
                + logs());
    }

    @Test
    void aCancelledTaskLeavesTheParentAndNoSummaryAndAReSubmissionCompletesWithOne() throws Exception {
        Path store = tmp.resolve("store");
        String array = submit(store, List.of("--array=0-1"), "train.steps=3000");
        // Both tasks train (two claim owners past step 300), then task 1 is cancelled (SIGTERM).
        Optional<RunRecord> second = awaitRun(store, array, r -> step(r) >= 300
                && trainingOwners(store, 300).size() == 2);
        assertTrue(second.isPresent(), "two tasks never trained at once" + logs());
        Map<String, String> owners = ownerTasks();
        run(List.of("scancel", array + "_1"), slurmEnv(), 30);
        awaitGone(array + "_1");
        assertEquals("CANCELLED", endStates(array).get(1), logs());
        assertTrue(isQueued(array + "_0"), "task 0 must still run for this to mean anything" + logs());

        RunRecord parent = parent(store);
        assertEquals(RunStatus.RUNNING, parent.status(), "the cancelled task did not end the parent" + logs());
        assertEquals(0, journalLines(parent, "artifact", "summary"), "no partial summary" + logs());
        assertTrue(parent.history("sweep/trials_finished").isEmpty(), "no partial sweep metrics");
        List<RunRecord> killed = children(store).stream().filter(r -> r.status() == RunStatus.KILLED).toList();
        assertEquals(1, killed.size(), "task 1's trial ended KILLED: " + children(store) + logs());
        assertEquals(array + "_1", owners.get(killed.get(0).tags().get("genlab.claim.owner")), owners.toString());

        // The rest of the array is cancelled too; then the sweep is re-submitted and completes.
        run(List.of("scancel", array), slurmEnv(), 30);
        awaitGone(array);
        assertEquals(RunStatus.KILLED, parent(store).status(), "no worker left: the parent ends KILLED" + logs());
        assertEquals(0, journalLines(parent(store), "artifact", "summary"), "still no summary" + logs());
        String again = submit(store, List.of("--array=0-1"), "train.steps=3000");
        awaitGone(again);
        assertEquals(Map.of(0, "COMPLETED", 1, "COMPLETED"), endStates(again), logs());
        assertEachTrialOnce(store, 4);
        assertOneSummary(store, 4);
        assertTrue(children(store).stream().filter(r -> r.tags().containsKey("genlab.resumed_from_step"))
                .allMatch(r -> Integer.parseInt(r.tags().get("genlab.resumed_from_step")) >= 100),
                "cancelled trials resumed from their checkpoints: " + children(store));
    }

    @Test
    void aTaskWarnedOfItsTimeLimitCheckpointsRequeuesAndResumes() throws Exception {
        Path store = tmp.resolve("store");
        String array = submit(store, List.of("--array=0"), "train.steps=2000", "sweep.seeds=[0]");
        Optional<RunRecord> running = awaitRun(store, array, r -> step(r) >= 300);
        assertTrue(running.isPresent(), "the task never trained" + logs());
        // What --signal=B:USR1@120 sends before the time limit: USR1 to the batch shell only.
        run(List.of("scancel", "--signal=USR1", "--batch", array + "_0"), slurmEnv(), 30);
        awaitGone(array);
        assertEquals("COMPLETED", endStates(array).get(0), logs());
        String log = Files.readString(taskLog(array + "_0"));
        assertTrue(log.contains("start 1") && log.contains("time limit near") && log.contains("start 2"),
                "one log, appended across the requeue: " + log);
        assertEachTrialOnce(store, 1);
        assertOneSummary(store, 1);
        RunRecord resumed = new LocalRunStore(store).readRun(running.get().id()).orElseThrow();
        assertTrue(Integer.parseInt(resumed.tags().getOrDefault("genlab.resumed_from_step", "0")) >= 300,
                "resumed from the checkpoint written at the signal: " + resumed.tags());
    }

    // ---- Slurm

    private String submit(Path store, List<String> sbatch, String... overrides) throws Exception {
        return submit(store, Map.of(), sbatch, overrides);
    }

    private String submit(Path store, Map<String, String> extraEnv, List<String> sbatch, String... overrides)
            throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        if (!Files.exists(spec)) {
            Files.writeString(spec, SPEC);
            Files.createDirectories(tmp.resolve("logs"));
        }
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--chdir=" + tmp,
                "--output=" + tmp.resolve("logs/genlab-%A_%a.out"),
                // Tiny trials need far less than the recipe's 4G; the node's cores decide what runs at once.
                "--mem=512M"));
        cmd.addAll(sbatch);
        cmd.add(RECIPE.toString());
        cmd.addAll(List.of(overrides));
        Map<String, String> env = new LinkedHashMap<>(slurmEnv());
        env.put("GENLAB", cluster.resolve("genlab").toString());
        env.put("GENLAB_STORE", store.toString());
        env.put("SPEC", spec.toString());
        env.putAll(extraEnv);
        Outcome o = run(cmd, env, 60);
        assertEquals(0, o.code(), String.join(" ", cmd) + ": " + o.out());
        return o.out().strip().split(";")[0];
    }

    private static Map<String, String> slurmEnv() {
        return Map.of("SLURM_CONF", cluster.resolve("slurm.conf").toString());
    }

    /** True while the job (or array task) is pending, running or completing. */
    private static boolean isQueued(String job) throws Exception {
        Outcome o = run(List.of("squeue", "-h", "-r", "-j", job, "-o", "%i"), slurmEnv(), 30);
        // An id squeue no longer knows is an error, not an empty list.
        return o.code() == 0 && !o.out().isBlank();
    }

    private void awaitGone(String job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (isQueued(job)) {
            assertTrue(System.nanoTime() < deadline, "job " + job + " did not end within 240 s" + logs());
            Thread.sleep(500);
        }
    }

    /** The last state jobcomp/filetxt recorded for each task of an array job. */
    private static Map<Integer, String> endStates(String arrayJob) throws IOException {
        Map<Integer, String> states = new LinkedHashMap<>();
        Pattern line = Pattern.compile("JobState=(\\S+) .* ArrayJobId=" + arrayJob + " ArrayTaskId=(\\d+) ");
        for (String l : Files.readAllLines(cluster.resolve("jobcomp.txt"))) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                states.put(Integer.parseInt(m.group(2)), m.group(1));
            }
        }
        return states;
    }

    private Path taskLog(String task) {
        return tmp.resolve("logs/genlab-" + task + ".out");
    }

    /** Claim owner ({@code host pid N}) to array task ({@code job_index}), from the recipe's log lines. */
    private Map<String, String> ownerTasks() throws IOException {
        Map<String, String> owners = new LinkedHashMap<>();
        Pattern header = Pattern.compile("== \\S+ array task (\\d+_\\d+) \\(job \\d+\\) on (\\S+),");
        Pattern pid = Pattern.compile("== genlab pid (\\d+)");
        try (var files = Files.list(tmp.resolve("logs"))) {
            for (Path f : files.toList()) {
                String task = null;
                String host = null;
                for (String l : Files.readAllLines(f)) {
                    Matcher h = header.matcher(l);
                    Matcher p = pid.matcher(l);
                    if (h.find()) {
                        task = h.group(1);
                        host = h.group(2);
                    } else if (p.find() && task != null) {
                        owners.put(host + " pid " + p.group(1), task);
                    }
                }
            }
        }
        return owners;
    }

    private Map<String, Long> trialsByTask(Path store) throws IOException {
        Map<String, String> owners = ownerTasks();
        return children(store).stream().collect(Collectors.groupingBy(
                r -> owners.getOrDefault(r.tags().get("genlab.claim.owner"), "?"), Collectors.counting()));
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(tmp.resolve("logs"))) {
            for (Path f : files.sorted().toList()) {
                b.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
            b.append("\n--- jobcomp.txt\n").append(Files.readString(cluster.resolve("jobcomp.txt")));
        } catch (IOException e) {
            b.append("\n(logs unreadable: ").append(e).append(')');
        }
        return b.toString();
    }

    // ---- the store

    private static List<RunRecord> children(Path store) {
        return new LocalRunStore(store).readRuns(NAME).stream().filter(r -> r.parentRunId() != null).toList();
    }

    private static RunRecord parent(Path store) {
        List<RunRecord> parents = new LocalRunStore(store).readRuns(NAME).stream()
                .filter(r -> r.parentRunId() == null).toList();
        assertEquals(1, parents.size(), "one parent run: " + parents);
        return parents.get(0);
    }

    private static long step(RunRecord r) {
        return r.latest("train/nll").map(p -> p.step()).orElse(-1L);
    }

    /** Claim owners of RUNNING trials past the given step. */
    private static Set<String> trainingOwners(Path store, int step) {
        return children(store).stream().filter(r -> r.status() == RunStatus.RUNNING && step(r) >= step)
                .map(r -> r.tags().getOrDefault("genlab.claim.owner", "?")).collect(Collectors.toSet());
    }

    /** Polls the store every 200 ms (up to 180 s) while the job is queued. */
    private Optional<RunRecord> awaitRun(Path store, String job, Predicate<RunRecord> match) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && isQueued(job)) {
            if (Files.isDirectory(store)) {
                Optional<RunRecord> found = children(store).stream().filter(match).findFirst();
                if (found.isPresent()) {
                    return found;
                }
            }
            Thread.sleep(200);
        }
        return Optional.empty();
    }

    private static long journalLines(RunRecord run, String event, String containing) throws IOException {
        return Files.readAllLines(run.directory().resolve("journal.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"" + event + "\""))
                .filter(l -> containing == null || l.contains(containing)).count();
    }

    /** Each trial of the plan has exactly one run, FINISHED, trained to its end once. */
    private void assertEachTrialOnce(Path store, int trials) throws IOException {
        List<RunRecord> children = children(store);
        Map<String, List<RunRecord>> byTrial = children.stream()
                .collect(Collectors.groupingBy(r -> r.tags().get("genlab.trial_hash")));
        assertEquals(trials, byTrial.size(), "every trial: " + children + logs());
        Set<String> seeds = new TreeSet<>();
        for (List<RunRecord> runs : byTrial.values()) {
            assertEquals(1, runs.size(), "one run per trial: " + runs + logs());
            RunRecord r = runs.get(0);
            assertEquals(RunStatus.FINISHED, r.status(), r.name() + logs());
            assertEquals(1, journalLines(r, "end", "FINISHED"), "trained to the end once: " + r.name() + logs());
            seeds.add(r.tags().get("genlab.seed"));
        }
        assertEquals(trials, seeds.size(), "distinct seeds: " + seeds);
    }

    /** Exactly one summary: one summary.json, one value of each sweep metric, the parent FINISHED. */
    private void assertOneSummary(Path store, int trials) throws IOException {
        RunRecord parent = parent(store);
        assertEquals(RunStatus.FINISHED, parent.status(), logs());
        assertEquals(1, journalLines(parent, "artifact", "\"path\":\"summary.json\""), "one summary.json" + logs());
        assertEquals(1, journalLines(parent, "end", "FINISHED"), "the parent finished once" + logs());
        assertEquals(1, parent.history("sweep/trials_finished").size(), logs());
        assertEquals(trials, parent.latestValue("sweep/trials_finished").orElseThrow());
    }

    // ---- processes

    record Outcome(int code, String out) {}

    /** Runs a command to its end (stdout and stderr together), without this test's scheduler variables. */
    private static Outcome run(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_") || k.equals("MLFLOW_TRACKING_URI")
                || k.equals("JOB_COMPLETION_INDEX"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("slurm-cmd", ".out");
        try {
            Process p = pb.redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not end within " + timeoutSeconds
                        + " s");
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
