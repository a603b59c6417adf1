package dev.genlab.core.metrics;

import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.MixtureTruth;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code modes}: mode coverage and sample quality against a known mixture, as defined by PacGAN
 * (Lin et al. 2018), so numbers sit beside its Table 1. With K modes of common std σ:
 * <ul>
 *   <li>a sample is <b>high-quality</b> (HQ) when its Euclidean distance to the nearest centre, divided by σ,
 *       is strictly below 3 (a sample with a NaN coordinate never is);</li>
 *   <li>{@code modes_covered}: the number of modes that are the nearest mode of at least one HQ sample;</li>
 *   <li>{@code high_quality_pct}: 100 × #HQ / #samples;</li>
 *   <li>{@code reverse_kl}: KL(p ‖ u) with p(k) = (HQ samples nearest to mode k) / #HQ and u uniform over
 *       the K modes, i.e. Σ_{k: p(k) > 0} p(k) log(p(k)·K) in nats. 0 when HQ samples spread evenly over
 *       all modes; log K when they all sit on one mode. <b>Edge case:</b> with no HQ sample at all, p is
 *       undefined; we report log K, the largest value KL(·‖u) can take, so a generator producing only
 *       garbage never scores better than one collapsed onto a single mode.</li>
 * </ul>
 * Applies when the dataset has a {@link MixtureTruth} whose dimension matches the samples'.
 */
public final class ModesMetric implements MetricProvider {

    /** PacGAN's high-quality threshold, in standard deviations. */
    static final double HQ_STDS = 3.0;

    @Override
    public String name() {
        return "modes";
    }

    @Override
    public String description() {
        return "modes covered, high-quality sample %, reverse KL of the mode histogram (PacGAN)";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public boolean appliesTo(EvalInput input) {
        if (input.dataset() == null || input.dataset().truth() == null || input.samples() == null) {
            return false;
        }
        long[] shape = input.samples().data().getShape().getShape();
        long dim = shape.length < 2 ? 1 : input.samples().data().getShape().size() / shape[0];
        return dim == input.dataset().truth().centres()[0].length;
    }

    @Override
    public Map<String, Double> compute(EvalInput input) {
        MixtureTruth truth = input.dataset().truth();
        float[] flat = input.samples().data().toFloatArray();
        int n = Math.toIntExact(input.samples().data().getShape().get(0));
        return compute(truth, flat, n);
    }

    /**
     * @param truth the mixture
     * @param flat row-major samples, {@code n × d}
     * @param n number of samples
     * @return {@code modes_covered}, {@code high_quality_pct}, {@code reverse_kl}
     */
    static Map<String, Double> compute(MixtureTruth truth, float[] flat, int n) {
        double[][] centres = truth.centres();
        int k = centres.length;
        int d = centres[0].length;
        long[] counts = new long[k];
        long hq = 0;
        double limit = HQ_STDS * truth.std();
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestSq = Double.POSITIVE_INFINITY;
            for (int m = 0; m < k; m++) {
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    double diff = flat[i * d + j] - centres[m][j];
                    sq += diff * diff;
                }
                if (sq < bestSq) {
                    bestSq = sq;
                    best = m;
                }
            }
            // NaN distances never pass "< bestSq", so best stays -1 and the sample is not HQ.
            if (best >= 0 && Math.sqrt(bestSq) < limit) {
                counts[best]++;
                hq++;
            }
        }
        int covered = 0;
        double kl = 0;
        for (long c : counts) {
            if (c > 0) {
                covered++;
                double p = (double) c / hq;
                kl += p * Math.log(p * k);
            }
        }
        if (hq == 0) {
            kl = Math.log(k);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("modes_covered", (double) covered);
        out.put("high_quality_pct", n == 0 ? 0.0 : 100.0 * hq / n);
        out.put("reverse_kl", Math.max(0.0, kl));
        return out;
    }
}
