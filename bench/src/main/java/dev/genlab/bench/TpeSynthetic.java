package dev.genlab.bench;

import dev.genlab.core.spec.SweepAxis;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.tpe.Tpe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * TPE against random search on synthetic objectives (no training): the same sampler code a
 * {@code method: tpe} sweep runs, with each configuration's objective computed at once, sequentially (one
 * worker). Prints the best objective per search seed and the medians. See docs/results.md.
 *
 * <p>Usage: {@code TpeSynthetic [budget] [searches]} (defaults 20 and 10).
 */
public final class TpeSynthetic {

    private TpeSynthetic() {}

    /** A function to minimise on its axes. */
    private record Problem(String name, Map<String, SweepAxis> axes, ToDoubleFunction<Map<String, Object>> f) {}

    public static void main(String[] args) {
        int budget = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int searches = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Problem> problems = List.of(
                new Problem("Branin (x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887)",
                        axes("x1", new SweepAxis.Uniform(-5, 10), "x2", new SweepAxis.Uniform(0, 15)),
                        TpeSynthetic::branin),
                new Problem("GAN-like: lr log-uniform [1e-5, 1e-1] x beta1 [0, 0.95], optimum at lr 2e-3, beta1 0.5;"
                        + " loss 1 - exp(-d^2/2)",
                        axes("lr", new SweepAxis.LogUniform(1e-5, 1e-1), "beta1", new SweepAxis.Uniform(0, 0.95)),
                        TpeSynthetic::ganLike));
        for (Problem p : problems) {
            double[] tpe = new double[searches];
            double[] random = new double[searches];
            System.out.printf("%n%s, %d trials per search%n", p.name(), budget);
            System.out.println("search seed | best TPE | best random");
            for (int s = 0; s < searches; s++) {
                tpe[s] = bestOfTpe(p, budget, s);
                random[s] = SweepPlanner.randomPoints(p.axes(), budget, s).stream().mapToDouble(p.f()).min()
                        .orElseThrow();
                System.out.printf("%d | %.4f | %.4f%n", s, tpe[s], random[s]);
            }
            long wins = 0;
            for (int s = 0; s < searches; s++) {
                wins += tpe[s] < random[s] ? 1 : 0;
            }
            System.out.printf("median | %.4f | %.4f   (TPE better in %d of %d searches)%n", median(tpe),
                    median(random), wins, searches);
        }
    }

    private static double bestOfTpe(Problem p, int budget, long seed) {
        Tpe tpe = new Tpe(p.axes(), Tpe.defaultStartup(budget));
        List<Tpe.Observation> obs = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int slot = 0; slot < budget; slot++) {
            Map<String, Object> x = tpe.suggest(seed, slot, obs, false);
            double y = p.f().applyAsDouble(x);
            obs.add(new Tpe.Observation(x, y));
            best = Math.min(best, y);
        }
        return best;
    }

    private static double branin(Map<String, Object> p) {
        double x1 = (Double) p.get("x1");
        double x2 = (Double) p.get("x2");
        double a = x2 - 5.1 / (4 * Math.PI * Math.PI) * x1 * x1 + 5 / Math.PI * x1 - 6;
        return a * a + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    }

    /** Quality falls off in decades of lr (width 0.4 decades) and in beta1 (width 0.15). */
    private static double ganLike(Map<String, Object> p) {
        double dl = (Math.log10((Double) p.get("lr")) - Math.log10(2e-3)) / 0.4;
        double db = ((Double) p.get("beta1") - 0.5) / 0.15;
        return 1 - Math.exp(-(dl * dl + db * db) / 2);
    }

    private static Map<String, SweepAxis> axes(String k1, SweepAxis a1, String k2, SweepAxis a2) {
        Map<String, SweepAxis> m = new LinkedHashMap<>();
        m.put(k1, a1);
        m.put(k2, a2);
        return m;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
