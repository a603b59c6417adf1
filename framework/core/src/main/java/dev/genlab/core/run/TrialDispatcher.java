package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.claims.Claim;
import dev.genlab.tracking.claims.ClaimOwner;
import dev.genlab.tracking.claims.Claims;
import dev.genlab.tracking.claims.Lease;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Hands out the trials of a shared sweep to this process's workers by claiming them in the shared store:
 * asks the {@link TrialSource} for candidates and claims the first one that has not ended and that no live
 * process holds. A claim whose holder is gone (its pid died, or its heartbeat expired on another host) is
 * taken over, and the trial continues in its existing run from its last checkpoint.
 *
 * <p>When may a trial be claimed, from its latest claim (the claim file's outcome is what its last holder
 * reported on release):
 * <ul>
 *   <li>never claimed, or held by a holder that is gone: yes (a takeover);</li>
 *   <li>held by a live process (this one included): no;</li>
 *   <li>released FINISHED: no, it is done;</li>
 *   <li>released FAILED: only by a worker that started after the failure, so that a later {@code --resume}
 *       retries it once, while the workers that saw it fail do not retry it again and again;</li>
 *   <li>released otherwise (KILLED: its worker was stopped): yes.</li>
 * </ul>
 * Once claimed, the tracker's record has the last word: a trial with a FINISHED run is released at once
 * and skipped (records made before claims existed, or by a run that did not claim).
 *
 * <p>When nothing is left to claim but other live processes still hold trials, a worker does not leave:
 * it looks again every heartbeat until those trials end or their holders go stale, so that a trial whose
 * worker was killed is finished by a survivor (from its checkpoint) rather than left for a later resume.
 */
final class TrialDispatcher {

    private static final Logger LOG = LogManager.getLogger(TrialDispatcher.class);

    /** The outcome a pruned trial's claim is released with: it is done, like a FINISHED one. */
    static final String PRUNED = "PRUNED";
    /** The claim key of a trial. */
    static final String TRIAL_PREFIX = "trial-";
    /** How often a waiting worker glances at the claims it waits for. */
    private static final long GLANCE_NANOS = 1_000_000_000L;

    private final Claims claims;
    private final SweepLedger ledger;
    private final TrialSource source;
    private final List<Trial> plan;
    private final Map<String, Integer> positions = new HashMap<>();
    private final long workerStartMs;
    /** The parent run of a new sweep whose claims are its own (see {@link #key(Trial, String)}), or null. */
    private final String scope;
    private final SweepView view;
    /** Trials found ended while looking for work, by hash (their results come from the record). */
    private final Map<String, TrialResult> seenEnded = new LinkedHashMap<>();

    /**
     * A trial this process claimed.
     *
     * @param trial the trial
     * @param position its 1-based position in the plan
     * @param claim the claim, released by {@link #done}
     * @param resumeRunId the trial's unfinished run to continue (from its checkpoint), or null to start one
     */
    record Assignment(Trial trial, int position, Claim claim, String resumeRunId) {}

    /**
     * @param workerStartMs when this worker started: failures recorded after it are not retried by it
     */
    TrialDispatcher(Claims claims, SweepLedger ledger, TrialSource source, List<Trial> plan, long workerStartMs) {
        this(claims, ledger, source, plan, workerStartMs, null);
    }

    /**
     * @param workerStartMs when this worker started: failures recorded after it are not retried by it
     * @param scope the parent run of a new sweep ({@code --parallel N} without {@code --resume}), whose trial
     *     claims are separate from those of earlier sweeps of the same plan; null: the plan's shared claims
     */
    TrialDispatcher(Claims claims, SweepLedger ledger, TrialSource source, List<Trial> plan, long workerStartMs,
            String scope) {
        this.claims = claims;
        this.scope = scope;
        this.ledger = ledger;
        this.source = source;
        this.plan = List.copyOf(plan);
        this.workerStartMs = workerStartMs;
        for (int i = 0; i < plan.size(); i++) {
            positions.putIfAbsent(plan.get(i).hash(), i + 1);
        }
        this.view = new SweepView() {
            @Override
            public List<Trial> plan() {
                return TrialDispatcher.this.plan;
            }

            @Override
            public List<TrialResult> ended() {
                return ledger.ended(TrialDispatcher.this.plan);
            }
        };
    }

    /** @return the claim key of a trial */
    static String key(Trial trial) {
        return TRIAL_PREFIX + trial.hash();
    }

    /**
     * @param trial a trial
     * @param scope the parent run of a new sweep, or null
     * @return the claim key of the trial in that sweep: a new sweep of a plan that ran before must not find
     *     the earlier sweep's released claims (FINISHED ones would keep it from training anything)
     */
    static String key(Trial trial, String scope) {
        return scope == null ? key(trial) : key(trial) + "." + scope;
    }

