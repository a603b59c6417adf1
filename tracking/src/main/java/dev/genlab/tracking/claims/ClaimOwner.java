package dev.genlab.tracking.claims;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Who holds a claim: a process, told apart from every other process that ever shares the store.
 *
 * <p>On Linux, {@code start} is the process's start time in clock ticks since boot (field 22 of
 * {@code /proc/<pid>/stat}), so a pid that the kernel has handed to another process since is recognised;
 * {@code bootId} ({@code /proc/sys/kernel/random/boot_id}) tells a reboot of the same host apart. Elsewhere
 * {@code start} is the start instant in milliseconds from {@link ProcessHandle.Info#startInstant()}.
 * {@code instance} is random per {@link Claims} object, so two stores opened by one process (tests run
 * workers as threads) are two owners.
 *
 * @param host host name
 * @param bootId the kernel's boot id, or {@code ""} where unknown
 * @param pid process id
 * @param start the process's start time ({@code ticks:<n>} or {@code ms:<n>}), or {@code ""} where unknown
 * @param instance random, one per claims object
 */
public record ClaimOwner(String host, String bootId, long pid, String start, String instance) {

    /** Checks for nulls. */
    public ClaimOwner {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(instance, "instance");
    }

    /** @return this process, with a new random instance */
    public static ClaimOwner current() {
        long pid = ProcessHandle.current().pid();
        return new ClaimOwner(hostName(), readBootId(), pid, ProcessProbe.SYSTEM.startOf(pid).orElse(""),
                UUID.randomUUID().toString().replace("-", "").substring(0, 8));
    }

    /**
     * @param other another owner
     * @return true if both run on one host since its last boot, where pids and start times compare
     */
    public boolean sameHost(ClaimOwner other) {
        return host.equals(other.host)
                && (bootId.isEmpty() || other.bootId.isEmpty() || bootId.equals(other.bootId));
    }

    /**
     * @param other another owner
     * @return true if both are the same operating-system process (possibly different instances)
     */
    public boolean sameProcess(ClaimOwner other) {
        return sameHost(other) && pid == other.pid && start.equals(other.start);
    }

    /** @return a name safe for files: host, pid and instance */
    public String id() {
        String h = host.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (h.length() > 64) {
            h = h.substring(0, 64);
        }
        return h + "-" + pid + "-" + instance;
    }

    /** @return e.g. {@code node7 pid 4242}, for messages and the {@code genlab.claim.owner} tag */
    public String describe() {
        return host + " pid " + pid;
    }

    @Override
    public String toString() {
        return describe() + " (start " + start + ", instance " + instance + ")";
    }

    private static String hostName() {
        Optional<String> kernel = firstLine(Path.of("/proc/sys/kernel/hostname"));
        if (kernel.isPresent() && !kernel.get().isBlank()) {
            return kernel.get().trim();
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static String readBootId() {
        return firstLine(Path.of("/proc/sys/kernel/random/boot_id")).map(String::trim).orElse("");
    }

    private static Optional<String> firstLine(Path file) {
        try {
            if (!Files.isReadable(file)) {
                return Optional.empty();
            }
            String s = Files.readString(file, StandardCharsets.US_ASCII);
            int nl = s.indexOf('\n');
            return Optional.of(nl < 0 ? s : s.substring(0, nl));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
