package dev.genlab.tracking.claims;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Timing of claims: how often a holder renews its claims, and how long after its last renewal a holder on
 * another host counts as gone (holders on the same host are checked by pid at once, whatever the timing).
 *
 * @param ttl time to live after the last heartbeat, written into every claim file (readers use the file's)
 * @param heartbeat renewal period, well below {@code ttl}
 */
public record ClaimSettings(Duration ttl, Duration heartbeat) {

    /** The variable that sets the time to live, in seconds. */
    public static final String ENV_TTL = "GENLAB_CLAIM_TTL_SECONDS";

    /** 120 s to live, renewed every 15 s: eight missed renewals before another host takes over. */
    public static final ClaimSettings DEFAULTS = new ClaimSettings(Duration.ofSeconds(120), Duration.ofSeconds(15));

    /** Checks the durations. */
    public ClaimSettings {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.isNegative() || heartbeat.isZero() || heartbeat.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("the claim heartbeat (" + heartbeat + ") must be positive and "
                    + "shorter than the time to live (" + ttl + ")");
        }
    }

    /**
     * @param env environment lookup
     * @return {@link #DEFAULTS}, or a time to live of {@value #ENV_TTL} seconds renewed eight times within it
     * @throws IllegalArgumentException if the variable is not a whole number of seconds of at least 2
     */
    public static ClaimSettings fromEnvironment(Function<String, String> env) {
        String v = env.apply(ENV_TTL);
        if (v == null || v.isBlank()) {
            return DEFAULTS;
        }
        long s;
        try {
            s = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_TTL + " must be a whole number of seconds, got '" + v + "'");
        }
        if (s < 2) {
            throw new IllegalArgumentException(ENV_TTL + " must be at least 2 seconds, got " + s);
        }
        Duration ttl = Duration.ofSeconds(s);
        return new ClaimSettings(ttl, ttl.dividedBy(8).isZero() ? Duration.ofMillis(250) : ttl.dividedBy(8));
    }
}
