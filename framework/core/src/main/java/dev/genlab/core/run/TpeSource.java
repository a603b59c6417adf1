package dev.genlab.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SweepAxis;
import dev.genlab.core.spec.SweepObjective;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.core.sweep.tpe.Tpe;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.claims.Claim;
import dev.genlab.tracking.claims.Claims;
import dev.genlab.tracking.claims.Lease;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The trials of a {@code method: tpe} sweep: its slots in plan order (as the order source gives them), each
 * slot's configuration chosen by {@link Tpe} when one of its trials is first claimed, from the results
 * in the shared record at that moment, and recorded once for every process.
 *
 * <p>The record of a slot's choice is a claim in the store, {@code claims/tpe-<slot key>/}: the chooser
 * takes it (atomically: of processes racing for a slot exactly one wins), computes the suggestion and
 * releases it with the configuration as its outcome. Whoever finds it released uses that configuration
 * (the slot's other seeds, a {@code --resume}, other workers); whoever finds it held by a live process
 * waits the few milliseconds the choice takes; a holder that died before releasing left no choice, so
 * the next claimant chooses. A released choice is never replaced.
 *
 * <p>Observations are configurations of the same paradigm whose every seed's trial FINISHED (or was
 * stopped early by {@code early_stop}: then with its last periodic value) with the objective's metric; the
 * objective is the mean over the seeds. Failed and unfinished configurations do not count. The search seed is the spec's {@code seed}.
 */
final class TpeSource implements TrialSource {

    private static final Logger LOG = LogManager.getLogger(TpeSource.class);
    /** The claim key prefix of a slot's choice. */
    static final String CHOICE_PREFIX = "tpe-";
    private static final int FORMAT = 1;
    private static final long WAIT_MS = 20;

    private final ExperimentSpec spec;
    private final SweepPlanner planner;
    private final Claims claims;
    private final TrialSource order;
    private final ObjectMapper json = new ObjectMapper();
    /** Slot of each planned TPE trial, by trial hash. */
    private final Map<String, Slot> slots = new HashMap<>();
    /** Choices read or made so far: they never change once recorded. */
    private final Map<String, Map<String, Object>> choices = new ConcurrentHashMap<>();

    /**
     * One configuration slot: a paradigm's {@code slot}-th, trained with each seed.
     *
     * @param paradigm the paradigm's name
     * @param number the slot, from 0
     * @param key its choice's claim key
     * @param hashes its trials' hashes, one per seed
     */
    private record Slot(String paradigm, int number, String key, List<String> hashes) {}

    /**
     * @param spec the validated spec (method tpe)
     * @param plan its plan
     * @param planner applies a chosen configuration to a slot's trial
     * @param claims the shared store's claims, which record the choices
     * @param order the order in which to offer the slots (the plan, or a shard of it)
     */
    TpeSource(ExperimentSpec spec, List<Trial> plan, SweepPlanner planner, Claims claims, TrialSource order) {
        this.spec = spec;
        this.planner = planner;
        this.claims = claims;
        this.order = order;
        Map<String, List<String>> hashes = new LinkedHashMap<>();
        for (Trial t : plan) {
            int n = SweepPlanner.slotOf(t);
            if (n >= 0) {
                hashes.computeIfAbsent(t.paradigm() + "\n" + n, k -> new ArrayList<>()).add(t.hash());
            }
        }
        hashes.forEach((id, hs) -> {
            String paradigm = id.substring(0, id.indexOf('\n'));
            int n = Integer.parseInt(id.substring(id.indexOf('\n') + 1));
            List<String> sorted = hs.stream().sorted().toList();
            Slot slot = new Slot(paradigm, n, CHOICE_PREFIX + digest(String.join("\n", sorted)), sorted);
            hs.forEach(h -> slots.put(h, slot));
        });
    }

    @Override
    public List<Trial> candidates(SweepView view) {
        return order.candidates(view);
    }

    @Override
    public Trial claimed(Trial planned, SweepView view) {
        Slot slot = slots.get(planned.hash());
        if (slot == null) {
            return planned;
        }
        return planner.settle(spec, planned, choose(slot, view));
    }

    @Override
    public Trial recorded(Trial planned) {
        Slot slot = slots.get(planned.hash());
        if (slot == null) {
            return planned;
        }
        return read(slot).map(point -> planner.settle(spec, planned, point)).orElse(planned);
    }

    /** The slot's configuration: recorded before, or chosen now and recorded. */
    private Map<String, Object> choose(Slot slot, SweepView view) {
        while (true) {
            Optional<Map<String, Object>> known = read(slot);
            if (known.isPresent()) {
                return known.get();
            }
            Optional<Lease> current = claims.current(slot.key());
            if (current.isPresent() && claims.live(current.get())) {
                sleep(); // another worker is choosing it right now
                continue;
            }
            Optional<Claim> claim = claims.acquire(slot.key(), l -> l.held() && claims.stale(l));
            if (claim.isEmpty()) {
                sleep();
                continue;
            }
            Map<String, Object> point;
            try {
                point = suggest(slot, view);
            } catch (RuntimeException e) {
                claims.release(claim.get(), RunStatus.FAILED.name());
                throw e;
            }
            claims.release(claim.get(), encode(slot, point));
            // A release that did not reach the file (an I/O error, a takeover) must not leave this worker
            // training a configuration nobody else will see: what the record says is what counts.
            Optional<Map<String, Object>> recorded = read(slot);
            if (recorded.isEmpty()) {
                throw new IllegalStateException("the choice for TPE slot " + slot.number() + " of " + slot.paradigm()
                        + " could not be recorded in " + slot.key() + " of the run store's claims");
            }
            LOG.info("TPE chose {} for slot {} of {}", recorded.get(), slot.number(), slot.paradigm());
            return recorded.get();
        }
    }

