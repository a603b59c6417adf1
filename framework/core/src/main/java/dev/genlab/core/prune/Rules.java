package dev.genlab.core.prune;

import dev.genlab.core.spec.EarlyStopSpec;
import dev.genlab.core.spec.SweepObjective;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.IntPredicate;

/**
 * The three rules as pure functions of the recorded values (docs/early-stopping.md states them in
 * words). Values are compared by {@link SweepObjective#score}, a value that is not a number being worse
 * than every number.
 */
public final class Rules {

    private Rules() {}

    /** The larger-is-better score of a value; NaN scores lowest. */
    static double score(SweepObjective o, double value) {
        return Double.isNaN(value) ? Double.NEGATIVE_INFINITY : o.score(value);
    }

    // ------------------------------------------------------------------ median stopping rule

    /**
     * The median stopping rule at one evaluation.
     *
     * @param own the trial's values up to and including this evaluation's
     * @param step this evaluation's step
     * @param others the sweep's other trials
     */
    public static Verdict median(SweepObjective o, int minTrials, int step, NavigableMap<Integer, Double> own,
            List<TrialCurve> others) {
        double best = own.headMap(step, true).values().stream().max(Comparator.comparingDouble(v -> score(o, v)))
                .orElseThrow();
        List<Double> averages = new ArrayList<>();
        for (TrialCurve c : others) {
            var upTo = c.values().headMap(step, true);
            if (c.completed() && !upTo.isEmpty()) {
                averages.add(upTo.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            }
        }
        String what = String.format(Locale.ROOT, "median rule at step %d: best %s %s", step, o.metric(), num(best));
        if (averages.size() < minTrials) {
            return new Verdict(false, what + "; only " + averages.size() + " completed trial(s), fewer than "
                    + minTrials);
        }
        double median = median(averages);
        boolean worse = score(o, best) < score(o, median);
        return new Verdict(worse, what + (worse ? " is worse than" : " is not worse than")
                + " the median " + num(median) + " of " + averages.size() + " completed trials' running averages");
    }

    /** The median; for an even count, the mean of the two middle values. */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    // ------------------------------------------------------------------ ASHA and Hyperband

    /**
     * The rungs of a bracket: {@code grace * rf^(bracket + k)} for k = 0, 1, ... below {@code steps}.
     *
     * @return the rung steps, ascending; empty if even the first is not below {@code steps}
     */
    public static List<Integer> rungs(int grace, int rf, int bracket, int steps) {
        List<Integer> out = new ArrayList<>();
        long r = grace;
        for (int i = 0; i < bracket && r < steps; i++) {
            r *= rf;
        }
        for (; r < steps; r *= rf) {
            out.add((int) r);
        }
        return out;
    }

    /**
     * @return Hyperband's number of brackets: {@code brackets} if set, else as many as there are ASHA rungs
     *     below {@code steps} (each bracket then has at least one rung)
     */
    public static int brackets(EarlyStopSpec spec, int steps) {
        if (spec.brackets() > 0) {
            return spec.brackets();
        }
        return Math.max(1, rungs(spec.graceSteps(), spec.reductionFactor(), 0, steps).size());
    }

    /** @return the Hyperband bracket of a trial: its plan index modulo the number of brackets */
    public static int bracketOf(int trialIndex, int brackets) {
        return Math.floorMod(trialIndex, brackets);
    }

    /**
     * ASHA at one rung.
     *
     * @param rung the rung's number k (0 is the first of its bracket)
     * @param rungStep its step
     * @param own the trial's rung value
     * @param others the rung values the sweep's other trials recorded (of the same bracket)
     */
    public static Verdict asha(SweepObjective o, int rf, String rule, int rung, int rungStep, double own,
            List<Double> others) {
        int n = others.size() + 1;
        int keep = n / rf;
        String what = String.format(Locale.ROOT, "%s rung %d (step %d): %s %s", rule, rung, rungStep, o.metric(),
                num(own));
        if (keep == 0) {
            return new Verdict(false, what + "; only " + n + " value(s) at the rung, fewer than the reduction factor "
                    + rf);
        }
        long better = others.stream().filter(v -> score(o, v) > score(o, own)).count();
        List<Double> all = new ArrayList<>(others);
        all.add(own);
        all.sort(Comparator.comparingDouble((Double v) -> score(o, v)).reversed());
        double threshold = all.get(keep - 1); // the worst value still kept
        boolean stop = better >= keep;
        return new Verdict(stop, what + (stop ? " is worse than" : " is within") + " the threshold " + num(threshold)
                + " (top " + keep + " of " + n + ")");
    }

    /**
     * The rung values of other trials at a rung step: each trial's first periodic value at or after it.
     *
     * @param sameBracket which trial indices compete at the rung (Hyperband: those of the same bracket)
     */
    static List<Double> rungValues(List<TrialCurve> others, int rungStep, IntPredicate sameBracket) {
        List<Double> out = new ArrayList<>();
        for (TrialCurve c : others) {
            if (sameBracket.test(c.index())) {
                Double v = c.firstAtOrAfter(rungStep);
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /**
     * The rungs a trial reaches at this evaluation: those after its previous evaluation and up to this step.
     *
     * @param rungs the rung steps of its bracket
     * @param previous the step of its previous periodic evaluation (0 for none)
     * @return rung number to rung step, ascending
     */
    static List<Map.Entry<Integer, Integer>> reached(List<Integer> rungs, int previous, int step) {
        List<Map.Entry<Integer, Integer>> out = new ArrayList<>();
        for (int k = 0; k < rungs.size(); k++) {
            int r = rungs.get(k);
            if (r > previous && r <= step) {
                out.add(Map.entry(k, r));
            }
        }
        return out;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
