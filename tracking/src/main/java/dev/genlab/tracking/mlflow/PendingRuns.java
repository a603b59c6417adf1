package dev.genlab.tracking.mlflow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Marker files for local runs that are not (yet) fully on one MLflow server, so that the next genlab
 * process that tracks to that server replays them (the write-ahead promise: an outage or a crash loses
 * nothing). Layout: {@code <store root>/.mlflow-pending/<hash of the server URI>/<local run id>}.
 *
 * <p>A process that is recording a run holds an OS file lock on its marker; another process (a parallel
 * shard, {@code genlab sync}) skips markers it cannot lock, so a run is never replayed while its own
 * process still writes it. A crashed process's locks vanish with it.
 */
final class PendingRuns {

    /** Name of the folder under the store root. */
    static final String DIR = ".mlflow-pending";

    private static final Logger LOG = LogManager.getLogger(PendingRuns.class);
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * Markers held anywhere in this JVM. POSIX record locks belong to the process, and closing any channel
     * on a file drops them all, so a second channel must never be opened on a held marker: this set is
     * JVM-wide because the locks are.
     */
    private static final Set<Path> HELD_IN_JVM = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final String uri;
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    /** A marker this process holds. */
    private record Held(FileChannel channel, FileLock lock) {}

    /**
     * @param storeRoot the local store's root
     * @param trackingUri the server (markers are per server)
     */
    PendingRuns(Path storeRoot, String trackingUri) {
        this.dir = storeRoot.resolve(DIR).resolve(hash(trackingUri));
        this.uri = trackingUri;
    }

    /**
     * Creates (or takes over) the marker of a run and holds its lock until {@link #release}.
     *
     * @param runId the local run id
     * @return true if this process now holds it; false if another live process does
     */
    boolean hold(String runId) {
        if (held.containsKey(runId)) {
            return true;
        }
        Path marker = dir.resolve(runId).toAbsolutePath().normalize();
        if (!HELD_IN_JVM.add(marker)) {
            return false; // another tracker in this JVM records it
        }
        boolean ok = false;
        try {
            Files.createDirectories(dir);
            Path readme = dir.resolve("server.txt");
            if (!Files.exists(readme)) {
                Files.writeString(readme, uri + "\n", StandardCharsets.UTF_8);
            }
            FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return false; // another process records it
            }
            held.put(runId, new Held(ch, lock));
            ok = true;
            return true;
        } catch (IOException e) {
            // Markers only speed up recovery; genlab sync finds every run without them.
            LOG.warn("cannot write the pending-sync marker of run {} in {}: {}", runId, dir, e.toString());
            return true;
        } finally {
            if (!ok) {
                HELD_IN_JVM.remove(marker);
            }
        }
    }

    /**
     * Lets go of a run's marker.
     *
     * @param runId the local run id
     * @param synced true if the run is fully on the server: the marker is deleted
     */
    void release(String runId, boolean synced) {
        Held h = held.remove(runId);
        Path marker = dir.resolve(runId).toAbsolutePath().normalize();
        try {
            if (synced) {
                Files.deleteIfExists(marker);
            }
            if (h != null) {
                h.lock().release();
                h.channel().close();
            }
        } catch (IOException e) {
            LOG.debug("releasing the marker of run {}: {}", runId, e.toString());
        } finally {
            if (h != null) {
                HELD_IN_JVM.remove(marker);
            }
        }
    }

    /**
     * Markers left by earlier processes (that are no longer running), now held by this one.
     *
     * @return their run ids
     */
    List<String> takeOrphans() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String id = p.getFileName().toString();
                if (RUN_ID.matcher(id).matches() && !held.containsKey(id) && hold(id)) {
                    out.add(id);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list pending-sync markers in {}: {}", dir, e.toString());
        }
        return out;
    }

    /** @return true if a marker exists for the run (held or not) */
    boolean isPending(String runId) {
        return Files.exists(dir.resolve(runId));
    }

    /** @return ids of runs whose markers this process holds */
    List<String> held() {
        return List.copyOf(held.keySet());
    }

    /** Releases every held marker without deleting any. */
    void releaseAll() {
        for (String id : held()) {
            release(id, false);
        }
    }

    /** @return an id for the server: the first 12 hex characters of the URI's SHA-256 */
    static String hash(String uri) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uri.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the folder for this server's markers, if present */
    Optional<Path> directory() {
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
}
