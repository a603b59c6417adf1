package dev.genlab.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.Dataset;
import dev.genlab.api.EvalInput;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.Paradigm;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.EvaluateSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Samples from a trained paradigm and computes the requested metrics against a reference subset of the
 * data. A metric that throws is reported and skipped, so one broken metric does not discard a trained
 * model's other results.
 */
final class Evaluator {

    private static final Logger LOG = LogManager.getLogger(Evaluator.class);

    private final PluginRegistry registry;

    Evaluator(PluginRegistry registry) {
        this.registry = registry;
    }

    Evaluation evaluate(Paradigm paradigm, Dataset dataset, HostData data, EvaluateSpec spec,
            TrainingOutcome training, Map<String, Long> parameterCounts, NDManager trialManager, long seed) {
        int n = spec.samples();
        try (NDManager scope = trialManager.newSubManager()) {
            SampleRequest request = request(paradigm, dataset, n);
            long t0 = System.nanoTime();
            Samples samples = paradigm.sample(request);
            NDArray generated = samples.data();
            float[] generatedHost = generated.toFloatArray(); // forces lazy engines to finish
            double seconds = (System.nanoTime() - t0) / 1e9;
            generated.attach(scope);
            int[] rows = referenceRows(data.size(), n, seed);
            NDArray reference = data.rows(scope, rows);
            Map<String, List<Double>> history = new LinkedHashMap<>(training.history());
            EvalInput input = new EvalInput(dataset, reference, samples, seconds, history,
                    training.stepSeconds(), parameterCounts, scope);
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (MetricProvider metric : selected(spec, input)) {
                try (NDManager metricScope = scope.newSubManager()) {
                    EvalInput scoped = new EvalInput(dataset, reference, samples, seconds, history,
                            training.stepSeconds(), parameterCounts, metricScope);
                    metrics.putAll(metric.compute(scoped));
                } catch (RuntimeException e) {
                    LOG.error("metric '{}' failed and is skipped: {}", metric.name(), TrainingLoop.describe(e));
                }
            }
            return new Evaluation(metrics, generatedHost, reference.toFloatArray());
        }
    }

    private SampleRequest request(Paradigm paradigm, Dataset dataset, int n) {
        boolean conditional = dataset.shape().labelled()
                && paradigm.capability(ConditionalModel.class).isPresent();
        if (!conditional) {
            return SampleRequest.of(n);
        }
        // Equal counts per class, so class-conditional metrics see a balanced request.
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % dataset.shape().numClasses();
        }
        return new SampleRequest(n, labels, null, null);
    }

    private List<MetricProvider> selected(EvaluateSpec spec, EvalInput input) {
        List<MetricProvider> chosen = new ArrayList<>();
        if (spec.metrics().isEmpty()) {
            for (MetricProvider m : registry.metrics()) {
                if (m.appliesTo(input)) {
                    chosen.add(m);
                }
            }
            return chosen;
        }
        for (String name : spec.metrics()) {
            MetricProvider m = registry.metric(name)
                    .orElseThrow(() -> new TrialFailure("unknown metric '" + name + "'"));
            if (m.appliesTo(input)) {
                chosen.add(m);
            } else {
                LOG.warn("metric '{}' does not apply to dataset '{}' and is skipped", name, input.dataset().name());
            }
        }
        return chosen;
    }

    /** A seeded subset of the data of the same size as the sample set (or all of it if smaller). */
    private static int[] referenceRows(int size, int n, long seed) {
        int m = Math.min(size, n);
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        Random r = new Random(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < m; i++) {
            int j = i + r.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] rows = new int[m];
        System.arraycopy(all, 0, rows, 0, m);
        return rows;
    }
}