    /**
     * Claims the next trial; when none is left to claim but other live processes hold some, waits (looking
     * again every claim heartbeat) until one can be claimed or none is held any more.
     *
     * @param stop asked while waiting: true ends the wait (the sweep was cancelled)
     * @return the claimed trial, or empty when nothing is left that may be claimed, now or later
     * @throws dev.genlab.tracking.claims.ClaimFileException on an unreadable claim file
     */
    Optional<Assignment> next(BooleanSupplier stop) {
        boolean said = false;
        while (true) {
            Look look = look();
            if (look.assignment() != null) {
                return Optional.of(look.assignment());
            }
            if (look.heldElsewhere().isEmpty() || stop.getAsBoolean()) {
                return Optional.empty();
            }
            long heartbeatMs = claims.heartbeat().toMillis();
            if (!said) {
                LOG.info("nothing left to claim: waiting for {} trial(s) that other live processes hold (a holder "
                        + "that dies is taken over)", look.heldElsewhere().size());
                said = true;
            }
            // A full look every heartbeat; in between, a glance every second at just the awaited claims, so
            // that the sweep's end (or a holder's death) is not noticed up to a heartbeat late.
            long until = System.nanoTime() + heartbeatMs * 1_000_000L;
            long nextGlance = System.nanoTime() + GLANCE_NANOS;
            while (System.nanoTime() < until) {
                if (stop.getAsBoolean()) {
                    return Optional.empty();
                }
                if (System.nanoTime() >= nextGlance) {
                    if (look.heldElsewhere().stream().anyMatch(k -> claims.current(k).map(l -> !claims.live(l))
                            .orElse(true))) {
                        break;
                    }
                    nextGlance = System.nanoTime() + GLANCE_NANOS;
                }
                try {
                    Thread.sleep(Math.min(100, heartbeatMs));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }

    /**
     * One look for work.
     *
     * @param assignment the trial claimed, or null
     * @param heldElsewhere claim keys of the candidates other live processes hold (when none was claimed)
     */
    private record Look(Assignment assignment, List<String> heldElsewhere) {}

    private synchronized Look look() {
        List<String> heldElsewhere = new ArrayList<>();
        for (Trial t : source.candidates(view)) {
            String key = key(t, scope);
            Optional<Lease> current = claims.current(key);
            if (current.isPresent() && !claimable(current.get())) {
                if (current.get().held() && !current.get().owner().equals(claims.self())) {
                    heldElsewhere.add(key);
                }
                continue;
            }
            Optional<Claim> claim = claims.acquire(key, this::claimable);
            if (claim.isEmpty()) {
                heldElsewhere.add(key); // another process won the race for it
                continue;
            }
            SweepLedger.Decision decision;
            try {
                decision = ledger.decide(t);
            } catch (RuntimeException e) {
                claims.release(claim.get(), RunStatus.KILLED.name());
                throw e;
            }
            if (decision instanceof SweepLedger.Skip skip) {
                boolean pruned = SweepLedger.pruned(skip.run());
                LOG.info("trial {} already {} (run {}): skipped", t.runName(), pruned ? "pruned" : "FINISHED",
                        skip.run().runId());
                seenEnded.put(t.hash(), SweepLedger.fromRecord(source.recorded(t), skip.run()));
                claims.release(claim.get(), pruned ? PRUNED : RunStatus.FINISHED.name());
                continue;
            }
            String resume = decision instanceof SweepLedger.Resume r ? r.runId() : null;
            Trial chosen;
            try {
                chosen = source.claimed(t, view);
            } catch (RuntimeException e) {
                claims.release(claim.get(), RunStatus.KILLED.name());
                throw e;
            }
            if (claim.get().takeover()) {
                LOG.info("trial {}: took it over from {}, whose claim went stale; continuing run {}", t.runName(),
                        claim.get().previousOwner(), resume);
            }
            return new Look(new Assignment(chosen, positions.getOrDefault(t.hash(), 0), claim.get(), resume),
                    List.of());
        }
        return new Look(null, heldElsewhere);
    }

    /**
     * Releases a trial's claim after its run ended (or was stopped), with the run's status as outcome.
     * A claim that another process took over is left alone.
     */
    void done(Assignment a, String outcome) {
        claims.release(a.claim(), outcome);
    }

    /** @return the trials found ended (FINISHED) while looking for work, in plan order */
    synchronized List<TrialResult> seenEnded() {
        List<TrialResult> out = new ArrayList<>(seenEnded.values());
        out.sort(Comparator.comparingInt(r -> positions.getOrDefault(r.trial().hash(), 0)));
        return out;
    }

    /**
     * @return true if a trial of the plan is held by a live process other than this one: its run may still
     *     change, so nobody summarises the sweep yet
     */
    boolean anyHeldElsewhere() {
        ClaimOwner me = claims.self();
        for (Trial t : plan) {
            Optional<Lease> l = claims.current(key(t, scope));
            if (l.isPresent() && l.get().held() && !l.get().owner().equals(me) && claims.live(l.get())) {
                return true;
            }
        }
        return false;
    }

    private boolean claimable(Lease l) {
        if (l.held()) {
            return claims.stale(l);
        }
        String outcome = l.outcome();
        if (RunStatus.FINISHED.name().equals(outcome) || PRUNED.equals(outcome)) {
            return false;
        }
        if (RunStatus.FAILED.name().equals(outcome)) {
            return l.releasedMs() < workerStartMs;
        }
        return true;
    }
}
