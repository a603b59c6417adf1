package dev.genlab.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
import dev.genlab.api.Dataset;
import dev.genlab.api.Diagnostics;
import dev.genlab.api.EvalInput;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.Paradigm;
import dev.genlab.api.Params;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.sweep.Trial;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Samples from a trained paradigm and computes the requested metrics against a reference subset of the
 * data; asks the paradigm for its {@link Diagnostics} on held-out examples; and, at the end of training,
 * samples and scores every evaluation variant on the same weights. A metric, diagnostic or variant that
 * throws is reported and skipped, so one broken part does not discard a trained model's other results.
 */
final class Evaluator {

    private static final Logger LOG = LogManager.getLogger(Evaluator.class);
    private static final Pattern FIGURE_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private final PluginRegistry registry;
    /**
     * "metric / paradigm / dataset" combinations already reported as not applicable in this sweep: the
     * first report is INFO, repeats (every trial and evaluation of the same paradigm) DEBUG.
     */
    private final Set<String> notApplicable = ConcurrentHashMap.newKeySet();

    Evaluator(PluginRegistry registry) {
        this.registry = registry;
    }

    /** Starts a new sweep: a metric that does not apply is reported once more per paradigm. */
    void newSweep() {
        notApplicable.clear();
    }

    /**
     * The evaluation after training: every metric of {@code evaluate.metrics} on {@code evaluate.samples}
     * samples, the paradigm's diagnostics and figures, and every evaluation variant.
     *
     * @param training the loss history
     */
    Evaluation evaluateFinal(Paradigm paradigm, LoadedData data, Trial trial, TrainingOutcome training,
            Map<String, Long> parameterCounts, NDManager trialManager) {
        EvaluateSpec spec = trial.evaluate();
        return evaluate(paradigm, data, trial, training, parameterCounts, trialManager, spec.samples(),
                spec.metrics(), false, true);
    }

    /**
     * A periodic evaluation during training ({@code train.eval_every}): the periodic metrics on
     * {@code evaluate.periodic_samples} samples and the paradigm's diagnostics; no loss history (stability
     * metrics are meaningful only at the end), figures or variants.
     */
    Evaluation evaluatePeriodic(Paradigm paradigm, LoadedData data, Trial trial, Map<String, Long> parameterCounts,
            NDManager trialManager) {
        EvaluateSpec spec = trial.evaluate();
        return evaluate(paradigm, data, trial, new TrainingOutcome(Map.of(), 0, 0), parameterCounts, trialManager,
                spec.periodicSampleCount(), spec.periodicMetricNames(), spec.periodicDefault(), false);
    }

    /**
     * @param metricNames the metrics to compute; when {@code quietly} is false, empty means every metric that
     *     applies
     * @param quietly skip metrics that do not apply without saying so (a default subset)
     * @param last whether training has ended: only then are figures drawn and variants evaluated
     */
    private Evaluation evaluate(Paradigm paradigm, LoadedData data, Trial trial, TrainingOutcome training,
            Map<String, Long> parameterCounts, NDManager trialManager, int n, List<String> metricNames,
            boolean quietly, boolean last) {
        EvaluateSpec spec = trial.evaluate();
        Dataset dataset = data.dataset();
        try (NDManager scope = trialManager.newSubManager()) {
            Drawn main = draw(paradigm, dataset, n, new Params(Map.of()));
            main.samples().data().attach(scope);
            int[] rows = referenceRows(data.host().size(), n, trial.seed());
            NDArray reference = data.host().rows(scope, rows);
            Dataset heldOut = heldOut(data, spec, scope);
            Map<String, List<Double>> history = new LinkedHashMap<>(training.history());
            EvalInput input = new EvalInput(dataset, reference, main.samples(), main.seconds(), history,
                    training.stepSeconds(), parameterCounts, scope, heldOut, paradigm);
            Map<String, Double> metrics = metrics(metricNames, quietly, input, trial.paradigm());
            Map<String, Double> diagnosed = new LinkedHashMap<>();
            Map<String, Evaluation.Figure> figures = new LinkedHashMap<>();
            Optional<Diagnostics> diagnostics = paradigm.capability(Diagnostics.class);
            if (diagnostics.isPresent() && heldOut != null) {
                diagnose(diagnostics.get(), heldOut, scope, metrics, diagnosed, last ? figures : null);
            }
            Map<String, Evaluation.Variant> variants = new LinkedHashMap<>();
            if (last) {
                trial.variants().forEach((name, overrides) -> variant(name, overrides, paradigm, dataset, spec,
                        reference, scope).ifPresent(v -> variants.put(name, v)));
            }
            return new Evaluation(metrics, diagnosed, main.host(), reference.toFloatArray(), figures, variants);
        }
    }

