package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between the tracker and a real MLflow server: injected HTTP errors and timeouts (through a
 * loopback fault proxy), the server killed mid-sweep and restarted, and refused credentials. In every
 * case the server ends up with exactly the records that were produced: each run once, each metric value
 * once, every param, tag and artifact.
 */
@ExtendWith(MlflowTestServer.class)
class MlflowFaultTest {

    @TempDir
    Path tmp;

    private static MlflowTracker open(String uri, Path store, Function<String, String> env) {
        return MlflowTracker.open(MlflowSettings.resolve(uri, env), new LocalRunStore(store), SweepFixture.FAST, env);
    }

    @Test
    void errorsAndTimeoutsAreRetriedAndNothingIsDuplicated(MlflowTestServer.Handle server) throws Exception {
        Path store = tmp.resolve("runs");
        try (FaultProxy proxy = new FaultProxy(server.uri())) {
            proxy.failBefore("runs/create", 500, 2)        // never reached the server
                    .failAfter("runs/create", 500, 1)       // created, answer lost: the client repeats it
                    .delayAfter("runs/create", 4_500, 1)    // created, answer later than the 3 s timeout
                    .failBefore("runs/log-batch", 429, 1)   // rate limited
                    .failBefore("runs/log-batch", 503, 3)
                    .failAfter("runs/log-batch", 502, 2)    // applied, answer lost: sent again
                    .delayAfter("runs/log-batch", 4_500, 1) // applied, answer too late
                    .failBefore("mlflow-artifacts", 500, 2)
                    .failAfter("mlflow-artifacts", 500, 1)
                    .failAfter("runs/update", 500, 1);
            MlflowWriter.Stats stats;
            try (MlflowTracker t = open(proxy.uri(), store, k -> null)) {
                SweepFixture.run(t, "injected-faults", 2, 300, tmp.resolve("work"), s -> {});
                t.flush();
                stats = t.stats();
            }
            assertTrue(proxy.exhausted(), "every scheduled fault fired");
            SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(server.readBack(server.uri(),
                    "injected-faults"), new LocalRunStore(store), "injected-faults");
            assertEquals(new SweepFixture.Counts(3, 10, 24, 2 * (300 * 2 + 2) + 1, 9), c);
            assertTrue(stats.retries() >= 5, "genlab retried (" + stats.retries() + ")");
            assertEquals(0, stats.outages(), "transient faults are not an outage");
            System.out.println("[fault-test] injected " + proxy.injected() + " faults (429/5xx before and after "
                    + "forwarding, 4.5 s delays); genlab retried " + stats.retries() + " times; server holds " + c);
        }
    }

    @Test
    void serverKilledMidSweepAndRestartedEndsWithExactlyTheRecordsProduced(MlflowTestServer.Handle server) {
        Path store = tmp.resolve("runs");
        MlflowServer srv = server.server();
        MlflowWriter.Stats stats;
        try (CapturedLogs logs = new CapturedLogs();
                MlflowTracker t = open(server.uri(), store, k -> null)) {
            SweepFixture.run(t, "killed-server", 3, 300, tmp.resolve("work"), step -> {
                pause(); // a training step takes a while: the writer keeps up as it would
                if (step == 150) {
                    srv.kill(); // SIGKILL to the whole server tree, mid-trial 1
                } else if (step == 400) {
                    // Training went on for 250 steps meanwhile. The server comes back (mid-trial 2) only once the
                    // writer has given up retrying and declared the outage: a restart inside the retry budget
                    // would be a transient fault, not the outage this test is about.
                    awaitOutage(t);
                    srv.restart(Duration.ofMinutes(3));
                }
            });
            assertTrue(logs.contains("is unreachable"), "the outage was reported");
            // The writer notices the recovery at its next probe, which may come after the last training step
            // (the steps after the restart take about a second): flush() waits for it and for the replay.
            t.flush();
            assertTrue(logs.contains("reachable again"), "the recovery was reported");
            stats = t.stats();
        }
        // A sync afterwards finds nothing missing: the writer already replayed what the outage held back.
        MlflowSync.Report after;
        try (MlflowSync sync = MlflowSync.connect(MlflowSettings.resolve(server.uri(), k -> null), SweepFixture.FAST,
                k -> null)) {
            after = sync.sync(new LocalRunStore(store), List.of("killed-server"), r -> {});
        }
        assertTrue(after.runs().stream().allMatch(RunSyncResult::unchanged), after.summary());
        SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(server.readBack(server.uri(), "killed-server"),
                new LocalRunStore(store), "killed-server");
        assertEquals(new SweepFixture.Counts(4, 15, 34, 3 * (300 * 2 + 2) + 1, 13), c);
        assertEquals(1, stats.outages());
        assertTrue(stats.replays() >= 2, "runs touched during the outage were replayed: " + stats.replays());
        System.out.println("[fault-test] server killed at step 150, restarted at step 400: " + stats.replays()
                + " run(s) replayed after the outage; server holds " + c);
    }

