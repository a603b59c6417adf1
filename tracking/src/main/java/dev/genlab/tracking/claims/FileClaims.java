package dev.genlab.tracking.claims;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link Claims} as files in the local run store, so that every process sharing the store (on one machine
 * or on a shared file system) sees them. Layout, under {@code <experiment>/claims/} (see
 * {@code docs/run-store.md}):
 * <pre>
 * &lt;key&gt;/lease-000001.json        generation 1 of the claim on &lt;key&gt;; later claims and takeovers
 * &lt;key&gt;/lease-000002.json        add the next generation, the highest one is the current claim
 * &lt;group&gt;/member-&lt;owner&gt;.json     a process working on &lt;group&gt; (deleted when it leaves)
 * </pre>
 *
 * <p>Taking a claim writes the whole lease to a temporary file and hard-links it to the next generation's
 * name: {@code link(2)} fails if the name exists, so exactly one of several racing processes creates it,
 * and readers never see a partial file. (On NFS a retransmitted link may report "exists" although it
 * succeeded; the taker then recognises its own random nonce in the file.) Heartbeats and releases replace
 * the holder's own generation file by an atomic rename. Generations are never deleted: they are the
 * history of who worked on what.
 */
public final class FileClaims implements Claims, AutoCloseable {

    /** The folder in an experiment's directory. */
    public static final String DIR = "claims";

