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
 */
final class TrialDispatcher {

    private static final Logger LOG = LogManager.getLogger(TrialDispatcher.class);

    /** The claim key of a trial. */
    static final String TRIAL_PREFIX = "trial-";

    private final Claims claims;
    private final SweepLedger ledger;
    private final TrialSource source;
    private final List<Trial> plan;
    private final Map<String, Integer> positions = new HashMap<>();
    private final long workerStartMs;
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
        this.claims = claims;
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
     * Claims the next trial (one caller at a time: the workers of this process take turns).
     *
     * @return the claimed trial, or empty when the source has nothing left that may be claimed
     * @throws dev.genlab.tracking.claims.ClaimFileException on an unreadable claim file
     */
    synchronized Optional<Assignment> next() {
        int heldElsewhere = 0;
        for (Trial t : source.candidates(view)) {
            String key = key(t);
            Optional<Lease> current = claims.current(key);
            if (current.isPresent() && !claimable(current.get())) {
                if (current.get().held() && !current.get().owner().equals(claims.self())) {
                    heldElsewhere++;
                }
                continue;
            }
            Optional<Claim> claim = claims.acquire(key, this::claimable);
            if (claim.isEmpty()) {
                heldElsewhere++; // another process won the race for it
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
                LOG.info("trial {} already FINISHED (run {}): skipped", t.runName(), skip.run().runId());
                seenEnded.put(t.hash(), SweepLedger.fromRecord(t, skip.run()));
                claims.release(claim.get(), RunStatus.FINISHED.name());
                continue;
            }
            String resume = decision instanceof SweepLedger.Resume r ? r.runId() : null;
            if (claim.get().takeover()) {
                LOG.info("trial {}: took it over from {}, whose claim went stale; continuing run {}", t.runName(),
                        claim.get().previousOwner(), resume);
            }
            return Optional.of(new Assignment(t, positions.getOrDefault(t.hash(), 0), claim.get(), resume));
        }
        if (heldElsewhere > 0) {
            LOG.info("nothing left to claim: {} trial(s) are held by other live processes", heldElsewhere);
        }
        return Optional.empty();
    }

    /**
     * Releases a trial's claim after its run ended (or was stopped), with the run's status as outcome.
     * A claim that another process took over is left alone.
     */
    void done(Assignment a, RunStatus status) {
        claims.release(a.claim(), status.name());
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
            Optional<Lease> l = claims.current(key(t));
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
        if (RunStatus.FINISHED.name().equals(outcome)) {
            return false;
        }
        if (RunStatus.FAILED.name().equals(outcome)) {
            return l.releasedMs() < workerStartMs;
        }
        return true;
    }
}
