package dev.genlab.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.spec.EarlyStopSpec;
import dev.genlab.core.spec.SweepObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The rules on synthetic objectives, against decisions worked out by hand. */
class RulesTest {

    private static final SweepObjective MAX = new SweepObjective("high_quality_pct", SweepObjective.Mode.MAX);
    private static final SweepObjective MIN = new SweepObjective("fd", SweepObjective.Mode.MIN);

    @Test
    void rungsAreGraceTimesPowersOfTheReductionFactorBelowTheSteps() {
        assertEquals(List.of(250, 750, 2250), Rules.rungs(250, 3, 0, 3000));
        assertEquals(List.of(750, 2250), Rules.rungs(250, 3, 1, 3000));
        assertEquals(List.of(2250), Rules.rungs(250, 3, 2, 3000));
        assertEquals(List.of(), Rules.rungs(250, 3, 3, 3000));
        assertEquals(List.of(100, 200, 400, 800), Rules.rungs(100, 2, 0, 1000));
        assertEquals(List.of(), Rules.rungs(1000, 2, 0, 1000), "a rung at the last step judges nothing");
        assertEquals(List.of(1), Rules.rungs(1, 100, 0, 2));
    }

    /**
     * Nine trials arrive one after another (each runs until it ends before the next starts), rf = 3, rungs
     * 100, 300, 900. Rung 0 values 5 3 8 1 9 2 7 4 6: keep = floor(n/3) grows 0 0 1 1 1 2 2 2 3, so t0, t1
     * (too few values), t2, t4 (best so far) pass; t3 (3 better), t5 (4), t6 (2 >= 2), t7 (4), t8 (3 >= 3)
     * stop. Rung 1 values of t0 t1 t2 t4: 2 6 4 7: t2 sees 6 better with keep 1 and stops. Rung 2 values of
     * t0 t1 t4: 1 5 3: t4 sees 5 better with keep 1 and stops.
     */
    @Test
    void ashaPromotionCountsPerRungForAKnownSequenceOfArrivals() {
        double[][] rungValues = {
            {5, 2, 1}, {3, 6, 5}, {8, 4, 0}, {1, 0, 0}, {9, 7, 3}, {2, 0, 0}, {7, 0, 0}, {4, 0, 0}, {6, 0, 0}};
        List<Integer> rungs = Rules.rungs(100, 3, 0, 1000);
        assertEquals(List.of(100, 300, 900), rungs);
        List<TrialCurve> done = new ArrayList<>();
        int[] passed = new int[rungs.size()];
        List<String> stops = new ArrayList<>();
        for (int t = 0; t < rungValues.length; t++) {
            NavigableMap<Integer, Double> curve = new TreeMap<>();
            for (int k = 0; k < rungs.size(); k++) {
                double v = rungValues[t][k];
                curve.put(rungs.get(k), v);
                Verdict verdict = Rules.asha(MAX, 3, "asha", k, rungs.get(k), v,
                        Rules.rungValues(done, rungs.get(k), i -> true));
                if (verdict.stop()) {
                    stops.add("t" + t + "@" + k);
                    break;
                }
                passed[k]++;
            }
            done.add(new TrialCurve(t, curve.size() == rungs.size(), curve));
        }
        assertEquals(List.of(4, 3, 2), List.of(passed[0], passed[1], passed[2]));
        assertEquals(List.of("t2@1", "t3@0", "t4@2", "t5@0", "t6@0", "t7@0", "t8@0"), stops, "in order of arrival");
    }

    @Test
    void ashaKeepsTheTopFloorOfOneOverRfTiesInTheTrialsFavour() {
        assertFalse(Rules.asha(MAX, 3, "asha", 0, 10, 0.0, List.of(9.0)).stop(), "2 < rf values: continue");
        assertTrue(Rules.asha(MAX, 3, "asha", 0, 10, 0.0, List.of(9.0, 8.0)).stop(), "3 values: keep 1");
        assertFalse(Rules.asha(MAX, 2, "asha", 0, 10, 5.0, List.of(5.0)).stop(), "a tie with the kept value");
        assertTrue(Rules.asha(MAX, 2, "asha", 0, 10, 4.0, List.of(5.0)).stop());
        assertTrue(Rules.asha(MIN, 2, "asha", 0, 10, 2.0, List.of(1.0)).stop(), "min: smaller is better");
        assertFalse(Rules.asha(MIN, 2, "asha", 0, 10, 1.0, List.of(2.0)).stop());
        assertTrue(Rules.asha(MAX, 2, "asha", 0, 10, Double.NaN, List.of(-1e9)).stop(), "NaN is worst");
        assertEquals(new Verdict(true, "asha rung 1 (step 300): fd 4.000 is worse than the threshold 2.000 (top 2 of 6)"),
                Rules.asha(MIN, 3, "asha", 1, 300, 4.0, List.of(1.0, 2.0, 3.0, 5.0, 6.0)));
        assertEquals(new Verdict(false, "asha rung 0 (step 100): fd 3.000; only 2 value(s) at the rung, fewer than "
                + "the reduction factor 3"), Rules.asha(MIN, 3, "asha", 0, 100, 3.0, List.of(1.0)));
    }

