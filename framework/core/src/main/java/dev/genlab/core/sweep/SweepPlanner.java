package dev.genlab.core.sweep;

import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.ParadigmSpec;
import dev.genlab.core.spec.Redactor;
import dev.genlab.core.spec.SweepAxis;
import dev.genlab.core.spec.SweepMethod;
import dev.genlab.core.spec.SweepSpec;
import dev.genlab.core.spec.TrainSpec;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Expands a spec into its trials: for each paradigm (in spec order), each sweep point, each seed.
 *
 * <p>A sweep axis {@code <paradigm>.<param>} applies to that paradigm only; {@code train.*},
 * {@code dataset.params.*} and {@code evaluate.samples} apply to every paradigm. A grid sweep takes the
 * cartesian product of a paradigm's axes, the first axis outermost. A random sweep makes {@code trials}
 * draws per paradigm (one point if no axis applies to it). Each axis draws from its own
 * {@link Random} seeded from the spec's {@code seed} and the axis key, so adding an axis does not change
 * the values drawn for the others, and axes shared by all paradigms ({@code train.steps}) give every
 * paradigm the same sequence (a paired comparison). {@code java.util.Random}'s algorithm is fixed by its
 * specification, so plans are identical on every JVM. Real-valued draws are rounded to 6 significant
 * digits so run names stay readable. A TPE sweep plans {@code trials} slots per paradigm whose
 * configurations are chosen while the sweep runs ({@link #settle}, {@code dev.genlab.core.sweep.tpe.Tpe}).
 */
public final class SweepPlanner {

    private static final MathContext DRAW_PRECISION = new MathContext(6);
    /** The key under which a TPE slot's trial carries its slot number in {@link Trial#swept()}. */
    public static final String SLOT_KEY = "slot";
    /** A TPE slot's search definition in the hashed parameters (no plugin parameter is named so). */
    private static final String SEARCH_KEY = "genlab.tpe";

    private final TrialHasher hasher;

    /** @param hasher computes trial hashes */
    @Inject
    public SweepPlanner(TrialHasher hasher) {
        this.hasher = hasher;
    }

    /** Creates a planner with its own hasher. */
    public SweepPlanner() {
        this(new TrialHasher());
    }

    /**
     * @param spec a loaded, validated spec
     * @return the trials in a deterministic order, indexed from 0
     */
    public List<Trial> plan(ExperimentSpec spec) {
        SweepSpec sweep = spec.sweep();
        List<Long> seeds = sweep.seeds().isEmpty() ? List.of(spec.seed()) : sweep.seeds();
        List<Trial> trials = new ArrayList<>();
        for (ParadigmSpec paradigm : spec.paradigms()) {
            Map<String, SweepAxis> axes = axesOf(sweep.parameters(), paradigm.name());
            if (sweep.method() == SweepMethod.TPE && !axes.isEmpty()) {
                for (int slot = 0; slot < sweep.trials(); slot++) {
                    for (long seed : seeds) {
                        trials.add(slotTrial(trials.size(), spec, paradigm, axes, slot, seed, seeds));
                    }
                }
                continue;
            }
            List<Map<String, Object>> points = sweep.method() == SweepMethod.RANDOM
                    ? randomPoints(axes, sweep.trials(), spec.seed())
                    : grid(axes);
            for (Map<String, Object> point : points) {
                for (long seed : seeds) {
                    trials.add(trial(trials.size(), spec, paradigm, point, seed));
                }
            }
        }
        return trials;
    }

    /**
     * The spec of a single trial: that paradigm alone, its resolved values, its seed and no sweep. Written
     * with {@link dev.genlab.core.spec.SpecWriter} it is the trial's {@code spec.yaml}, which re-runs
     * exactly this trial (and plans to the same hash).
     *
     * @param spec the spec the trial came from
     * @param trial one of its trials
     * @return the one-trial spec
     */
    public ExperimentSpec trialSpec(ExperimentSpec spec, Trial trial) {
        return new ExperimentSpec(spec.name(), trial.seed(), trial.dataset(), trial.train(), trial.evaluate(),
                List.of(new ParadigmSpec(trial.paradigm(), trial.plugin(), trial.params(), trial.variants(),
                        unhashedDefaults(spec, trial))), SweepSpec.NONE,
                spec.tracking(), spec.source(), spec.secrets());
    }

    private static Map<String, Object> unhashedDefaults(ExperimentSpec spec, Trial trial) {
        return spec.paradigms().stream().filter(p -> p.name().equals(trial.paradigm())).findFirst()
                .map(ParadigmSpec::unhashedDefaults).orElse(Map.of());
    }

    /**
     * @param axes a sweep's axes
     * @param paradigm a paradigm's name
     * @return the axes that apply to it: its own and those of every paradigm, in spec order
     */
    public static Map<String, SweepAxis> axesOf(Map<String, SweepAxis> axes, String paradigm) {
        Map<String, SweepAxis> out = new LinkedHashMap<>();
        axes.forEach((key, axis) -> {
            if (key.startsWith(paradigm + ".") || key.startsWith("train.") || key.startsWith("dataset.")
                    || key.startsWith("evaluate.")) {
                out.put(key, axis);
            }
        });
        return out;
    }

    private static List<Map<String, Object>> grid(Map<String, SweepAxis> axes) {
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, SweepAxis> axis : axes.entrySet()) {
            List<Object> values = ((SweepAxis.Values) axis.getValue()).values(); // validation allows only lists
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> p : points) {
                for (Object v : values) {
                    Map<String, Object> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), v);
                    next.add(q);
                }
            }
            points = next;
        }
        return points;
    }

    /**
     * The points of a random sweep (also TPE's first, random configurations).
     *
     * @param axes the axes that apply to one paradigm, in spec order
     * @param trials how many points
     * @param specSeed the spec's seed
     * @return the points in draw order; one empty point if there is no axis
     */
    public static List<Map<String, Object>> randomPoints(Map<String, SweepAxis> axes, int trials, long specSeed) {
        if (axes.isEmpty()) {
            return List.of(Map.of());
        }
        Map<String, Random> rngs = new LinkedHashMap<>();
        axes.keySet().forEach(k -> rngs.put(k, new Random(axisSeed(specSeed, k))));
        List<Map<String, Object>> points = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            Map<String, Object> p = new LinkedHashMap<>();
            axes.forEach((k, axis) -> p.put(k, draw(axis, rngs.get(k))));
            points.add(p);
        }
        return points;
    }

    /** Mixes the spec seed with a stable hash of the key (String.hashCode is fixed by the JLS). */
    static long axisSeed(long specSeed, String key) {
        long z = specSeed ^ (key.hashCode() * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Object draw(SweepAxis axis, Random rng) {
        double u = rng.nextDouble();
        if (axis instanceof SweepAxis.Values v) {
            return v.values().get(Math.min((int) (u * v.values().size()), v.values().size() - 1));
        }
        if (axis instanceof SweepAxis.Uniform a) {
            return roundDraw(a.low() + (a.high() - a.low()) * u, a.low(), a.high());
        }
        if (axis instanceof SweepAxis.LogUniform a) {
            double lo = Math.log(a.low());
            return roundDraw(Math.exp(lo + (Math.log(a.high()) - lo) * u), a.low(), a.high());
        }
        SweepAxis.IntRange r = (SweepAxis.IntRange) axis;
        double span = (double) r.high() - r.low() + 1;
        return Math.min(r.high(), r.low() + (long) Math.floor(u * span));
    }

    /**
     * @param v a real draw
     * @param lo its axis's lower bound
     * @param hi its axis's upper bound
     * @return the draw rounded to 6 significant digits, kept inside the bounds
     */
    public static double roundDraw(double v, double lo, double hi) {
        double r = new BigDecimal(v).round(DRAW_PRECISION).doubleValue();
        return Math.max(lo, Math.min(hi, r));
    }

    /**
     * A slot of a TPE sweep as planned: the paradigm's configuration without the axes' values, which TPE
     * chooses when the slot is first claimed ({@link #settle}). Its hash stands for the slot: it covers the
     * base configuration, the seed, and what the choice depends on (the slot's number, the axes, the search
     * seed, the sweep's seeds and objective), so resuming finds the slot's runs and a changed search is a
     * new one. Its run name is {@code <paradigm> slot=<n> seed=<s>} until the slot is settled.
     */
    private Trial slotTrial(int index, ExperimentSpec spec, ParadigmSpec paradigm, Map<String, SweepAxis> axes,
            int slot, long seed, List<Long> seeds) {
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("slot", (long) slot);
        search.put("search_seed", spec.seed());
        search.put("seeds", seeds);
        Map<String, Object> axisText = new LinkedHashMap<>();
        axes.forEach((k, a) -> axisText.put(k, describe(a)));
        search.put("axes", axisText);
        search.put("objective", spec.sweep().objective() == null ? ""
                : spec.sweep().objective().metric() + " " + spec.sweep().objective().mode().spelling());
        return trial(index, spec, paradigm, Map.of(), seed, Map.of(SLOT_KEY, slot), search);
    }

    /** How an axis enters a TPE slot's hash. */
    private static Map<String, Object> describe(SweepAxis axis) {
        if (axis instanceof SweepAxis.Values v) {
            return Map.of("choice", v.values());
        }
        if (axis instanceof SweepAxis.Uniform u) {
            return Map.of("uniform", List.of(u.low(), u.high()));
        }
        if (axis instanceof SweepAxis.LogUniform u) {
            return Map.of("loguniform", List.of(u.low(), u.high()));
        }
        SweepAxis.IntRange r = (SweepAxis.IntRange) axis;
        return Map.of("int", List.of(r.low(), r.high()));
    }

    /**
     * A TPE slot's trial with the configuration chosen for it: the axes' values applied as a grid or random
     * point would be, under the slot's hash (the trial's identity stays the slot's, across resumes and
     * processes) and a run name that shows slot and values ({@code gan slot=3 lr=0.000231 seed=1}).
     *
     * @param spec the spec the plan came from
     * @param slot a trial of the plan whose {@link Trial#swept()} holds {@value #SLOT_KEY}
     * @param point the chosen value of each of the paradigm's axes
     * @return the trial to train
     */
    public Trial settle(ExperimentSpec spec, Trial slot, Map<String, Object> point) {
        ParadigmSpec paradigm = spec.paradigms().stream().filter(p -> p.name().equals(slot.paradigm())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no paradigm " + slot.paradigm() + " in the spec"));
        Map<String, Object> swept = new LinkedHashMap<>(slot.swept());
        swept.putAll(point);
        Trial t = trial(slot.index(), spec, paradigm, point, slot.seed(), swept, null);
        return new Trial(t.index(), t.paradigm(), t.plugin(), t.params(), t.dataset(), t.train(), t.evaluate(),
                t.seed(), t.swept(), slot.hash(), t.variants());
    }

    /**
     * @param trial a trial of a plan
     * @return its TPE slot number, or -1 if it is not a TPE slot
     */
    public static int slotOf(Trial trial) {
        return trial.swept().get(SLOT_KEY) instanceof Integer n ? n : -1;
    }

    private Trial trial(int index, ExperimentSpec spec, ParadigmSpec paradigm, Map<String, Object> point, long seed) {
        return trial(index, spec, paradigm, point, seed, point, null);
    }

    /** @param search for a TPE slot, what its choice depends on (enters the hash), else null */
    private Trial trial(int index, ExperimentSpec spec, ParadigmSpec paradigm, Map<String, Object> point, long seed,
            Map<String, Object> swept, Map<String, Object> search) {
        Map<String, Object> params = new LinkedHashMap<>(paradigm.params());
        Map<String, Object> datasetParams = new LinkedHashMap<>(spec.dataset().params());
        TrainSpec train = spec.train();
        EvaluateSpec evaluate = spec.evaluate();
        String own = paradigm.name() + ".";
        for (Map.Entry<String, Object> e : point.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (key.startsWith(own)) {
                String name = key.substring(own.length());
                params.put(name, like(params.get(name), value));
            } else if (key.startsWith("dataset.params.")) {
                String name = key.substring("dataset.params.".length());
                datasetParams.put(name, like(datasetParams.get(name), value));
            } else if (key.equals("evaluate.samples")) {
                evaluate = evaluate.withSamples(toInt(value));
            } else if (key.startsWith("train.")) {
                train = withTrain(train, key.substring("train.".length()), toInt(value));
            }
        }
        DatasetSpec dataset = spec.dataset().withParams(datasetParams);
        // Parameters added to the plugin later enter the hash only away from their defaults (ParamSpec).
        Map<String, Object> hashed = paradigm.hashedParams(params);
        if (search != null) {
            hashed.put(SEARCH_KEY, search);
        }
        String hash = hash(spec.secrets(), paradigm.plugin(), hashed, dataset, train, evaluate, seed,
                paradigm.variants());
        return new Trial(index, paradigm.name(), paradigm.plugin(), params, dataset, train, evaluate, seed,
                swept, hash, paradigm.variants());
    }

    /**
     * The trial hash sees a secret as its reference {@code ${env:NAME}}, never its value: the value cannot be
     * recovered from stored hashes, and a rotated token keeps the trial's identity (resume still finds it).
     * Without secrets the values are hashed as they are, so such specs keep their hashes.
     */
    @SuppressWarnings("unchecked")
    private String hash(Redactor secrets, String plugin, Map<String, Object> params, DatasetSpec dataset,
            TrainSpec train, EvaluateSpec evaluate, long seed, Map<String, Map<String, Object>> variants) {
        // Dataset parameters added later enter the hash only away from their defaults, like the plugin's.
        DatasetSpec hashed = new DatasetSpec(dataset.name(), dataset.hashedParams());
        if (secrets.isEmpty()) {
            return hasher.hash(plugin, params, hashed, train, evaluate, seed, variants);
        }
        return hasher.hash(plugin, secrets.redactMap(params),
                new DatasetSpec(hashed.name(), secrets.redactMap(hashed.params())), train, evaluate, seed,
                (Map<String, Map<String, Object>>) secrets.redactValue(variants));
    }

    /** An {@code int:} draw for a real-valued parameter becomes a Double, like every value of that parameter. */
    private static Object like(Object current, Object value) {
        if (current instanceof Double && value instanceof Number n) {
            return n.doubleValue();
        }
        if (current instanceof Long && value instanceof Number n) {
            return n.longValue();
        }
        return value;
    }

    private static TrainSpec withTrain(TrainSpec t, String key, int v) {
        return switch (key) {
            case "steps" -> new TrainSpec(v, t.batchSize(), t.evalEvery(), t.logEvery(), t.checkpointEvery());
            case "batch_size" -> new TrainSpec(t.steps(), v, t.evalEvery(), t.logEvery(), t.checkpointEvery());
            case "eval_every" -> new TrainSpec(t.steps(), t.batchSize(), v, t.logEvery(), t.checkpointEvery());
            case "log_every" -> new TrainSpec(t.steps(), t.batchSize(), t.evalEvery(), v, t.checkpointEvery());
            case "checkpoint_every" -> new TrainSpec(t.steps(), t.batchSize(), t.evalEvery(), t.logEvery(), v);
            default -> throw new IllegalArgumentException("unknown train key " + key);
        };
    }

    private static int toInt(Object v) {
        return Math.toIntExact(((Number) v).longValue());
    }
}
