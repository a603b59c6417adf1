package dev.genlab.core.metrics;

import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stability}: how settled training is at the end. For each loss history, the <b>window</b> is its
 * last 20 % of steps (rounded up, at least 2 steps, at most the whole history); over the finite values
 * x₁..x_w of that window:
 * <ul>
 *   <li>{@code <loss>_std}: the population standard deviation sqrt(Σ(xᵢ − x̄)²/w);</li>
 *   <li>{@code <loss>_oscillation}: the mean absolute step-to-step change Σ|xᵢ₊₁ − xᵢ|/(w − 1), in the
 *       loss's own units. It is deliberately not divided by |x̄|: GAN and WGAN losses hover around 0,
 *       where a relative value explodes; compare it between runs of the same paradigm (e.g. across a
 *       learning-rate sweep). A noisy but flat loss has oscillation ≈ 1.13·std (2/√π for white noise); a
 *       smooth trend has oscillation far below its std;</li>
 *   <li>{@code diverged}: 1 if any value of any loss history is NaN or infinite, or <b>exploded</b>: its
 *       magnitude exceeds {@value #EXPLOSION_FACTOR} × (1 + the median magnitude of the history's start, its
 *       first 5 % of values, at least 3). Else 0. Non-finite values end a trial, so without the second rule
 *       a finished run could not be flagged at all; a Gaussian fit whose NLL went from 0.9 to 1e20 was.
 *       The factor sits far from healthy runs: over 759 loss histories of the study runs (GAN, VAE,
 *       diffusion, VAE-GAN losses and diagnostics) the largest max-to-start ratio was 477 (a VAE's
 *       gradient-norm spikes), the exploded Gaussian fits' 1.6e11 and more.</li>
 * </ul>
 * A loss whose window has fewer than 2 finite values gets no std/oscillation keys.
 */
public final class StabilityMetric implements MetricProvider {

    /** Fraction of the history, at its end, that forms the window. */
    static final double WINDOW_FRACTION = 0.2;
    /** Fraction of the history, at its start, that sets the scale for explosion (at least 3 values). */
    static final double START_FRACTION = 0.05;
    /** A value this many times (1 + the start's median magnitude) counts as an explosion. */
    static final double EXPLOSION_FACTOR = 1e4;

    @Override
    public String name() {
        return "stability";
    }

    @Override
    public String description() {
        return "loss std and oscillation over the last 20% of steps, divergence flag (non-finite or exploded)";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public boolean appliesTo(EvalInput input) {
        return input.lossHistory() != null;
    }

    @Override
    public Map<String, Double> compute(EvalInput input) {
        Map<String, Double> out = new LinkedHashMap<>();
        boolean diverged = false;
        for (Map.Entry<String, List<Double>> loss : input.lossHistory().entrySet()) {
            List<Double> history = loss.getValue();
            for (Double v : history) {
                if (v == null || !Double.isFinite(v)) {
                    diverged = true;
                    break;
                }
            }
            diverged |= exploded(history);
            int w = windowSize(history.size());
            List<Double> window = new ArrayList<>();
            for (Double v : history.subList(history.size() - w, history.size())) {
                if (v != null && Double.isFinite(v)) {
                    window.add(v);
                }
            }
            if (window.size() < 2) {
                continue;
            }
            double mean = window.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double squares = 0;
            double steps = 0;
            for (int i = 0; i < window.size(); i++) {
                double dev = window.get(i) - mean;
                squares += dev * dev;
                if (i > 0) {
                    steps += Math.abs(window.get(i) - window.get(i - 1));
                }
            }
            out.put(loss.getKey() + "_std", Math.sqrt(squares / window.size()));
            out.put(loss.getKey() + "_oscillation", steps / (window.size() - 1));
        }
        out.put("diverged", diverged ? 1.0 : 0.0);
        return out;
    }

    /** @return whether a finite value exceeds the explosion threshold set by the history's start */
    static boolean exploded(List<Double> history) {
        List<Double> finite = history.stream().filter(v -> v != null && Double.isFinite(v)).toList();
        int start = Math.min(finite.size(), Math.max(3, (int) Math.ceil(START_FRACTION * finite.size())));
        if (start == 0) {
            return false;
        }
        double[] magnitudes = finite.subList(0, start).stream().mapToDouble(Math::abs).sorted().toArray();
        double median = start % 2 == 1 ? magnitudes[start / 2]
                : (magnitudes[start / 2 - 1] + magnitudes[start / 2]) / 2;
        double limit = EXPLOSION_FACTOR * (1 + median);
        return finite.stream().anyMatch(v -> Math.abs(v) > limit);
    }

    /**
     * @param length history length
     * @return the number of final steps in the window: ceil(20 %), at least 2, at most {@code length}
     */
    static int windowSize(int length) {
        int w = (int) Math.ceil(WINDOW_FRACTION * length);
        return Math.min(length, Math.max(2, w));
    }
}