    @Test
    void serverDownAtTheEndIsCaughtUpBySyncWithoutDuplicates(MlflowTestServer.Handle server) throws Exception {
        Path store = tmp.resolve("runs");
        try (FaultProxy proxy = new FaultProxy(server.uri())) {
            try (MlflowTracker t = open(proxy.uri(), store, k -> null)) {
                SweepFixture.run(t, "down-at-end", 2, 200, tmp.resolve("work"), step -> {
                    if (step == 250) {
                        t.flush(); // the server has everything up to here...
                        proxy.down(true); // ...and then becomes unreachable until the process ends
                    }
                });
            }
            proxy.down(false);
            MlflowSettings s = MlflowSettings.resolve(proxy.uri(), k -> null);
            MlflowSync.Report first;
            MlflowSync.Report again;
            try (MlflowSync sync = MlflowSync.connect(s, SweepFixture.FAST, k -> null)) {
                first = sync.sync(new LocalRunStore(store), List.of("down-at-end"), r -> {});
                again = sync.sync(new LocalRunStore(store), List.of("down-at-end"), r -> {});
            }
            assertTrue(first.ok(), first.summary());
            int sent = first.runs().stream().mapToInt(RunSyncResult::metricPoints).sum();
            assertTrue(sent > 0 && sent < 2 * (200 * 2 + 2) + 1, "sync sent only what was missing: " + sent);
            assertEquals(0, first.runs().stream().filter(RunSyncResult::created).count(),
                    "runs the live writer had created are reused, not created again: " + first.summary());
            assertTrue(again.runs().stream().allMatch(RunSyncResult::unchanged), again.summary());
            SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(server.readBack(server.uri(), "down-at-end"),
                    new LocalRunStore(store), "down-at-end");
            assertEquals(2 * (200 * 2 + 2) + 1, c.metricPoints());
            System.out.println("[fault-test] server unreachable from step 250 to the end; sync sent " + first.summary()
                    + "; a second sync: " + again.summary() + "; server holds " + c);
        }
    }

    private static void awaitOutage(MlflowTracker t) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (t.stats().outages() == 0) {
            assertTrue(System.nanoTime() < deadline, "the writer never declared the outage: " + t.stats());
            pause();
        }
    }

    /** About a millisecond: the pace of a small training step. */
    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void wrongPasswordFailsBeforeTrainingWithAClearMessageAndKeepsTheLocalStore(MlflowTestServer.Handle server)
            throws Exception {
        Path store = tmp.resolve("runs");
        String earlier;
        try (LocalRunStore local = new LocalRunStore(store)) {
            earlier = local.startRun(local.experiment("auth"), "earlier", null, Map.of());
            local.logMetrics(earlier, List.of(new MetricPoint("train/loss", 1, 0, 1)));
            local.endRun(earlier, RunStatus.FINISHED);
        }
        String right = "s3cr3t-Right";
        String wrong = "s3cr3t-Wrong";
        try (FaultProxy proxy = new FaultProxy(server.uri());
                CapturedLogs logs = new CapturedLogs()) {
            proxy.requireAuthorization(basic("alice", right));
            Map<String, String> env = Map.of(MlflowSettings.ENV_USERNAME, "alice", MlflowSettings.ENV_PASSWORD, wrong);
            MlflowTrackingException e = assertThrows(MlflowTrackingException.class,
                    () -> open(proxy.uri(), store, env::get));
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("MLFLOW_TRACKING_PASSWORD")
                    && e.getMessage().contains("401"), e.getMessage());
            assertFalse(e.getMessage().contains(wrong), "the password never appears in errors");
            List<RunRecord> kept = new LocalRunStore(store).readRuns("auth");
            assertEquals(1, kept.size(), "the local store is untouched");
            assertEquals(earlier, kept.get(0).id());

            // Credentials revoked mid-run: training goes on, everything stays local, sync sends it later.
            Map<String, String> good = Map.of(MlflowSettings.ENV_USERNAME, "alice", MlflowSettings.ENV_PASSWORD, right);
            try (MlflowTracker t = open(proxy.uri(), store, good::get)) {
                SweepFixture.run(t, "auth", 1, 100, tmp.resolve("work"), step -> {
                    if (step == 30) {
                        proxy.requireAuthorization(basic("alice", "rotated"));
                    }
                });
                t.flush();
                assertEquals(MlflowWriter.Mode.AUTH_FAILED, t.mode());
            }
            assertTrue(logs.contains("refused the credentials"), "the refusal was reported");
            assertEquals(3, new LocalRunStore(store).readRuns("auth").size(), "all runs are in the local store");
            proxy.requireAuthorization(basic("alice", right));
            try (MlflowSync sync = MlflowSync.connect(MlflowSettings.resolve(proxy.uri(), good::get),
                    SweepFixture.FAST, good::get)) {
                assertTrue(sync.sync(new LocalRunStore(store), List.of("auth"), r -> {}).ok());
            }
            SweepFixture.assertServerHoldsExactly(server.readBack(server.uri(), "auth"), new LocalRunStore(store),
                    "auth");
            for (String m : logs.messages()) {
                assertFalse(m.contains(right) || m.contains(wrong), "a log line shows a password: " + m);
            }
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
