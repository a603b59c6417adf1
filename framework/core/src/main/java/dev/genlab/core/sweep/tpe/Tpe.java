package dev.genlab.core.sweep.tpe;

import dev.genlab.core.spec.SweepAxis;
import dev.genlab.core.sweep.SweepPlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NIPS 2011) over a sweep's axes, each axis modelled on its own.
 *
 * <p>For slot {@code i} of a search: while fewer than {@link #startup} configurations have an objective,
 * the slot gets the random sweep's {@code i}-th draw (the same values {@code method: random} would try with
 * this seed, so the two methods start from the same points). After that, the observations are sorted by
 * objective (best first) and split: the best {@code ceil(gamma * n)} (at most {@value #MAX_GOOD}) form
 * the good set, the rest the bad set. Per axis a density {@code l(x)} is fitted to the good values and
 * {@code g(x)} to the bad ones ({@link Parzen} for real and integer axes, smoothed counts for choices);
 * {@value #CANDIDATES} candidates are drawn from {@code l} and the one with the largest
 * {@code sum over axes of log l(x) - log g(x)} wins.
 *
 * <p>Axes are modelled in the space they are drawn in: {@code uniform} as is, {@code loguniform} in
 * {@code log x}, {@code int} on {@code [low - 0.5, high + 0.5]} with each integer scored by its cell's
 * probability, a choice list by the index of the value.
 *
 * <p>Reproducible: the suggestion depends only on the search seed, the slot and the <em>set</em> of
 * observations (they are sorted canonically first, and the random generator is {@link Random}, whose
 * algorithm is fixed by its specification), so any process that reads the same results suggests the same
 * configuration. Real values are rounded to 6 significant digits like random draws.
 */
public final class Tpe {

    /** Share of the observations that form the good set. */
    static final double GAMMA = 0.25;
    /** The good set never grows beyond this many observations. */
    static final int MAX_GOOD = 25;
    /** Candidates drawn from {@code l(x)} per suggestion. */
    static final int CANDIDATES = 24;
    /** A pseudo-count per choice added to a choice axis's counts, so that no value becomes impossible. */
    private static final double CHOICE_PRIOR = 1.0;

    /**
     * One configuration with a result.
     *
     * @param point axis key to value, as a sweep point holds it
     * @param objective the configuration's objective (its mean over seeds)
     */
    public record Observation(Map<String, Object> point, double objective) {
        /** Copies the point. */
        public Observation {
            point = Collections.unmodifiableMap(new LinkedHashMap<>(point));
        }
    }

    private final Map<String, SweepAxis> axes;
    private final int startup;

    /**
     * @param axes the axes to search, in spec order
     * @param startup how many configurations need an objective before the model replaces random draws
     *     (at least 2: one good and one bad)
     */
    public Tpe(Map<String, SweepAxis> axes, int startup) {
        this.axes = Collections.unmodifiableMap(new LinkedHashMap<>(axes));
        this.startup = Math.max(2, startup);
    }

    /**
     * The default number of random configurations before the model: a third of the budget, at least 2 and
     * at most 10 (10 of 30 trials is the common choice; small budgets need the model sooner).
     *
     * @param slots the search's budget (configurations)
     * @return the startup count
     */
    public static int defaultStartup(int slots) {
        return Math.max(2, Math.min(10, slots / 3));
    }

    /** @return the number of observations needed before the model is used */
    public int startup() {
        return startup;
    }

    /**
     * @param searchSeed the search's seed
     * @param slot the slot, from 0
     * @param observations the configurations with an objective, in any order
     * @param maximize true if larger objectives are better
     * @return the configuration for the slot: axis key to value, in axis order
     */
    public Map<String, Object> suggest(long searchSeed, int slot, Collection<Observation> observations,
            boolean maximize) {
        if (axes.isEmpty()) {
            return Map.of();
        }
        List<Observation> usable = observations.stream().filter(o -> Double.isFinite(o.objective())).toList();
        if (usable.size() < startup) {
            return SweepPlanner.randomPoints(axes, slot + 1, searchSeed).get(slot);
        }
        List<Observation> sorted = new ArrayList<>(usable);
        // Best first; equal objectives in a fixed order of their points, so the split is a function of the set.
        Comparator<Observation> byLoss = Comparator.comparingDouble(o -> maximize ? -o.objective() : o.objective());
        sorted.sort(byLoss.thenComparing(o -> canonical(o.point())));
        int good = Math.min(MAX_GOOD, (int) Math.ceil(GAMMA * sorted.size()));
        List<Observation> below = sorted.subList(0, good);
        List<Observation> above = sorted.subList(good, sorted.size());

        Random rng = new Random(mix(searchSeed, slot));
        List<Model> models = new ArrayList<>();
        axes.forEach((key, axis) -> models.add(model(key, axis, below, above)));
        double bestScore = Double.NEGATIVE_INFINITY;
        double[] best = null;
        for (int c = 0; c < CANDIDATES; c++) {
            double[] x = new double[models.size()];
            double score = 0;
            for (int a = 0; a < x.length; a++) {
                x[a] = models.get(a).sample(rng);
                score += models.get(a).score(x[a]);
            }
            if (best == null || score > bestScore) {
                best = x;
                bestScore = score;
            }
        }
        Map<String, Object> point = new LinkedHashMap<>();
        int a = 0;
        for (Map.Entry<String, SweepAxis> e : axes.entrySet()) {
            point.put(e.getKey(), value(e.getValue(), best[a++]));
        }
        return point;
    }

    /** One axis's pair of densities, on the axis's internal scale. */
    private interface Model {
        double sample(Random rng);

        /** @return log l(x) - log g(x) */
        double score(double x);
    }

    private static Model model(String key, SweepAxis axis, List<Observation> below, List<Observation> above) {
        if (axis instanceof SweepAxis.Values v) {
            double[] l = choiceProbabilities(v, key, below);
            double[] g = choiceProbabilities(v, key, above);
            return new Model() {
                @Override
                public double sample(Random rng) {
                    double u = rng.nextDouble();
                    double acc = 0;
                    for (int i = 0; i < l.length - 1; i++) {
                        acc += l[i];
                        if (u < acc) {
                            return i;
                        }
                    }
                    return l.length - 1;
                }

                @Override
                public double score(double x) {
                    return Math.log(l[(int) x]) - Math.log(g[(int) x]);
                }
            };
        }
        double lo = internalLow(axis);
        double hi = internalHigh(axis);
        Parzen l = new Parzen(lo, hi, internal(axis, key, below));
        Parzen g = new Parzen(lo, hi, internal(axis, key, above));
        boolean integer = axis instanceof SweepAxis.IntRange;
        return new Model() {
            @Override
            public double sample(Random rng) {
                double x = l.sample(rng);
                // An integer axis scores (and returns) the integer whose cell the draw fell in.
                return integer ? Math.max(lo + 0.5, Math.min(hi - 0.5, Math.rint(x))) : x;
            }

            @Override
            public double score(double x) {
                return integer ? l.logMass(x - 0.5, x + 0.5) - g.logMass(x - 0.5, x + 0.5)
                        : l.logDensity(x) - g.logDensity(x);
            }
        };
    }

    private static double[] choiceProbabilities(SweepAxis.Values axis, String key, List<Observation> obs) {
        int k = axis.values().size();
        double[] p = new double[k];
        Arrays.fill(p, CHOICE_PRIOR);
        for (Observation o : obs) {
            int i = axis.values().indexOf(o.point().get(key));
            if (i >= 0) {
                p[i] += 1;
            }
        }
        double total = obs.stream().filter(o -> axis.values().contains(o.point().get(key))).count() + CHOICE_PRIOR * k;
        for (int i = 0; i < k; i++) {
            p[i] /= total;
        }
        return p;
    }

    private static double internalLow(SweepAxis axis) {
        if (axis instanceof SweepAxis.Uniform u) {
            return u.low();
        }
        if (axis instanceof SweepAxis.LogUniform u) {
            return Math.log(u.low());
        }
        return ((SweepAxis.IntRange) axis).low() - 0.5;
    }

    private static double internalHigh(SweepAxis axis) {
        if (axis instanceof SweepAxis.Uniform u) {
            return u.high();
        }
        if (axis instanceof SweepAxis.LogUniform u) {
            return Math.log(u.high());
        }
        return ((SweepAxis.IntRange) axis).high() + 0.5;
    }

    /** The observed values of one axis on its internal scale, clamped into it (a recorded value may be rounded). */
    private static double[] internal(SweepAxis axis, String key, List<Observation> obs) {
        double lo = internalLow(axis);
        double hi = internalHigh(axis);
        List<Double> out = new ArrayList<>();
        for (Observation o : obs) {
            if (o.point().get(key) instanceof Number n) {
                double v = axis instanceof SweepAxis.LogUniform ? Math.log(n.doubleValue()) : n.doubleValue();
                out.add(Math.max(lo, Math.min(hi, v)));
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Object value(SweepAxis axis, double x) {
        if (axis instanceof SweepAxis.Values v) {
            return v.values().get((int) x);
        }
        if (axis instanceof SweepAxis.Uniform u) {
            return SweepPlanner.roundDraw(x, u.low(), u.high());
        }
        if (axis instanceof SweepAxis.LogUniform u) {
            return SweepPlanner.roundDraw(Math.exp(x), u.low(), u.high());
        }
        SweepAxis.IntRange r = (SweepAxis.IntRange) axis;
        return Math.max(r.low(), Math.min(r.high(), Math.round(x)));
    }

    /**
     * A total order of points that does not depend on how they were read: each value by its type and exact
     * bits, keys sorted.
     */
    static String canonical(Map<String, Object> point) {
        StringBuilder s = new StringBuilder();
        point.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Object v = e.getValue();
            s.append(e.getKey()).append('=');
            if (v instanceof Double || v instanceof Float) {
                s.append("d:").append(Long.toHexString(Double.doubleToLongBits(((Number) v).doubleValue())));
            } else if (v instanceof Number n) {
                s.append("i:").append(n.longValue());
            } else {
                s.append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v);
            }
            s.append(';');
        });
        return s.toString();
    }

    /** The seed of a slot's generator: a SplitMix64 finaliser over the search seed and the slot. */
    static long mix(long seed, int slot) {
        long z = seed + 0x9E3779B97F4A7C15L * (slot + 1L) + 0x5450452DL; // the last constant: "TPE-"
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