    static final int FORMAT = 1;
    private static final Logger LOG = LogManager.getLogger(FileClaims.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern LEASE_FILE = Pattern.compile("lease-(\\d{1,18})\\.json");
    private static final String MEMBER_PREFIX = "member-";

    private final Path dir;
    private final ClaimOwner self;
    private final ClaimSettings settings;
    private final LongSupplier clock;
    private final ProcessProbe probe;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Map<String, Claim> held = new ConcurrentHashMap<>();
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final Object heartbeatLock = new Object();
    private ScheduledExecutorService heartbeat;
    private final boolean background;
    private volatile boolean closed;

    /**
     * Claims as this process.
     *
     * @param dir the claims folder ({@code <experiment>/claims}), created on first claim
     * @param settings timing
     */
    public FileClaims(Path dir, ClaimSettings settings) {
        this(dir, ClaimOwner.current(), settings, System::currentTimeMillis, ProcessProbe.SYSTEM);
    }

    /**
     * Claims as a given owner, with a given clock and process probe (tests, tools).
     *
     * @param dir the claims folder
     * @param self the owner written into claims
     * @param settings timing
     * @param clock milliseconds since the epoch
     * @param probe tells whether a process of this host runs
     */
    public FileClaims(Path dir, ClaimOwner self, ClaimSettings settings, LongSupplier clock, ProcessProbe probe) {
        this(dir, self, settings, clock, probe, true);
    }

    /** @param background false: no heartbeat thread, {@link #renew()} only when called (tests with a fake clock) */
    FileClaims(Path dir, ClaimOwner self, ClaimSettings settings, LongSupplier clock, ProcessProbe probe,
            boolean background) {
        this.background = background;
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.self = Objects.requireNonNull(self, "self");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    /** @return the claims folder */
    public Path directory() {
        return dir;
    }

    @Override
    public ClaimOwner self() {
        return self;
    }

    @Override
    public Duration heartbeat() {
        return settings.heartbeat();
    }

    // -------------------------------------------------------------------------------------------- claims

    @Override
    public Optional<Lease> current(String key) {
        checkName(key, "claim key");
        Path kd = dir.resolve(key);
        if (!Files.isDirectory(kd)) {
            return Optional.empty();
        }
        long max = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(kd, "lease-*.json")) {
            for (Path p : ds) {
                Matcher m = LEASE_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the claims in " + kd, e);
        }
        return max == 0 ? Optional.empty() : Optional.of(readLease(leaseFile(kd, max), key, max));
    }

    @Override
    public Optional<Claim> acquire(String key, Predicate<Lease> replaceable) {
        checkName(key, "claim key");
        ensureOpen();
        Optional<Lease> cur = current(key);
        if (cur.isPresent()) {
            Lease l = cur.get();
            if (l.held() && l.owner().equals(self)) {
                return Optional.empty();
            }
            if (!replaceable.test(l)) {
                return Optional.empty();
            }
        }
        boolean takeover = cur.isPresent() && cur.get().held();
        long gen = cur.map(l -> l.generation() + 1).orElse(1L);
        Path kd = dir.resolve(key);
        Path target = leaseFile(kd, gen);
        long now = clock.getAsLong();
        Lease mine = new Lease(key, gen, self, UUID.randomUUID().toString(), now, now, settings.ttl().toMillis(),
                false, null, 0, takeover ? cur.get().owner() : null, target);
        boolean won;
        try {
            Files.createDirectories(kd);
            Path tmp = writeAside(kd, encode(mine));
            try {
                Files.createLink(target, tmp);
                won = true;
            } catch (FileAlreadyExistsException e) {
                won = readLease(target, key, gen).nonce().equals(mine.nonce());
            } catch (UnsupportedOperationException e) {
                throw new IllegalStateException("the file system of " + kd + " has no hard links, which genlab's "
                        + "claims need to be atomic; put the run store (--store) on another file system", e);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a claim in " + kd, e);
        }
        if (!won) {
            return Optional.empty();
        }
        Claim claim = new Claim(mine, takeover);
        held.put(key, claim);
        startHeartbeat();
        if (takeover) {
            LOG.info("took over the stale claim on {} from {}", key, cur.get().owner());
        }
        return Optional.of(claim);
    }

    /**
     * @param key a claim key
     * @return the claim this object holds on it (taken and neither released nor lost), or empty
     */
    public Optional<Claim> held(String key) {
        return Optional.ofNullable(held.get(key)).filter(c -> !c.lost() && !c.released());
    }

    @Override
    public boolean stale(Lease lease) {
        if (!lease.held()) {
            return false;
        }
        return !alive(lease.owner(), lease.heartbeatMs(), lease.ttlMs());
    }

    @Override
    public void release(Claim claim, String outcome) {
        Objects.requireNonNull(outcome, "outcome");
        synchronized (claim) {
            held.remove(claim.key(), claim);
            if (claim.lost() || isReleased(claim)) {
                return;
            }
            Lease l = claim.lease();
            try {
                if (lostTo(claim)) {
                    return;
                }
                Lease released = releasedAs(l, outcome);
                replace(l.file(), encode(released));
                update(claim, released);
                claim.markReleased();
            } catch (IOException e) {
                // The holder's pid (same host) or its missing heartbeats (other hosts) free the claim anyway.
                LOG.warn("cannot release the claim {}: {}", l.file(), e.toString());
            }
        }
    }

    // -------------------------------------------------------------------------------------------- groups

    @Override
    public void join(String group) {
        checkName(group, "group");
        ensureOpen();
        groups.add(group);
        try {
            writeMember(group);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot join " + dir.resolve(group), e);
        }
        startHeartbeat();
    }

    @Override
    public void leave(String group) {
        checkName(group, "group");
        groups.remove(group);
        try {
            Files.deleteIfExists(memberFile(group, self));
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", memberFile(group, self), e.toString());
        }
    }

    @Override
    public List<ClaimOwner> otherLiveMembers(String group) {
        checkName(group, "group");
        Path gd = dir.resolve(group);
        List<ClaimOwner> out = new ArrayList<>();
        if (!Files.isDirectory(gd)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(gd, MEMBER_PREFIX + "*.json")) {
            for (Path p : ds) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(p);
                } catch (NoSuchFileException e) {
                    continue; // left meanwhile
                }
                JsonNode n = parse(p, bytes);
                ClaimOwner o = owner(p, n.get("owner"));
                if (o.equals(self)) {
                    continue;
                }
                if (alive(o, longField(p, n, "heartbeat"), longField(p, n, "ttl_ms"))) {
                    out.add(o);
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + gd, e);
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------- heartbeat

    /**
     * Renews every claim and group membership of this object now (the heartbeat thread calls it every
     * {@link ClaimSettings#heartbeat()}); marks claims that another process took over as lost.
     */
    public void renew() {
        long now = clock.getAsLong();
        for (Claim c : held.values()) {
            synchronized (c) {
                if (c.lost() || isReleased(c)) {
                    continue;
                }
                try {
                    if (lostTo(c)) {
                        held.remove(c.key(), c);
                        continue;
                    }
                    Lease renewed = renewedAt(c.lease(), now);
                    replace(renewed.file(), encode(renewed));
                    update(c, renewed);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot renew the claim {}: {}", c.lease().file(), e.toString());
                }
            }
        }
        for (String g : groups) {
            try {
                writeMember(g);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot renew membership of {}: {}", dir.resolve(g), e.toString());
            }
        }
    }

    /** Stops the heartbeat. Claims still held stay in their files (and go stale once this process is gone). */
    @Override
    public void close() {
        closed = true;
        synchronized (heartbeatLock) {
            if (heartbeat != null) {
                heartbeat.shutdownNow();
                heartbeat = null;
            }
        }
    }

    private void startHeartbeat() {
        synchronized (heartbeatLock) {
            if (heartbeat != null || closed || !background) {
                return;
            }
            heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "genlab-claims-heartbeat");
                t.setDaemon(true);
                return t;
            });
            long period = settings.heartbeat().toMillis();
            heartbeat.scheduleWithFixedDelay(() -> {
                try {
                    renew();
                } catch (RuntimeException e) {
                    LOG.warn("claim heartbeat failed: {}", e.toString());
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    // -------------------------------------------------------------------------------------------- helpers

    /** Same host: the pid must run with the recorded start time. Other hosts: a recent heartbeat. */
    private boolean alive(ClaimOwner owner, long heartbeatMs, long ttlMs) {
        if (owner.equals(self)) {
            return true;
        }
        long now = clock.getAsLong();
        if (owner.sameHost(self)) {
            Optional<String> start = probe.startOf(owner.pid());
            if (start.isEmpty()) {
                return false; // no such process
            }
            if (!owner.start().isEmpty() && !start.get().equals(owner.start())) {
                return false; // the pid now belongs to another process
            }
            if (owner.sameProcess(self)) {
                // Another claims object of this very process: only its heartbeat tells.
                return now - heartbeatMs <= ttlMs;
            }
            return true;
        }
        return now - heartbeatMs <= ttlMs;
    }

    /** @return true (and marks the claim lost) if a later generation exists */
    private boolean lostTo(Claim c) {
        Path next = leaseFile(dir.resolve(c.key()), c.generation() + 1);
        if (!Files.exists(next)) {
            return false;
        }
        ClaimOwner to = null;
        try {
            to = readLease(next, c.key(), c.generation() + 1).owner();
        } catch (RuntimeException e) {
            LOG.debug("cannot read {}: {}", next, e.toString());
        }
        markLost(c, to);
        LOG.warn("the claim on {} was taken over by {}: this process stops working on it", c.key(),
                to == null ? "another process" : to);
        return true;
    }

    private void writeMember(String group) throws IOException {
        Path gd = dir.resolve(group);
        Files.createDirectories(gd);
        long now = clock.getAsLong();
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.set("owner", ownerNode(self));
        n.put("heartbeat", now);
        n.put("ttl_ms", settings.ttl().toMillis());
        replace(memberFile(group, self), bytes(n));
    }

    private Path memberFile(String group, ClaimOwner owner) {
        return dir.resolve(group).resolve(MEMBER_PREFIX + owner.id() + ".json");
    }

    private static Path leaseFile(Path keyDir, long generation) {
        return keyDir.resolve(String.format("lease-%06d.json", generation));
    }

    private byte[] encode(Lease l) {
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.put("key", l.key());
        n.put("generation", l.generation());
        n.put("state", l.released() ? "released" : "held");
        n.set("owner", ownerNode(l.owner()));
        n.put("nonce", l.nonce());
        n.put("acquired", l.acquiredMs());
        n.put("heartbeat", l.heartbeatMs());
        n.put("ttl_ms", l.ttlMs());
        if (l.released()) {
            n.put("outcome", l.outcome());
            n.put("released", l.releasedMs());
        }
        if (l.previousOwner() != null) {
            n.set("previous_owner", ownerNode(l.previousOwner()));
        }
        return bytes(n);
    }

    private byte[] bytes(ObjectNode n) {
        try {
            byte[] b = json.writeValueAsBytes(n);
            byte[] out = new byte[b.length + 1];
            System.arraycopy(b, 0, out, 0, b.length);
            out[b.length] = '\n';
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode ownerNode(ClaimOwner o) {
        ObjectNode n = json.createObjectNode();
        n.put("host", o.host());
        n.put("boot_id", o.bootId());
        n.put("pid", o.pid());
        n.put("start", o.start());
        n.put("instance", o.instance());
        return n;
    }

    private Lease readLease(Path file, String key, long generation) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the claim file " + file, e);
        }
        JsonNode n = parse(file, bytes);
        String state = textField(file, n, "state");
        if (!state.equals("held") && !state.equals("released")) {
            throw new ClaimFileException(file, "its state is '" + state + "', not held or released", null);
        }
        if (!key.equals(textField(file, n, "key"))) {
            throw new ClaimFileException(file, "it names the key '" + n.get("key").asText() + "', not '" + key
                    + "'", null);
        }
        if (longField(file, n, "generation") != generation) {
            throw new ClaimFileException(file, "it says generation " + n.get("generation").asText()
                    + ", its name " + generation, null);
        }
        boolean released = state.equals("released");
        JsonNode prev = n.get("previous_owner");
        return new Lease(key, generation, owner(file, n.get("owner")), textField(file, n, "nonce"),
                longField(file, n, "acquired"), longField(file, n, "heartbeat"), longField(file, n, "ttl_ms"),
                released, released ? textField(file, n, "outcome") : null,
                released ? longField(file, n, "released") : 0,
                prev == null || prev.isNull() ? null : owner(file, prev), file);
    }

    private JsonNode parse(Path file, byte[] bytes) {
        if (bytes.length == 0) {
            throw new ClaimFileException(file, "it is empty", null);
        }
        JsonNode n;
        try {
            n = json.readTree(bytes);
        } catch (IOException e) {
            throw new ClaimFileException(file, "it is not JSON (" + firstLine(e.getMessage()) + ")", e);
        }
        if (n == null || !n.isObject()) {
            throw new ClaimFileException(file, "it is not a JSON object", null);
        }
        JsonNode format = n.get("format");
        if (format == null || !format.canConvertToInt() || format.asInt() != FORMAT) {
            throw new ClaimFileException(file, "its format is " + format + ", this genlab reads format " + FORMAT,
                    null);
        }
        return n;
    }

    private static ClaimOwner owner(Path file, JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new ClaimFileException(file, "it has no owner", null);
        }
        return new ClaimOwner(textField(file, n, "host"), textField(file, n, "boot_id"), longField(file, n, "pid"),
                textField(file, n, "start"), textField(file, n, "instance"));
    }

    private static String textField(Path file, JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) {
            throw new ClaimFileException(file, "the field '" + name + "' is missing or not a string", null);
        }
        return v.asText();
    }

    private static long longField(Path file, JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isIntegralNumber()) {
            throw new ClaimFileException(file, "the field '" + name + "' is missing or not a whole number", null);
        }
        return v.asLong();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static Path writeAside(Path folder, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(folder, ".claim-", ".part");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    private static void replace(Path file, byte[] content) throws IOException {
        Path tmp = writeAside(file.getParent(), content);
        try {
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a " + what + " is 1 to 128 characters of [A-Za-z0-9._-], got "
                    + name);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the claims in " + dir + " are closed");
        }
    }

    private static boolean isReleased(Claim c) {
        return c.released();
    }

    private static void update(Claim c, Lease l) {
        c.update(l);
    }

    private static void markLost(Claim c, ClaimOwner to) {
        c.markLost(to);
    }

    private Lease releasedAs(Lease l, String outcome) {
        return l.releasedAs(outcome, clock.getAsLong());
    }

    private static Lease renewedAt(Lease l, long now) {
        return l.renewed(now);
    }
}
