package dev.genlab.tracking.claims;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Tells whether a process of this host is running, and since when: what makes a same-host claim stale. */
@FunctionalInterface
public interface ProcessProbe {

    /**
     * @param pid a process id of this host
     * @return the start time token of the process now running under {@code pid} (see {@link ClaimOwner}), or
     *     empty if no process has that pid
     */
    Optional<String> startOf(long pid);

    /**
     * The real probe: {@code /proc/<pid>/stat} on Linux (start time in clock ticks since boot, field 22),
     * {@link ProcessHandle} elsewhere (start instant in milliseconds).
     */
    ProcessProbe SYSTEM = pid -> {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                return Optional.of("ticks:" + startTicks(Files.readString(stat, StandardCharsets.US_ASCII)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                // A process that exits while we read it, or an unexpected format: fall through.
                if (!Files.exists(stat)) {
                    return Optional.empty();
                }
            }
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().startInstant().map(i -> "ms:" + i.toEpochMilli()).orElse(""));
    };

    /**
     * @param stat the contents of {@code /proc/<pid>/stat}
     * @return field 22, {@code starttime}; the command name (field 2) may contain spaces and parentheses,
     *     so fields are counted after its closing parenthesis
     */
    static long startTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field 22 is f[19].
        return Long.parseLong(f[19]);
    }
}
