package dev.genlab.tracking.claims;

/**
 * A claim this process holds: renewed by the heartbeat until released. If another process takes it over
 * (because this one looked gone: no heartbeat within the lease's time to live), {@link #lost()} turns true
 * at the next heartbeat and the holder must stop writing what the claim protects.
 */
public final class Claim {

    private final String key;
    private final long generation;
    private final ClaimOwner previousOwner;
    private final boolean takeover;
    private volatile Lease lease;
    private volatile boolean lost;
    private volatile ClaimOwner lostTo;
    private volatile boolean released;

    Claim(Lease lease, boolean takeover) {
        this.key = lease.key();
        this.generation = lease.generation();
        this.previousOwner = lease.previousOwner();
        this.takeover = takeover;
        this.lease = lease;
    }

    /** @return what is claimed */
    public String key() {
        return key;
    }

    /** @return the claim file's generation */
    public long generation() {
        return generation;
    }

    /** @return true if this claim replaced a stale holder's (the work it protects may be half done) */
    public boolean takeover() {
        return takeover;
    }

    /** @return the holder of the previous generation, or null for a first claim */
    public ClaimOwner previousOwner() {
        return previousOwner;
    }

    /** @return true once another process has taken the claim over */
    public boolean lost() {
        return lost;
    }

    /** @return who took it over, or null (also null if the taker's file could not be read) */
    public ClaimOwner lostTo() {
        return lostTo;
    }

    /** @return the lease as last written by this process */
    public Lease lease() {
        return lease;
    }

    boolean released() {
        return released;
    }

    void update(Lease l) {
        this.lease = l;
    }

    void markLost(ClaimOwner to) {
        this.lostTo = to;
        this.lost = true;
    }

    void markReleased() {
        this.released = true;
    }

    @Override
    public String toString() {
        return key + "#" + generation + (lost ? " (lost)" : "");
    }
}