    private Map<String, Object> suggest(Slot slot, SweepView view) {
        Map<String, SweepAxis> axes = axes(slot.paradigm());
        Map<String, TrialResult> ended = new HashMap<>();
        view.ended().forEach(r -> ended.put(r.trial().hash(), r));
        List<Tpe.Observation> observations = new ArrayList<>();
        for (Slot other : distinctSlots()) {
            if (!other.paradigm().equals(slot.paradigm()) || other.number() == slot.number()) {
                continue;
            }
            OptionalDouble objective = objective(other, ended);
            if (objective.isPresent()) {
                read(other).ifPresent(p -> observations.add(new Tpe.Observation(p, objective.getAsDouble())));
            }
        }
        int budget = spec.sweep().trials();
        return new Tpe(axes, Tpe.defaultStartup(budget)).suggest(spec.seed(), slot.number(), observations,
                maximize());
    }

    /**
     * The mean objective over the slot's seeds, when every one of them FINISHED with it or was stopped early
     * (which counts with its last periodic value: low, as it was stopped for being behind).
     */
    private OptionalDouble objective(Slot slot, Map<String, TrialResult> ended) {
        double sum = 0;
        for (String h : slot.hashes()) {
            TrialResult r = ended.get(h);
            if (r == null || (r.status() != RunStatus.FINISHED && !r.pruned())) {
                return OptionalDouble.empty();
            }
            OptionalDouble v = objectiveOf(r);
            if (v.isEmpty() || !Double.isFinite(v.getAsDouble())) {
                return OptionalDouble.empty();
            }
            sum += v.getAsDouble();
        }
        return OptionalDouble.of(sum / slot.hashes().size());
    }

    private OptionalDouble objectiveOf(TrialResult r) {
        return spec.sweep().objective().read(r.metrics());
    }

    private boolean maximize() {
        return spec.sweep().objective().mode() == SweepObjective.Mode.MAX;
    }

    private List<Slot> distinctSlots() {
        return slots.values().stream().distinct().toList();
    }

    private Map<String, SweepAxis> axes(String paradigm) {
        return SweepPlanner.axesOf(spec.sweep().parameters(), paradigm);
    }

    /** The slot's recorded configuration, if its choice was released with one. */
    private Optional<Map<String, Object>> read(Slot slot) {
        Map<String, Object> cached = choices.get(slot.key());
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Lease> lease = claims.current(slot.key());
        if (lease.isEmpty() || lease.get().held() || !lease.get().outcome().startsWith("{")) {
            return Optional.empty();
        }
        Map<String, Object> point = decode(slot, lease.get());
        choices.put(slot.key(), point);
        return Optional.of(point);
    }

    /**
     * {@code {"format":1,"paradigm":"gan","slot":3,"point":{"gan.lr":0.000231,"gan.loss":"hinge"},
     * "choice_index":{"gan.loss":1}}}: the values as they read, and for choice axes the index that
     * decoding uses (a YAML value's type survives it exactly).
     */
    private String encode(Slot slot, Map<String, Object> point) {
        Map<String, SweepAxis> axes = axes(slot.paradigm());
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.put("paradigm", slot.paradigm());
        n.put("slot", slot.number());
        ObjectNode values = n.putObject("point");
        ObjectNode indices = n.putObject("choice_index");
        point.forEach((k, v) -> {
            values.set(k, json.valueToTree(v));
            if (axes.get(k) instanceof SweepAxis.Values choices) {
                indices.put(k, choices.values().indexOf(v));
            }
        });
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> decode(Slot slot, Lease lease) {
        JsonNode n;
        try {
            n = json.readTree(lease.outcome());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(bad(lease, "its outcome is not JSON"), e);
        }
        if (n.path("format").asInt() != FORMAT) {
            throw new IllegalStateException(bad(lease, "its format is " + n.get("format") + ", not " + FORMAT));
        }
        Map<String, Object> point = new LinkedHashMap<>();
        for (Map.Entry<String, SweepAxis> e : axes(slot.paradigm()).entrySet()) {
            String k = e.getKey();
            JsonNode v = n.path("point").get(k);
            if (v == null) {
                throw new IllegalStateException(bad(lease, "it has no value for " + k + " (was the spec changed?)"));
            }
            if (e.getValue() instanceof SweepAxis.Values choices) {
                int i = n.path("choice_index").path(k).asInt(-1);
                if (i < 0 || i >= choices.values().size()) {
                    throw new IllegalStateException(bad(lease, "its choice index for " + k + " is out of range"));
                }
                point.put(k, choices.values().get(i));
            } else if (e.getValue() instanceof SweepAxis.IntRange) {
                point.put(k, v.asLong());
            } else {
                point.put(k, v.asDouble());
            }
        }
        return point;
    }

    private static String bad(Lease lease, String why) {
        return "the TPE choice " + lease.file() + " cannot be read: " + why + " (it records which configuration the slot's runs trained; to search afresh, change the spec's seed)";
    }

    private static void sleep() {
        try {
            Thread.sleep(WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a TPE choice", e);
        }
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
