package dev.genlab.tracking.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claim files: atomic taking, staleness by pid and by heartbeat, takeover, release, groups, corruption. */
class FileClaimsTest {

    private static final ClaimSettings FAST = new ClaimSettings(Duration.ofSeconds(10), Duration.ofSeconds(1));

    @TempDir
    Path tmp;

    private final AtomicLong now = new AtomicLong(1_000_000);
    /** pid to start token of the "running" processes of the fake host. */
    private final Map<Long, String> running = new HashMap<>();

    private ClaimOwner owner(String host, long pid) {
        running.putIfAbsent(pid, "ticks:" + pid * 10);
        return new ClaimOwner(host, "boot-1", pid, "ticks:" + pid * 10, "i" + pid);
    }

    private FileClaims claims(ClaimOwner self) {
        return new FileClaims(tmp.resolve("claims"), self, FAST, now::get,
                pid -> Optional.ofNullable(running.get(pid)), false);
    }

    private static boolean never(Lease l) {
        return false;
    }

    @Test
    void aKeyIsClaimedOnceAndTheHolderIsRecorded() throws Exception {
        FileClaims a = claims(owner("n1", 100));
        FileClaims b = claims(owner("n1", 200));
        Claim c = a.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        assertEquals(1, c.generation());
        assertFalse(c.takeover());
        assertTrue(b.acquire("trial-x", l -> !b.live(l)).isEmpty(), "a live holder keeps it");
        assertTrue(a.acquire("trial-x", l -> true).isEmpty(), "not even its holder claims it twice");
        Lease l = b.current("trial-x").orElseThrow();
        assertEquals(a.self(), l.owner());
        assertTrue(l.held());
        assertTrue(b.live(l));
        assertTrue(Files.isRegularFile(tmp.resolve("claims/trial-x/lease-000001.json")));
        try (var files = Files.list(tmp.resolve("claims/trial-x"))) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void ofManyRacingClaimantsExactlyOneWinsEachKey() throws Exception {
        int racers = 8;
        List<FileClaims> all = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            all.add(claims(owner("n1", 1000 + i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int k = 0; k < 40; k++) {
                String key = "trial-" + k;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> wins = new ArrayList<>();
                for (FileClaims c : all) {
                    // Replace anything that is not held by a live process: racers also fight over generation 2.
                    wins.add(pool.submit(() -> {
                        go.await();
                        return c.acquire(key, l -> !c.live(l)).isPresent();
                    }));
                }
                go.countDown();
                int won = 0;
                for (Future<Boolean> f : wins) {
                    won += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, won, "winners of " + key);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sameHostClaimIsStaleWhenItsPidIsDeadOrReused() {
        FileClaims a = claims(owner("n1", 100));
        FileClaims b = claims(owner("n1", 200));
        a.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        Lease l = b.current("trial-x").orElseThrow();
        now.addAndGet(Duration.ofHours(1).toMillis());
        assertFalse(b.stale(l), "same host, pid alive: live however old its heartbeat");
        running.put(100L, "ticks:999999");
        assertTrue(b.stale(l), "pid reused by a process with another start time");
        running.remove(100L);
        assertTrue(b.stale(l), "pid dead");
    }

    @Test
    void otherHostClaimIsStaleOnlyAfterItsHeartbeatExpires() {
        FileClaims far = claims(owner("n2", 100));
        FileClaims b = claims(owner("n1", 200));
        running.remove(100L); // n1 has no pid 100: must not matter for a claim of n2
        far.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        now.addAndGet(9_000);
        assertFalse(b.stale(b.current("trial-x").orElseThrow()));
        far.renew();
        now.addAndGet(9_000);
        assertFalse(b.stale(b.current("trial-x").orElseThrow()), "the heartbeat renewed it");
        now.addAndGet(2_000);
        assertTrue(b.stale(b.current("trial-x").orElseThrow()), "11 s without a heartbeat, ttl 10 s");
    }

    @Test
    void aRebootedHostIsJudgedByHeartbeatNotByPid() {
        ClaimOwner before = new ClaimOwner("n1", "boot-0", 100, "ticks:1000", "old");
        FileClaims old = claims(before);
        FileClaims b = claims(owner("n1", 200)); // boot-1: the same host name after a reboot
        running.put(100L, "ticks:1000"); // by chance, a process with the same pid and start ticks
        old.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        now.addAndGet(11_000);
        assertTrue(b.stale(b.current("trial-x").orElseThrow()));
    }

    @Test
    void aStaleClaimIsTakenOverAndTheOldHolderLearnsItLostIt() {
        FileClaims far = claims(owner("n2", 100));
        FileClaims b = claims(owner("n1", 200));
        Claim old = far.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        now.addAndGet(11_000);
        Claim taken = b.acquire("trial-x", b::stale).orElseThrow();
        assertEquals(2, taken.generation());
        assertTrue(taken.takeover());
        assertEquals(far.self(), taken.previousOwner());
        assertEquals(far.self(), b.current("trial-x").orElseThrow().previousOwner());

        assertFalse(old.lost());
        far.renew();
        assertTrue(old.lost(), "the next heartbeat notices generation 2");
        assertEquals(b.self(), old.lostTo());
        far.release(old, "KILLED");
        Lease current = b.current("trial-x").orElseThrow();
        assertEquals(2, current.generation());
        assertTrue(current.held(), "the old holder's release does not touch the new claim");
    }

    @Test
    void releaseRecordsTheOutcomeAndFreesTheKey() {
        FileClaims a = claims(owner("n1", 100));
        FileClaims b = claims(owner("n1", 200));
        Claim c = a.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        now.addAndGet(500);
        a.release(c, "KILLED");
        Lease l = b.current("trial-x").orElseThrow();
        assertFalse(l.held());
        assertEquals("KILLED", l.outcome());
        assertEquals(now.get(), l.releasedMs());
        assertFalse(b.stale(l), "a released claim is not stale: nobody holds it");
        assertTrue(b.acquire("trial-x", l2 -> l2.held() && b.stale(l2)).isEmpty(), "the policy decides");
        Claim next = b.acquire("trial-x", l2 -> !l2.held()).orElseThrow();
        assertEquals(2, next.generation());
        assertFalse(next.takeover());
        assertNull(next.previousOwner());
        a.renew(); // a released claim is not renewed (nor marked lost)
        assertFalse(c.lost());
    }

    @Test
    void heartbeatThreadRenewsHeldClaims() throws Exception {
        ClaimSettings quick = new ClaimSettings(Duration.ofSeconds(2), Duration.ofMillis(50));
        try (FileClaims real = new FileClaims(tmp.resolve("real"), quick)) {
            real.acquire("trial-x", FileClaimsTest::never).orElseThrow();
            long first = real.current("trial-x").orElseThrow().heartbeatMs();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (real.current("trial-x").orElseThrow().heartbeatMs() == first && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(real.current("trial-x").orElseThrow().heartbeatMs() > first, "renewed in the background");
        }
    }

    @Test
    void groupsListOnlyOtherLiveMembers() {
        FileClaims a = claims(owner("n1", 100));
        FileClaims b = claims(owner("n1", 200));
        FileClaims far = claims(owner("n2", 300));
        a.join("workers-s");
        b.join("workers-s");
        far.join("workers-s");
        assertEquals(2, a.otherLiveMembers("workers-s").size());
        running.remove(200L);
        assertEquals(List.of(far.self()), a.otherLiveMembers("workers-s"), "b's process is gone");
        now.addAndGet(11_000);
        assertEquals(List.of(), a.otherLiveMembers("workers-s"), "far's heartbeat expired");
        far.renew();
        assertEquals(List.of(far.self()), a.otherLiveMembers("workers-s"));
        far.leave("workers-s");
        assertEquals(List.of(), a.otherLiveMembers("workers-s"));
        assertEquals(List.of(), b.otherLiveMembers("nobody"));
    }

    @Test
    void aCorruptClaimFileIsNamedWithTheFix() throws Exception {
        FileClaims a = claims(owner("n1", 100));
        a.acquire("trial-x", FileClaimsTest::never).orElseThrow();
        Path file = tmp.resolve("claims/trial-x/lease-000001.json");
        for (String bad : List.of("", "{\"format\":1,\"key\":\"trial-x\"", "[1,2]", "{\"format\":7}",
                Files.readString(file).replace("\"held\"", "\"maybe\""),
                Files.readString(file).replace("\"trial-x\"", "\"trial-y\""))) {
            Files.writeString(file, bad);
            ClaimFileException e = assertThrows(ClaimFileException.class, () -> a.current("trial-x"), bad);
            assertEquals(file, e.file());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("rm '" + file + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("--resume"), e.getMessage());
            assertThrows(ClaimFileException.class, () -> a.acquire("trial-x", l -> true));
        }
        Files.writeString(tmp.resolve("claims/trial-x/lease-000002.json"), "garbage");
        assertThrows(ClaimFileException.class, () -> a.current("trial-x"), "the highest generation is read");
    }

    @Test
    void keysAreCheckedNames() {
        FileClaims a = claims(owner("n1", 100));
        for (String bad : List.of("", "../x", "a/b", "x".repeat(129))) {
            assertThrows(IllegalArgumentException.class, () -> a.acquire(bad, FileClaimsTest::never), bad);
        }
    }

    @Test
    void theRealProbeKnowsThisProcessAndAFinishedOne() throws Exception {
        ClaimOwner me = ClaimOwner.current();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertFalse(me.start().isEmpty());
        assertEquals(Optional.of(me.start()), ProcessProbe.SYSTEM.startOf(me.pid()));
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        Optional<String> after = ProcessProbe.SYSTEM.startOf(pid);
        assertTrue(after.isEmpty() || !after.equals(ProcessProbe.SYSTEM.startOf(me.pid())),
                "a reaped child is gone (or its pid already reused): " + after);
        assertTrue(ClaimOwner.current().sameProcess(me));
        assertFalse(ClaimOwner.current().equals(me), "a new instance each time");
    }

    @Test
    void procStatStartTimeSkipsACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 30 0 987654 "
                + "5000000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals(987654L, ProcessProbe.startTicks(stat));
    }

    @Test
    void ttlComesFromTheEnvironment() {
        assertEquals(ClaimSettings.DEFAULTS, ClaimSettings.fromEnvironment(k -> null));
        ClaimSettings s = ClaimSettings.fromEnvironment(Map.of(ClaimSettings.ENV_TTL, "40")::get);
        assertEquals(Duration.ofSeconds(40), s.ttl());
        assertEquals(Duration.ofSeconds(5), s.heartbeat());
        for (String bad : List.of("x", "1", "-5")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClaimSettings.fromEnvironment(Map.of(ClaimSettings.ENV_TTL, bad)::get));
            assertTrue(e.getMessage().contains(ClaimSettings.ENV_TTL), e.getMessage());
        }
    }
}