    /**
     * Five completed trials with values at steps 100, 200, 300; running averages up to 200: 2, 3, 4, 5, 6
     * (median 4); up to 300 they become 3, 4, 5, 6, 7 (median 5).
     */
    @Test
    void medianRuleAgainstAHandComputedSequence() {
        List<TrialCurve> completed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            double base = 1 + i;
            completed.add(new TrialCurve(i, true, new TreeMap<>(Map.of(100, base, 200, base + 2, 300, base + 4))));
        }
        // A running (not completed) trial with great values does not count.
        completed.add(new TrialCurve(5, false, new TreeMap<>(Map.of(100, 100.0, 200, 100.0))));
        NavigableMap<Integer, Double> own = new TreeMap<>(Map.of(100, 3.5, 200, 3.9));
        Verdict at200 = Rules.median(MAX, 5, 200, own, completed);
        assertTrue(at200.stop(), at200.reason());
        assertEquals("median rule at step 200: best high_quality_pct 3.900 is worse than the median 4.000 of 5 "
                + "completed trials' running averages", at200.reason());
        own.put(200, 4.0);
        assertFalse(Rules.median(MAX, 5, 200, own, completed).stop(), "equal to the median: not strictly worse");
        own.put(300, 4.5);
        assertTrue(Rules.median(MAX, 5, 300, own, completed).stop(), "best 4.5 < median 5");
        // The best so far counts, not the latest value.
        NavigableMap<Integer, Double> earlyPeak = new TreeMap<>(Map.of(100, 5.5, 200, 0.0, 300, 0.0));
        assertFalse(Rules.median(MAX, 5, 300, earlyPeak, completed).stop());
        // Fewer than min_trials completed trials: no decision against anyone.
        assertFalse(Rules.median(MAX, 6, 300, own, completed).stop());
        // Min mode: the median of averages 2..6 is 4 and smaller is better.
        assertFalse(Rules.median(MIN, 5, 200, new TreeMap<>(Map.of(100, 3.9)), completed).stop());
        assertTrue(Rules.median(MIN, 5, 200, new TreeMap<>(Map.of(100, 4.1)), completed).stop());
        assertEquals(4.5, Rules.median(List.of(6.0, 3.0, 4.0, 5.0)), "even count: mean of the middle two");
    }

    @Test
    void hyperbandAssignsBracketsByTrialIndex() {
        EarlyStopSpec spec = new EarlyStopSpec(EarlyStopSpec.Type.HYPERBAND, 250, 3, 5, 0);
        assertEquals(3, Rules.brackets(spec, 3000), "rungs 250, 750, 2250");
        assertEquals(2, Rules.brackets(new EarlyStopSpec(EarlyStopSpec.Type.HYPERBAND, 250, 3, 5, 2), 3000));
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0),
                java.util.stream.IntStream.range(0, 7).map(i -> Rules.bracketOf(i, 3)).boxed().toList());
        // Bracket s starts at grace * rf^s: bracket 2 judges only at 2250.
        assertEquals(List.of(2250), Rules.rungs(250, 3, Rules.bracketOf(5, 3), 3000));
        // Within a bracket only its own trials compete.
        List<TrialCurve> others = List.of(
                new TrialCurve(0, true, new TreeMap<>(Map.of(250, 1.0))),
                new TrialCurve(1, true, new TreeMap<>(Map.of(250, 2.0, 750, 2.0))),
                new TrialCurve(3, true, new TreeMap<>(Map.of(250, 3.0))),
                new TrialCurve(4, false, new TreeMap<>(Map.of(250, 4.0, 800, 4.5))));
        assertEquals(List.of(2.0, 4.5), Rules.rungValues(others, 750, i -> Rules.bracketOf(i, 3) == 1),
                "the first value at or after the rung step");
        assertEquals(List.of(1.0, 3.0), Rules.rungValues(others, 250, i -> Rules.bracketOf(i, 3) == 0));
    }

    @Test
    void aTrialIsJudgedAtTheRungsItPassedSinceItsLastEvaluation() {
        List<Integer> rungs = List.of(250, 750, 2250);
        assertEquals(List.of(Map.entry(0, 250)), Rules.reached(rungs, 0, 250));
        assertEquals(List.of(), Rules.reached(rungs, 250, 500));
        assertEquals(List.of(Map.entry(1, 750)), Rules.reached(rungs, 600, 900), "eval_every 300: judged at 900");
        assertEquals(List.of(Map.entry(0, 250), Map.entry(1, 750)), Rules.reached(rungs, 0, 1000));
    }
}
