package dev.genlab.core.metrics;

import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code speed}: cost of a paradigm.
 * <ul>
 *   <li>{@code samples_per_second}: samples / {@link EvalInput#samplingSeconds()};</li>
 *   <li>{@code evaluations_per_sample}: network evaluations per sample, as the paradigm reports it;</li>
 *   <li>{@code train_step_ms}: mean wall time of one training step in milliseconds;</li>
 *   <li>{@code params_total} and {@code params_<network>}: trainable parameters in all and per network.</li>
 * </ul>
 * A time that was not measured (zero, negative or not finite) leaves its key out rather than reporting
 * an infinite or NaN rate.
 */
public final class SpeedMetric implements MetricProvider {

    @Override
    public String name() {
        return "speed";
    }

    @Override
    public String description() {
        return "sampling throughput, evaluations per sample, training step time, parameter counts";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public boolean appliesTo(EvalInput input) {
        return true;
    }

    @Override
    public Map<String, Double> compute(EvalInput input) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (input.samples() != null) {
            long n = input.samples().data().getShape().get(0);
            if (measured(input.samplingSeconds())) {
                out.put("samples_per_second", n / input.samplingSeconds());
            }
            out.put("evaluations_per_sample", (double) input.samples().evaluationsPerSample());
        }
        if (measured(input.stepSeconds())) {
            out.put("train_step_ms", 1000.0 * input.stepSeconds());
        }
        if (input.parameterCounts() != null) {
            long total = 0;
            Map<String, Double> perNetwork = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : new java.util.TreeMap<>(input.parameterCounts()).entrySet()) {
                total += e.getValue();
                perNetwork.put("params_" + e.getKey(), (double) e.getValue());
            }
            out.put("params_total", (double) total);
            out.putAll(perNetwork);
        }
        return out;
    }

    private static boolean measured(double seconds) {
        return seconds > 0 && Double.isFinite(seconds);
    }
}
