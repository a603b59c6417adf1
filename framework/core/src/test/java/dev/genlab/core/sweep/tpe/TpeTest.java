package dev.genlab.core.sweep.tpe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.spec.SweepAxis;
import dev.genlab.core.sweep.SweepPlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class TpeTest {

    private static final Map<String, SweepAxis> MIXED = axes(
            "gan.lr", new SweepAxis.LogUniform(1e-5, 1e-1),
            "gan.beta1", new SweepAxis.Uniform(0.0, 0.9),
            "gan.n_critic", new SweepAxis.IntRange(1, 5),
            "gan.loss", new SweepAxis.Values(List.of("bce", "hinge", "wgan")));

    private static Map<String, SweepAxis> axes(Object... kv) {
        Map<String, SweepAxis> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (SweepAxis) kv[i + 1]);
        }
        return m;
    }

    /** Observations of the mixed space with a made-up objective, from random points. */
    private static List<Tpe.Observation> observations(int n, long seed) {
        List<Tpe.Observation> out = new ArrayList<>();
        for (Map<String, Object> p : SweepPlanner.randomPoints(MIXED, n, seed)) {
            double lr = (Double) p.get("gan.lr");
            double obj = -Math.abs(Math.log10(lr) + 3.5) - (Double) p.get("gan.beta1")
                    + ("hinge".equals(p.get("gan.loss")) ? 1 : 0) - 0.1 * (Long) p.get("gan.n_critic");
            out.add(new Tpe.Observation(p, obj));
        }
        return out;
    }

    @Test
    void theSameSetOfObservationsInAnyOrderGivesTheSameSuggestion() {
        Tpe tpe = new Tpe(MIXED, 5);
        List<Tpe.Observation> obs = observations(12, 3);
        Map<String, Object> first = tpe.suggest(42, 12, obs, true);
        for (long shuffle = 0; shuffle < 10; shuffle++) {
            List<Tpe.Observation> other = new ArrayList<>(obs);
            Collections.shuffle(other, new Random(shuffle));
            assertEquals(first, tpe.suggest(42, 12, other, true));
            // A fresh estimator (another process) too.
            assertEquals(first, new Tpe(MIXED, 5).suggest(42, 12, other, true));
        }
        // Seed and slot both matter.
        assertNotEquals(first, tpe.suggest(43, 12, obs, true));
        assertNotEquals(first, tpe.suggest(42, 13, obs, true));
    }

    @Test
    void equalObjectivesAreSplitByTheSetNotTheOrder() {
        Tpe tpe = new Tpe(MIXED, 2);
        List<Tpe.Observation> obs = new ArrayList<>();
        for (Map<String, Object> p : SweepPlanner.randomPoints(MIXED, 8, 9)) {
            obs.add(new Tpe.Observation(p, 1.0)); // all tied: who is "good" must not depend on the order
        }
        Map<String, Object> first = tpe.suggest(5, 8, obs, false);
        Collections.reverse(obs);
        assertEquals(first, tpe.suggest(5, 8, obs, false));
    }

    @Test
    void beforeStartupTheSlotGetsTheRandomSweepsDraw() {
        Tpe tpe = new Tpe(MIXED, 4);
        List<Map<String, Object>> random = SweepPlanner.randomPoints(MIXED, 6, 7);
        List<Tpe.Observation> three = observations(3, 1);
        for (int slot = 0; slot < 6; slot++) {
            assertEquals(random.get(slot), tpe.suggest(7, slot, three, true));
        }
        assertNotEquals(random.get(5), tpe.suggest(7, 5, observations(4, 1), true)); // the model from 4 on
    }

    @Test
    void everyAxisTypeIsHonoured() {
        Tpe tpe = new Tpe(MIXED, 2);
        for (int rep = 0; rep < 200; rep++) {
            Map<String, Object> p = tpe.suggest(rep, 20, observations(20, rep), rep % 2 == 0);
            assertEquals(List.copyOf(MIXED.keySet()), List.copyOf(p.keySet()));
            double lr = assertInstanceOf(Double.class, p.get("gan.lr"));
            assertTrue(lr >= 1e-5 && lr <= 1e-1, "lr " + lr);
            double beta1 = assertInstanceOf(Double.class, p.get("gan.beta1"));
            assertTrue(beta1 >= 0 && beta1 <= 0.9, "beta1 " + beta1);
            long nCritic = assertInstanceOf(Long.class, p.get("gan.n_critic"));
            assertTrue(nCritic >= 1 && nCritic <= 5, "n_critic " + nCritic);
            assertTrue(List.of("bce", "hinge", "wgan").contains(p.get("gan.loss")), "loss " + p.get("gan.loss"));
            // Real values are rounded like random draws: 6 significant digits.
            assertEquals(new java.math.BigDecimal(lr).round(new java.math.MathContext(6)).doubleValue(), lr);
        }
    }

    @Test
    void theModelFollowsTheGoodRegionOnEachAxisType() {
        // Good results only near lr = 1e-4 (log scale), n_critic = 4, loss = wgan, beta1 = 0.8.
        Map<String, Object> good = Map.of("gan.lr", 1e-4, "gan.beta1", 0.8, "gan.n_critic", 4L, "gan.loss", "wgan");
        List<Tpe.Observation> obs = new ArrayList<>();
        for (Map<String, Object> p : SweepPlanner.randomPoints(MIXED, 30, 11)) {
            obs.add(new Tpe.Observation(p, 0.0));
        }
        for (int i = 0; i < 10; i++) {
            Map<String, Object> p = new LinkedHashMap<>(good);
            p.put("gan.lr", 1e-4 * (1 + 0.05 * i));
            obs.add(new Tpe.Observation(p, 1.0));
        }
        Tpe tpe = new Tpe(MIXED, 2);
        int lrNear = 0;
        int critic4 = 0;
        int wgan = 0;
        int beta1High = 0;
        int n = 100;
        for (int slot = 40; slot < 40 + n; slot++) {
            Map<String, Object> p = tpe.suggest(1, slot, obs, true);
            double lr = (Double) p.get("gan.lr");
            lrNear += lr > 3e-5 && lr < 3e-4 ? 1 : 0; // a uniform draw in log space lands here 12 % of the time
            critic4 += (Long) p.get("gan.n_critic") == 4 ? 1 : 0;
            wgan += "wgan".equals(p.get("gan.loss")) ? 1 : 0;
            beta1High += (Double) p.get("gan.beta1") > 0.7 ? 1 : 0;
        }
        assertTrue(lrNear > 0.7 * n, "lr near 1e-4 in " + lrNear + " of " + n);
        assertTrue(critic4 > 0.7 * n, "n_critic = 4 in " + critic4 + " of " + n);
        assertTrue(wgan > 0.7 * n, "wgan in " + wgan + " of " + n);
        assertTrue(beta1High > 0.7 * n, "beta1 > 0.7 in " + beta1High + " of " + n);
        // Minimising the same numbers steers away from that region instead.
        int lrNearMin = 0;
        for (int slot = 40; slot < 40 + n; slot++) {
            double lr = (Double) tpe.suggest(1, slot, obs, false).get("gan.lr");
            lrNearMin += lr > 3e-5 && lr < 3e-4 ? 1 : 0;
        }
        assertTrue(lrNearMin < 0.3 * n, "minimising: lr near 1e-4 in " + lrNearMin + " of " + n);
    }

    /** Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]: three global minima of 0.397887, a narrow valley. */
    static double branin(Map<String, Object> p) {
        double x1 = (Double) p.get("x1");
        double x2 = (Double) p.get("x2");
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        double a = x2 - b * x1 * x1 + c * x1 - 6;
        return a * a + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    static final Map<String, SweepAxis> BRANIN = axes("x1", new SweepAxis.Uniform(-5, 10),
            "x2", new SweepAxis.Uniform(0, 15));

    /**
     * Runs one sequential search and returns the best objective (smallest) found within the budget.
     */
    static double bestOfTpe(Map<String, SweepAxis> space, ToDoubleFunction<Map<String, Object>> f, int budget,
            long seed) {
        Tpe tpe = new Tpe(space, Tpe.defaultStartup(budget));
        List<Tpe.Observation> obs = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int slot = 0; slot < budget; slot++) {
            Map<String, Object> p = tpe.suggest(seed, slot, obs, false);
            double y = f.applyAsDouble(p);
            obs.add(new Tpe.Observation(p, y));
            best = Math.min(best, y);
        }
        return best;
    }

    static double bestOfRandom(Map<String, SweepAxis> space, ToDoubleFunction<Map<String, Object>> f, int budget,
            long seed) {
        return SweepPlanner.randomPoints(space, budget, seed).stream().mapToDouble(f).min().orElseThrow();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    @Test
    void tpeBeatsRandomOnBraninWithTheSameBudget() {
        int reps = 60;
        double[] tpe = new double[reps];
        double[] random = new double[reps];
        int tpeWins = 0;
        for (int seed = 0; seed < reps; seed++) {
            tpe[seed] = bestOfTpe(BRANIN, TpeTest::branin, 30, seed);
            random[seed] = bestOfRandom(BRANIN, TpeTest::branin, 30, seed);
            tpeWins += tpe[seed] < random[seed] ? 1 : 0;
        }
        double mt = median(tpe);
        double mr = median(random);
        System.out.printf("Branin, 30 trials x %d searches: median best TPE %.4f, random %.4f; TPE better in %d%n",
                reps, mt, mr, tpeWins);
        assertTrue(mt < mr, "median best: TPE " + mt + ", random " + mr);
        assertTrue(tpeWins > reps / 2, "TPE better than random in " + tpeWins + " of " + reps + " searches");
    }

    /** A narrow optimum: a quadratic bowl of width 1 % of the range at (0.73, 0.21) on the unit square. */
    static double narrow(Map<String, Object> p) {
        double dx = ((Double) p.get("x1") - 0.73) / 0.01;
        double dy = ((Double) p.get("x2") - 0.21) / 0.01;
        return -Math.exp(-(dx * dx + dy * dy) / 2) + 1e-4 * (dx * dx + dy * dy);
    }

    @Test
    void tpeBeatsRandomOnANarrowQuadraticWithTheSameBudget() {
        Map<String, SweepAxis> unit = axes("x1", new SweepAxis.Uniform(0, 1), "x2", new SweepAxis.Uniform(0, 1));
        int reps = 60;
        double[] tpe = new double[reps];
        double[] random = new double[reps];
        for (int seed = 0; seed < reps; seed++) {
            tpe[seed] = bestOfTpe(unit, TpeTest::narrow, 30, seed);
            random[seed] = bestOfRandom(unit, TpeTest::narrow, 30, seed);
        }
        double mt = median(tpe);
        double mr = median(random);
        System.out.printf("narrow bowl, 30 trials x %d searches: median best TPE %.5f, random %.5f%n", reps, mt, mr);
        assertTrue(mt < mr, "median best: TPE " + mt + ", random " + mr);
    }
}
