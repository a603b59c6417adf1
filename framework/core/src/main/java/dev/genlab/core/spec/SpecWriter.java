package dev.genlab.core.spec;

import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes a loaded spec back as YAML with every default filled in: the {@code spec.yaml} artifact of a run.
 * The output loads back (with {@link SpecLoader}) into an equal {@link ExperimentSpec}.
 */
public final class SpecWriter {

    /** Creates the writer; it has no state. */
    @Inject
    public SpecWriter() {}

    /**
     * @param spec a loaded spec
     * @return the fully resolved spec as YAML, headed by a comment naming its source; a secret value is
     *     written as its reference {@code ${env:NAME}}, so the file re-runs with the variable set
     */
    public String toYaml(ExperimentSpec spec) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.AUTO);
        options.setIndent(2);
        options.setWidth(120);
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options);
        String header = "# genlab spec, fully resolved (defaults filled in)"
                + (spec.source() == null ? "" : " from " + spec.source()) + "\n";
        return spec.secrets().redact(header + yaml.dump(toMap(spec)));
    }

    /**
     * @param spec a loaded spec
     * @return the resolved spec as plain maps, lists and values, in spec key order, secret values replaced
     *     by their reference {@code ${env:NAME}} (before any encoding, so no quoting or escaping can hide
     *     one from the redaction)
     */
    public Map<String, Object> toMap(ExperimentSpec spec) {
        return spec.secrets().redactMap(plainMap(spec));
    }

    private Map<String, Object> plainMap(ExperimentSpec spec) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", spec.name());
        root.put("seed", spec.seed());
        root.put("dataset", map("name", spec.dataset().name(), "params", new LinkedHashMap<>(spec.dataset().params())));
        TrainSpec t = spec.train();
        root.put("train", map("steps", t.steps(), "batch_size", t.batchSize(), "eval_every", t.evalEvery(),
                "log_every", t.logEvery(), "checkpoint_every", t.checkpointEvery()));
        EvaluateSpec e = spec.evaluate();
        Map<String, Object> evaluate = map("samples", e.samples(), "metrics", new ArrayList<>(e.metrics()),
                "heldout", e.heldout());
        // Written only when set, as the trial hash takes them only then.
        if (!e.periodicMetrics().isEmpty()) {
            evaluate.put("periodic_metrics", new ArrayList<>(e.periodicMetrics()));
        }
        if (e.periodicSamples() > 0) {
            evaluate.put("periodic_samples", e.periodicSamples());
        }
        root.put("evaluate", evaluate);
        List<Object> paradigms = new ArrayList<>();
        for (ParadigmSpec p : spec.paradigms()) {
            Map<String, Object> entry =
                    map("name", p.name(), "plugin", p.plugin(), "params", new LinkedHashMap<>(p.params()));
            if (!p.variants().isEmpty()) {
                Map<String, Object> variants = new LinkedHashMap<>();
                p.variants().forEach((k, v) -> variants.put(k, new LinkedHashMap<>(v)));
                entry.put("variants", variants);
            }
            paradigms.add(entry);
        }
        root.put("paradigms", paradigms);
        SweepSpec sweep = spec.sweep();
        if (!sweep.seeds().isEmpty() || !sweep.parameters().isEmpty() || sweep.method() != SweepMethod.GRID
                || sweep.objective() != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("seeds", new ArrayList<>(sweep.seeds()));
            s.put("method", sweep.method().name().toLowerCase(Locale.ROOT));
            if (sweep.method() != SweepMethod.GRID) {
                s.put("trials", sweep.trials());
            }
            Map<String, Object> axes = new LinkedHashMap<>();
            sweep.parameters().forEach((k, a) -> axes.put(k, axis(a)));
            s.put("parameters", axes);
            if (sweep.objective() != null) {
                s.put("objective", map("metric", sweep.objective().metric(), "mode",
                        sweep.objective().mode().spelling()));
            }
            EarlyStopSpec es = sweep.earlyStop();
            if (es != null) {
                Map<String, Object> stop = map("type", es.type().spelling(), "grace_steps", es.graceSteps());
                switch (es.type()) {
                    case MEDIAN -> stop.put("min_trials", es.minTrials());
                    case ASHA -> stop.put("reduction_factor", es.reductionFactor());
                    case HYPERBAND -> {
                        stop.put("reduction_factor", es.reductionFactor());
                        if (es.brackets() > 0) {
                            stop.put("brackets", es.brackets());
                        }
                    }
                }
                s.put("early_stop", stop);
            }
            root.put("sweep", s);
        }
        TrackingSpec tr = spec.tracking();
        Map<String, Object> tracking = map("uri", tr.uri(), "experiment", tr.experiment(), "local_dir", tr.localDir());
        if (tr.systemMetrics()) {
            tracking.put("system_metrics", true);
        }
        root.put("tracking", tracking);
        return root;
    }

    private static Object axis(SweepAxis axis) {
        if (axis instanceof SweepAxis.Values v) {
            return new ArrayList<>(v.values());
        }
        if (axis instanceof SweepAxis.Uniform u) {
            return map("uniform", List.of(u.low(), u.high()));
        }
        if (axis instanceof SweepAxis.LogUniform u) {
            return map("log_uniform", List.of(u.low(), u.high()));
        }
        SweepAxis.IntRange r = (SweepAxis.IntRange) axis;
        return map("int", List.of(r.low(), r.high()));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