    /** Samples with their wall time and a host copy. */
    private record Drawn(Samples samples, double seconds, float[] host) {}

    private Drawn draw(Paradigm paradigm, Dataset dataset, int n, Params options) {
        SampleRequest request = request(paradigm, dataset, n, options);
        long t0 = System.nanoTime();
        Samples samples = paradigm.sample(request);
        float[] host = samples.data().toFloatArray(); // forces lazy engines to finish
        return new Drawn(samples, (System.nanoTime() - t0) / 1e9, host);
    }

    /**
     * @param names the metrics; empty means every one that applies, unless {@code quietly}
     * @param quietly a default subset: metrics that are not installed or do not apply are skipped silently
     * @param paradigm the paradigm's name in the spec (null for a variant)
     */
    private Map<String, Double> metrics(List<String> names, boolean quietly, EvalInput input, String paradigm) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (MetricProvider metric : selected(names, quietly, input, paradigm)) {
            try (NDManager metricScope = input.manager().newSubManager()) {
                EvalInput scoped = new EvalInput(input.dataset(), input.reference(), input.samples(),
                        input.samplingSeconds(), input.lossHistory(), input.stepSeconds(), input.parameterCounts(),
                        metricScope, input.heldOut(), input.paradigm());
                metrics.putAll(metric.compute(scoped));
            } catch (RuntimeException e) {
                LOG.error("metric '{}' failed and is skipped: {}", metric.name(), TrainingLoop.describe(e));
            }
        }
        return metrics;
    }

    /** The first {@code evaluate.heldout} held-out examples, or null if there are none to use. */
    private static Dataset heldOut(LoadedData data, EvaluateSpec spec, NDManager scope) {
        Dataset all = data.heldOut();
        if (all == null || spec.heldout() == 0) {
            return null;
        }
        int m = Math.min(spec.heldout(), all.size());
        NDArray x = all.data().get("0:" + m);
        x.attach(scope);
        NDArray y = null;
        if (all.labels() != null) {
            y = all.labels().get("0:" + m);
            y.attach(scope);
        }
        return new Dataset(all.name(), x, y, all.shape(), all.truth());
    }

    private void diagnose(Diagnostics diagnostics, Dataset heldOut, NDManager scope, Map<String, Double> metrics,
            Map<String, Double> diagnosed, Map<String, Evaluation.Figure> figures) {
        try (NDManager local = scope.newSubManager()) {
            diagnostics.diagnose(batch(heldOut, local)).forEach((k, v) -> {
                if (metrics.containsKey(k)) {
                    LOG.warn("diagnostic '{}' has the name of a metric and is skipped; rename it in the plugin", k);
                } else {
                    diagnosed.put(k, v);
                }
            });
        } catch (RuntimeException e) {
            LOG.error("the paradigm's diagnostics failed and are skipped: {}", TrainingLoop.describe(e));
        }
        if (figures == null) {
            return;
        }
        try (NDManager local = scope.newSubManager()) {
            for (Map.Entry<String, NDArray> f : diagnostics.figures(batch(heldOut, local), local).entrySet()) {
                long[] shape = f.getValue().getShape().getShape();
                if (!FIGURE_NAME.matcher(f.getKey()).matches() || shape.length < 3) {
                    LOG.warn("figure '{}' of shape {} is skipped: names are letters, digits, '_' and '-', shapes "
                            + "[rows, cols, ...example]", f.getKey(), f.getValue().getShape());
                    continue;
                }
                figures.put(f.getKey(), new Evaluation.Figure(f.getValue().toFloatArray(), shape));
            }
        } catch (RuntimeException e) {
            LOG.error("the paradigm's figures failed and are skipped: {}", TrainingLoop.describe(e));
        }
    }

    /** A batch of fresh copies, so a paradigm that moves or closes them cannot touch the held-out set. */
    private static Batch batch(Dataset heldOut, NDManager owner) {
        NDArray x = heldOut.data().duplicate();
        x.attach(owner);
        NDArray y = null;
        if (heldOut.labels() != null) {
            y = heldOut.labels().duplicate();
            y.attach(owner);
        }
        return new Batch(x, y);
    }

    /**
     * Samples one variant and computes the sample-based metrics only: no loss history, step time, parameter
     * counts or held-out data are passed, so training-side metrics are not repeated per variant.
     */
    private Optional<Evaluation.Variant> variant(String name, Map<String, Object> overrides, Paradigm paradigm,
            Dataset dataset, EvaluateSpec spec, NDArray reference, NDManager scope) {
        try (NDManager local = scope.newSubManager()) {
            Drawn drawn = draw(paradigm, dataset, spec.samples(), new Params(overrides));
            drawn.samples().data().attach(local);
            EvalInput input = new EvalInput(dataset, reference, drawn.samples(), drawn.seconds(), null, 0,
                    null, local, null, null);
            return Optional.of(new Evaluation.Variant(metrics(spec.metrics(), false, input, null), drawn.host()));
        } catch (RuntimeException e) {
            LOG.error("evaluation variant '{}' failed and is skipped: {}", name, TrainingLoop.describe(e));
            return Optional.empty();
        }
    }

    private SampleRequest request(Paradigm paradigm, Dataset dataset, int n, Params options) {
        boolean conditional = dataset.shape().labelled()
                && paradigm.capability(ConditionalModel.class).isPresent();
        if (!conditional) {
            return new SampleRequest(n, null, null, null, options);
        }
        // Equal counts per class, so class-conditional metrics see a balanced request.
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % dataset.shape().numClasses();
        }
        return new SampleRequest(n, labels, null, null, options);
    }

    private List<MetricProvider> selected(List<String> names, boolean quietly, EvalInput input, String paradigm) {
        List<MetricProvider> chosen = new ArrayList<>();
        if (names.isEmpty() && !quietly) {
            for (MetricProvider m : registry.metrics()) {
                if (m.appliesTo(input)) {
                    chosen.add(m);
                }
            }
            return chosen;
        }
        for (String name : names) {
            Optional<MetricProvider> found = registry.metric(name);
            if (found.isEmpty() && quietly) {
                continue; // a default periodic metric whose plugin is not installed
            }
            MetricProvider m = found.orElseThrow(() -> new TrialFailure("unknown metric '" + name + "'"));
            if (m.appliesTo(input)) {
                chosen.add(m);
            } else if (input.paradigm() != null && !quietly) { // variants skip training-side metrics on purpose
                // Expected in a sweep over paradigms (a GAN has no likelihood): said once per paradigm.
                boolean first = notApplicable.add(name + " / " + paradigm + " / " + input.dataset().name());
                LOG.log(first ? Level.INFO : Level.DEBUG, "metric '{}' does not apply to paradigm '{}' on dataset "
                        + "'{}' and is skipped{}", name, paradigm, input.dataset().name(),
                        first ? " (said once per sweep)" : "");
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
