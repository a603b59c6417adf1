package dev.genlab.tracking.claims;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Leases on named pieces of work, shared by every process that uses one store: a key is held by at most one
 * live process at a time. A holder renews its claims in the background (heartbeat) until it releases them;
 * a claim whose holder is gone (same host: its pid is dead or now belongs to another process; other hosts:
 * no heartbeat within the claim's time to live) is <em>stale</em> and may be taken over. Taking a claim,
 * first or over, is atomic: of processes racing for it, exactly one wins.
 *
 * <p>Besides claims, processes can announce that they work on something ({@link #join}): how a worker
 * stopping early learns whether it is the last one of its sweep.
 *
 * <p>Implementations: {@link FileClaims} (claim files in the local run store).
 * Thread-safe.
 */
public interface Claims {

    /** @return the owner this object claims as */
    ClaimOwner self();

    /**
     * @return how often this object renews its claims: also how often a worker waiting for others' claims
     *     looks again whether they ended or went stale
     */
    default Duration heartbeat() {
        return ClaimSettings.DEFAULTS.heartbeat();
    }

    /**
     * @param key what is claimed: 1 to 128 characters of {@code [A-Za-z0-9._-]}
     * @return the latest generation of its claim, or empty if it was never claimed
     * @throws ClaimFileException if the claim file is unreadable
     */
    Optional<Lease> current(String key);

    /**
     * Takes a claim: if the key was never claimed, or if {@code replaceable} accepts its latest generation,
     * creates the next generation atomically. Heartbeats renew it until {@link #release}.
     *
     * @param key what to claim
     * @param replaceable decides whether an existing lease may be replaced (e.g. released, or stale, see
     *     {@link #stale}); never asked about a lease this object holds
     * @return the claim, or empty if the existing lease stays or another process won the race
     * @throws ClaimFileException if the claim file is unreadable
     */
    Optional<Claim> acquire(String key, Predicate<Lease> replaceable);

    /**
     * @param lease a lease
     * @return true if it is held (not released) and its holder is gone
     */
    boolean stale(Lease lease);

    /**
     * @param lease a lease
     * @return true if it is held by a live process (this one included)
     */
    default boolean live(Lease lease) {
        return lease.held() && !stale(lease);
    }

    /**
     * Releases a claim with an outcome that later claimants can read ({@link Lease#outcome}). Does nothing
     * to a claim that was lost or already released.
     *
     * @param claim a claim of this object
     * @param outcome what became of the work, e.g. {@code FINISHED}
     */
    void release(Claim claim, String outcome);

    /**
     * Announces that this process works on a group (e.g. one sweep) until {@link #leave}; renewed by the
     * heartbeat.
     *
     * @param group 1 to 128 characters of {@code [A-Za-z0-9._-]}
     */
    void join(String group);

    /** @param group a group this object joined; leaving twice is harmless */
    void leave(String group);

    /**
     * @param group a group
     * @return the live members of a group other than this object, in no particular order
     * @throws ClaimFileException if a member file is unreadable
     */
    List<ClaimOwner> otherLiveMembers(String group);
}
