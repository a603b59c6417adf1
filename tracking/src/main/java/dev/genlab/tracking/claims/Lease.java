package dev.genlab.tracking.claims;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One generation of a claim, as recorded in its claim file: who took it, when it was last renewed, and
 * whether it was released (with the outcome the holder reported).
 *
 * @param key what is claimed, e.g. {@code trial-<trial hash>}
 * @param generation 1 for the first claim of the key, one more for each later claim or takeover
 * @param owner the process that took it
 * @param nonce random, written by the taker: how it recognises its own file
 * @param acquiredMs when it was taken (the owner's clock, ms since the epoch)
 * @param heartbeatMs when the owner last renewed it
 * @param ttlMs how long after the last heartbeat a holder on another host counts as gone
 * @param released true once the owner let go of it
 * @param outcome what the owner reported on release (e.g. {@code FINISHED}, {@code FAILED}, {@code KILLED}),
 *     or null
 * @param releasedMs when it was released, or 0
 * @param previousOwner the holder of the generation before, when this one took it over from a live-looking
 *     holder that had gone stale, or null
 * @param file the claim file
 */
public record Lease(String key, long generation, ClaimOwner owner, String nonce, long acquiredMs, long heartbeatMs,
        long ttlMs, boolean released, String outcome, long releasedMs, ClaimOwner previousOwner, Path file) {

    /** Checks for nulls. */
    public Lease {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(nonce, "nonce");
    }

    /** @return true while the owner holds it (not released) */
    public boolean held() {
        return !released;
    }

    /** @return this lease renewed at {@code now} */
    Lease renewed(long now) {
        return new Lease(key, generation, owner, nonce, acquiredMs, now, ttlMs, false, null, 0, previousOwner, file);
    }

    /** @return this lease released at {@code now} with an outcome */
    Lease releasedAs(String result, long now) {
        return new Lease(key, generation, owner, nonce, acquiredMs, now, ttlMs, true, result, now, previousOwner,
                file);
    }
}
