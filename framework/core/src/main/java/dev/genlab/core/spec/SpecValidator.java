package dev.genlab.core.spec;

import dev.genlab.api.DatasetProvider;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParamSchema;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.ParamType;
import dev.genlab.api.Plugin;
import dev.genlab.core.metrics.MetricKeys;
import dev.genlab.core.metrics.MetricSources;
import dev.genlab.core.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns a composed spec tree into an {@link ExperimentSpec}, reporting every problem it finds (it never
 * stops at the first one) with its location and a fix.
 */
final class SpecValidator {

    private static final Logger LOG = LogManager.getLogger(SpecValidator.class);

    static final List<String> TOP_KEYS =
            List.of("name", "seed", "extends", "dataset", "train", "evaluate", "paradigms", "sweep", "tracking");

    /** The framework-owned training keys, as a schema so sweeps check them like plugin parameters. */
    static final ParamSchema TRAIN = ParamSchema.builder()
            .addInt("steps", TrainSpec.DEFAULTS.steps(), 1, Integer.MAX_VALUE, "optimisation steps per trial")
            .addInt("batch_size", TrainSpec.DEFAULTS.batchSize(), 1, Integer.MAX_VALUE, "minibatch size")
            .addInt("eval_every", TrainSpec.DEFAULTS.evalEvery(), 0, Integer.MAX_VALUE,
                    "evaluate every this many steps, 0 for only at the end")
            .addInt("log_every", TrainSpec.DEFAULTS.logEvery(), 1, Integer.MAX_VALUE,
                    "log step metrics every this many steps")
            .addInt("checkpoint_every", TrainSpec.DEFAULTS.checkpointEvery(), 0, Integer.MAX_VALUE,
                    "save a resumable checkpoint every this many steps, 0 for never")
            .build();

    /** The sweepable evaluation key. */
    static final ParamSpec EVAL_SAMPLES = new ParamSpec("samples", ParamType.INT,
            (long) EvaluateSpec.DEFAULTS.samples(), 1.0, (double) Integer.MAX_VALUE, List.of(),
            "number of generated samples to evaluate");

    private static final ParamSpec EVAL_HELDOUT = new ParamSpec("heldout", ParamType.INT,
            (long) EvaluateSpec.DEFAULT_HELDOUT, 0.0, (double) Integer.MAX_VALUE, List.of(),
            "held-out examples for likelihood metrics and paradigm diagnostics, 0 for none");

    private static final ParamSpec SYSTEM_METRICS = new ParamSpec("system_metrics", ParamType.BOOLEAN, false, null,
            null, List.of(), "log the trial process's CPU use and memory under system/ at each log step");
    private static final ParamSpec EVAL_PERIODIC_SAMPLES = new ParamSpec("periodic_samples", ParamType.INT,
            (long) EvaluateSpec.DEFAULT_PERIODIC_SAMPLES, 1.0, (double) Integer.MAX_VALUE, List.of(),
            "generated samples per periodic evaluation (train.eval_every)");

    private static final ParamSpec SEED = new ParamSpec("seed", ParamType.INT, 0L, null, null, List.of(), "");
    private static final ParamSpec TRIALS = new ParamSpec("trials", ParamType.INT, 1L, 1.0,
            (double) Integer.MAX_VALUE, List.of(), "");
    private static final ParamSpec METHOD = new ParamSpec("method", ParamType.CHOICE, "grid", null, null,
            List.of("grid", "random", "tpe"), "");
    private static final ParamSpec MODE = new ParamSpec("mode", ParamType.CHOICE, "max", null, null,
            List.of("max", "min"), "");
    private static final ParamSpec EARLY_STOP_TYPE = new ParamSpec("type", ParamType.CHOICE, "asha", null, null,
            List.of("median", "asha", "hyperband"), "");
    private static final ParamSpec GRACE_STEPS = new ParamSpec("grace_steps", ParamType.INT, 1L, 1.0,
            (double) Integer.MAX_VALUE, List.of(), "");
    private static final ParamSpec REDUCTION_FACTOR = new ParamSpec("reduction_factor", ParamType.INT,
            (long) EarlyStopSpec.DEFAULT_REDUCTION_FACTOR, 2.0, 100.0, List.of(), "");
    private static final ParamSpec MIN_TRIALS = new ParamSpec("min_trials", ParamType.INT,
            (long) EarlyStopSpec.DEFAULT_MIN_TRIALS, 1.0, (double) Integer.MAX_VALUE, List.of(), "");
    private static final ParamSpec BRACKETS = new ParamSpec("brackets", ParamType.INT, 0L, 1.0, 100.0,
            List.of(), "");
    private static final List<String> DISTRIBUTIONS = List.of("uniform", "log_uniform", "int", "choice");
    private static final Pattern PARADIGM_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Set<String> SECTIONS = Set.copyOf(TOP_KEYS);
    private static final String SWEEP_KEYS =
            "sweep keys are <paradigm>.<param>, train.<key>, dataset.params.<param> or evaluate.samples";

    private final PluginRegistry registry;
    private final SpecErrors errors;
    private final ParamChecker checker;

    SpecValidator(PluginRegistry registry, SpecErrors errors) {
        this.registry = registry;
        this.errors = errors;
        this.checker = new ParamChecker(errors);
    }

    /**
     * @param root the composed, overridden and interpolated tree
     * @param source the root spec file
     * @return the spec; only meaningful if no errors were recorded
     */
    ExperimentSpec validate(SpecNode.MapNode root, Path source) {
        checkKeys(root, "", TOP_KEYS);
        String name = requiredString(root, "name", "", "add name: <experiment name> at the top level")
                .orElse("");
        long seed = optionalLong(root.get("seed"), SEED, "seed").orElse(0L);
        DatasetResult dataset = dataset(root);
        TrainSpec train = train(root);
        EvaluateSpec evaluate = evaluate(root);
        Map<String, Target> schemas = new LinkedHashMap<>();
        List<ParadigmSpec> paradigms = paradigms(root, schemas);
        SweepSpec sweep = sweep(root, schemas, dataset.schema(), train, evaluate);
        TrackingSpec tracking = tracking(root);
        return new ExperimentSpec(name, seed, dataset.spec(), train, evaluate, paradigms, sweep, tracking, source);
    }

    // ---------------------------------------------------------------- sections

    private record DatasetResult(DatasetSpec spec, ParamSchema schema) {}

    private DatasetResult dataset(SpecNode.MapNode root) {
        SpecNode node = root.get("dataset");
        DatasetResult none = new DatasetResult(new DatasetSpec("", Map.of()), null);
        if (absent(node)) {
            errors.add(root.loc(), "dataset: missing required key",
                    "add dataset: {name: <dataset>}; " + installed(registry.datasets(), "installed datasets"));
            return none;
        }
        SpecNode nameNode;
        SpecNode paramsNode = null;
        if (node instanceof SpecNode.Scalar) {
            nameNode = node; // shorthand: dataset: ring8
        } else {
            SpecNode.MapNode map = map(node, "dataset", "write dataset: {name: ring8, params: {...}}");
            if (map == null) {
                return none;
            }
            checkKeys(map, "dataset", List.of("name", "params"));
            nameNode = map.get("name");
            paramsNode = map.get("params");
            if (absent(nameNode)) {
                errors.add(map.loc(), "dataset.name: missing required key",
                        "add name: <dataset>; " + installed(registry.datasets(), "installed datasets"));
                return none;
            }
        }
        Optional<String> name = string(nameNode, "dataset.name");
        if (name.isEmpty()) {
            return none;
        }
        Optional<DatasetProvider> provider = registry.dataset(name.get());
        if (provider.isEmpty()) {
            errors.add(nameNode.loc(), "dataset.name: unknown dataset '" + name.get() + "'",
                    hintPlugins(name.get(), registry.datasets(), "installed datasets"));
            return new DatasetResult(new DatasetSpec(name.get(), Map.of()), null);
        }
        ParamSchema schema = provider.get().parameters();
        int before = errors.count();
        Map<String, Object> params =
                checker.resolve(paramsNode, schema, "dataset.params.", "dataset '" + name.get() + "'");
        if (errors.count() == before) { // cross-parameter rules only make sense on valid single values
            crossCheck("dataset", provider.get(), provider.get()::validate, params,
                    absent(paramsNode) ? node.loc() : paramsNode.loc(), "dataset.params");
        }
        return new DatasetResult(new DatasetSpec(name.get(), params, unhashedDefaults(schema)), schema);
    }

    /**
     * @return the parameters added to a plugin after its first release ({@link ParamSpec#hashedAtDefault} false)
     *     with their defaults: at those values they stay out of the trial hash
     */
    private static Map<String, Object> unhashedDefaults(ParamSchema schema) {
        Map<String, Object> unhashed = new LinkedHashMap<>();
        for (ParamSpec p : schema.params()) {
            if (!p.hashedAtDefault()) {
                unhashed.put(p.name(), ParamChecker.normalise(p.defaultValue(), p.type()));
            }
        }
        return unhashed;
    }

    private TrainSpec train(SpecNode.MapNode root) {
        SpecNode node = root.get("train");
        if (!absent(node) && map(node, "train", "write train: {steps: 1000, batch_size: 256}") == null) {
            return TrainSpec.DEFAULTS;
        }
        Map<String, Object> v = checker.resolve(node, TRAIN, "train.", null);
        return new TrainSpec(toInt(v.get("steps")), toInt(v.get("batch_size")), toInt(v.get("eval_every")),
                toInt(v.get("log_every")), toInt(v.get("checkpoint_every")));
    }

    private EvaluateSpec evaluate(SpecNode.MapNode root) {
        SpecNode node = root.get("evaluate");
        if (absent(node)) {
            return EvaluateSpec.DEFAULTS;
        }
        SpecNode.MapNode map = map(node, "evaluate", "write evaluate: {samples: 2500, metrics: [prdc]}");
        if (map == null) {
            return EvaluateSpec.DEFAULTS;
        }
        checkKeys(map, "evaluate", List.of("samples", "metrics", "heldout", "periodic_metrics", "periodic_samples"));
        int samples = optionalLong(map.get("samples"), EVAL_SAMPLES, "evaluate.samples")
                .map(SpecValidator::toInt).orElse(EvaluateSpec.DEFAULTS.samples());
        int heldout = optionalLong(map.get("heldout"), EVAL_HELDOUT, "evaluate.heldout")
                .map(SpecValidator::toInt).orElse(EvaluateSpec.DEFAULT_HELDOUT);
        List<String> metrics = metricList(map.get("metrics"), "metrics",
                "write metrics: [prdc, frechet], or leave it out for every metric that applies");
        List<String> periodic = metricList(map.get("periodic_metrics"), "periodic_metrics",
                "write periodic_metrics: [modes, prdc], or leave it out for the cheap metrics ("
                        + String.join(", ", EvaluateSpec.CHEAP_METRICS) + ") that apply");
        int periodicSamples = optionalLong(map.get("periodic_samples"), EVAL_PERIODIC_SAMPLES,
                "evaluate.periodic_samples").map(SpecValidator::toInt).orElse(0);
        return new EvaluateSpec(samples, metrics, heldout, periodic, periodicSamples);
    }

    /** A list of installed metric names under {@code evaluate.<key>}, each once; absent is empty. */
    private List<String> metricList(SpecNode node, String key, String fix) {
        List<String> metrics = new ArrayList<>();
        if (absent(node)) {
            return metrics;
        }
        if (node instanceof SpecNode.ListNode list) {
            for (int i = 0; i < list.items().size(); i++) {
                SpecNode item = list.items().get(i);
                String path = "evaluate." + key + "[" + i + "]";
                Optional<String> metric = string(item, path);
                if (metric.isEmpty()) {
                    continue;
                }
                if (registry.metric(metric.get()).isEmpty()) {
                    errors.add(item.loc(), path + ": unknown metric '" + metric.get() + "'",
                            hintPlugins(metric.get(), registry.metrics(), "installed metrics"));
                } else if (metrics.contains(metric.get())) {
                    errors.add(item.loc(), path + ": metric '" + metric.get() + "' is listed twice",
                            "list each metric once");
                } else {
                    metrics.add(metric.get());
                }
            }
        } else if (!(node instanceof SpecNode.Broken)) {
            errors.add(node.loc(), "evaluate." + key + ": expected a list, got " + node.describe(), fix);
        }
        return metrics;
    }

    /** A paradigm's plugin and its schema, for checking sweep keys. */
    private record Target(String plugin, ParamSchema schema) {}

    private List<ParadigmSpec> paradigms(SpecNode.MapNode root, Map<String, Target> schemas) {
        SpecNode node = root.get("paradigms");
        List<ParadigmSpec> out = new ArrayList<>();
        if (absent(node)) {
            errors.add(root.loc(), "paradigms: missing required key", "add paradigms: [{plugin: <name>}]; "
                    + installed(registry.paradigms(), "installed paradigm plugins"));
            return out;
        }
        if (!(node instanceof SpecNode.ListNode list)) {
            if (!(node instanceof SpecNode.Broken)) {
                errors.add(node.loc(), "paradigms: expected a list, got " + node.describe(),
                        "write paradigms: [{name: gan, plugin: gan, params: {...}}]");
            }
            return out;
        }
        if (list.items().isEmpty()) {
            errors.add(node.loc(), "paradigms: the list is empty", "name at least one paradigm plugin; "
                    + installed(registry.paradigms(), "installed paradigm plugins"));
        }
        Map<String, SourceLoc> seen = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            SpecNode item = list.items().get(i);
            String path = "paradigms[" + i + "]";
            SpecNode pluginNode;
            SpecNode nameNode = null;
            SpecNode paramsNode = null;
            SpecNode variantsNode = null;
            if (item instanceof SpecNode.Scalar) {
                pluginNode = item; // shorthand: - gan
            } else {
                SpecNode.MapNode map = map(item, path, "write - {name: gan, plugin: gan, params: {...}}");
                if (map == null) {
                    continue;
                }
                checkKeys(map, path, List.of("name", "plugin", "params", "variants"));
                pluginNode = map.get("plugin");
                nameNode = map.get("name");
                paramsNode = map.get("params");
                variantsNode = map.get("variants");
                if (absent(pluginNode)) {
                    errors.add(map.loc(), path + ".plugin: missing required key",
                            "add plugin: <name>; " + installed(registry.paradigms(), "installed paradigm plugins"));
                    continue;
                }
            }
            Optional<String> plugin = string(pluginNode, path + ".plugin");
            if (plugin.isEmpty()) {
                continue;
            }
            Optional<String> name = absent(nameNode) ? plugin : string(nameNode, path + ".name");
            if (name.isEmpty()) {
                continue;
            }
            SourceLoc nameLoc = absent(nameNode) ? pluginNode.loc() : nameNode.loc();
            boolean nameOk = checkParadigmName(name.get(), nameLoc, path);
            SourceLoc first = seen.putIfAbsent(name.get(), nameLoc);
            if (first != null) {
                errors.add(nameLoc, path + ".name: duplicate paradigm name '" + name.get() + "'",
                        "paradigm names must be unique (the first '" + name.get() + "' is at " + first.describe()
                                + "); give this entry another name:, e.g. " + name.get() + "-2");
                nameOk = false;
            }
            Optional<ParadigmProvider> provider = registry.paradigm(plugin.get());
            if (provider.isEmpty()) {
                errors.add(pluginNode.loc(), path + ".plugin: unknown paradigm plugin '" + plugin.get() + "'",
                        hintPlugins(plugin.get(), registry.paradigms(), "installed paradigm plugins"));
                if (nameOk) {
                    schemas.put(name.get(), null); // known name, unknown schema: its sweep keys are skipped
                }
                continue;
            }
            ParamSchema schema = provider.get().parameters();
            int before = errors.count();
            Map<String, Object> params =
                    checker.resolve(paramsNode, schema, name.get() + ".", "plugin '" + plugin.get() + "'");
            if (errors.count() == before) { // cross-parameter rules only make sense on valid single values
                crossCheck("plugin", provider.get(), provider.get()::validate, params,
                        absent(paramsNode) ? item.loc() : paramsNode.loc(), path + ".params");
            }
            if (nameOk) {
                schemas.put(name.get(), new Target(plugin.get(), schema));
            }
            out.add(new ParadigmSpec(name.get(), plugin.get(), params,
                    variants(variantsNode, provider.get(), plugin.get(), path + ".variants"),
                    unhashedDefaults(schema)));
        }
        return out;
    }

    /**
     * Reports a plugin's or dataset's own rules between its parameters at the spec's location. A validator that
     * throws is logged and skipped: creating the paradigm or loading the data still rejects a bad combination,
     * as the trial's failure.
     */
    private void crossCheck(String kind, Plugin provider, Function<dev.genlab.api.Params, List<String>> validate,
            Map<String, Object> params, SourceLoc loc, String path) {
        List<String> problems;
        try {
            problems = validate.apply(new dev.genlab.api.Params(params));
        } catch (RuntimeException e) {
            LOG.warn("{} '{}' failed to validate its parameters: {}", kind, provider.name(), e.toString());
            return;
        }
        for (String problem : problems) {
            errors.add(loc, path + ": " + problem, "change one of the parameters named above");
        }
    }

    /** Evaluation variants: each a name and overrides of the plugin's sampling parameters only. */
    private Map<String, Map<String, Object>> variants(SpecNode node, ParadigmProvider provider, String plugin,
            String path) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (absent(node)) {
            return out;
        }
        SpecNode.MapNode map = map(node, path, "write variants: {ddim50: {sampler: ddim, sample_steps: 50}}");
        if (map == null) {
            return out;
        }
        List<String> sampling = provider.parameters().params().stream().map(ParamSpec::name)
                .filter(provider.samplingParameters()::contains).toList();
        for (SpecNode.Entry v : map.entries().values()) {
            String where = path + "." + v.key();
            if (!PARADIGM_NAME.matcher(v.key()).matches()) {
                errors.add(v.keyLoc(), where + ": '" + v.key() + "' is not a valid variant name",
                        "use letters, digits, '_' and '-' only: the name prefixes the variant's metrics");
                continue;
            }
            if (dev.genlab.core.metrics.MetricKeys.isGroupSegment(v.key())) {
                errors.add(v.keyLoc(), where + ": '" + v.key() + "' is the name of a metric group",
                        "rename the variant: its metrics are logged as eval/<variant>/<group>/<metric>, and "
                                + "eval/" + v.key() + "/... already holds the trial's own " + v.key() + " metrics");
                continue;
            }
            SpecNode.MapNode overrides = map(v.value(), where, "write " + v.key() + ": {<sampling parameter>: value}");
            if (overrides == null) {
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (SpecNode.Entry o : overrides.entries().values()) {
                Optional<ParamSpec> spec = provider.parameters().get(o.key());
                if (spec.isEmpty() || !sampling.contains(o.key())) {
                    String what = spec.isEmpty() ? "is not a parameter of plugin '" + plugin + "'"
                            : "changes training, not sampling, so it cannot differ within one trained model";
                    errors.add(o.keyLoc(), where + "." + o.key() + ": '" + o.key() + "' " + what,
                            sampling.isEmpty() ? "plugin '" + plugin + "' has no sampling parameters: remove variants"
                                    : "a variant may set only " + String.join(", ", sampling)
                                            + "; sweep '" + o.key() + "' instead");
                    continue;
                }
                checker.check(o.value(), spec.get(), where + "." + o.key()).ifPresent(x -> values.put(o.key(), x));
            }
            out.put(v.key(), values);
        }
        return out;
    }

    private boolean checkParadigmName(String name, SourceLoc loc, String path) {
        if (!PARADIGM_NAME.matcher(name).matches()) {
            errors.add(loc, path + ".name: '" + name + "' is not a valid paradigm name",
                    "use letters, digits, '_' and '-' only: the name prefixes sweep keys and overrides (gan.lr)");
            return false;
        }
        if (SECTIONS.contains(name)) {
            errors.add(loc, path + ".name: '" + name + "' is reserved for the spec section " + name + ":",
                    "give the paradigm another name: ...");
            return false;
        }
        return true;
    }

    private SweepSpec sweep(SpecNode.MapNode root, Map<String, Target> schemas, ParamSchema datasetSchema,
            TrainSpec train, EvaluateSpec evaluate) {
        SpecNode node = root.get("sweep");
        if (absent(node)) {
            return SweepSpec.NONE;
        }
        SpecNode.MapNode map = map(node, "sweep", "write sweep: {seeds: [0, 1, 2], parameters: {gan.lr: [...]}}");
        if (map == null) {
            return SweepSpec.NONE;
        }
        checkKeys(map, "sweep", List.of("seeds", "method", "trials", "parameters", "objective", "early_stop"));
        List<Long> seeds = seeds(map.get("seeds"));
        SweepMethod method = SweepMethod.GRID;
        SpecNode methodNode = map.get("method");
        if (!absent(methodNode)) {
            method = checker.check(methodNode, METHOD, "sweep.method")
                    .map(m -> SweepMethod.valueOf(m.toString().toUpperCase(Locale.ROOT)))
                    .orElse(SweepMethod.GRID);
        }
        int trials = 0;
        SpecNode trialsNode = map.get("trials");
        if (!absent(trialsNode)) {
            trials = checker.check(trialsNode, TRIALS, "sweep.trials").map(SpecValidator::toInt).orElse(1);
            if (method == SweepMethod.GRID) {
                LOG.warn("sweep.trials is ignored by a grid sweep (set sweep.method: random to use it)");
            }
        } else if (method == SweepMethod.RANDOM) {
            errors.add(methodNode.loc(), "sweep.trials: missing required key for method: random",
                    "add trials: N under sweep: (the number of random draws per paradigm)");
        } else if (method == SweepMethod.TPE) {
            errors.add(methodNode.loc(), "sweep.trials: missing required key for method: tpe",
                    "add trials: N under sweep: (the number of configurations TPE suggests per paradigm)");
        }
        Map<String, SweepAxis> axes = new LinkedHashMap<>();
        SpecNode paramsNode = map.get("parameters");
        if (!absent(paramsNode)) {
            SpecNode.MapNode params = map(paramsNode, "sweep.parameters",
                    "write parameters: {gan.lr: [1e-4, 2e-4], vae.beta: [0.5, 1]}");
            if (params != null) {
                for (SpecNode.Entry e : params.entries().values()) {
                    Optional<ParamSpec> target = sweepTarget(e, schemas, datasetSchema);
                    if (target.isPresent()) {
                        axis(e, target.get(), method).ifPresent(a -> axes.put(e.key(), a));
                    }
                }
            }
        }
        if (method == SweepMethod.TPE && absent(paramsNode)) {
            errors.add(methodNode.loc(), "sweep.parameters: method: tpe needs at least one axis",
                    "add parameters: {gan.lr: {log_uniform: [1e-5, 1e-3]}} under sweep:");
        }
        SpecNode objectiveNode = map.get("objective");
        SpecNode earlyNode = map.get("early_stop");
        SweepObjective objective = absent(objectiveNode) ? null : objective(objectiveNode, evaluate);
        if (absent(objectiveNode) && (method == SweepMethod.TPE || !absent(earlyNode))) {
            errors.add((method == SweepMethod.TPE ? methodNode : earlyNode).loc(),
                    "sweep.objective: missing required key for "
                            + (method == SweepMethod.TPE ? "method: tpe" : "early_stop"),
                    "add objective: {metric: high_quality_pct, mode: max} under sweep: (any evaluation metric;"
                            + " mode max or min)");
        }
        EarlyStopSpec earlyStop = absent(earlyNode) ? null : earlyStop(earlyNode, objective, train, evaluate);
        return new SweepSpec(seeds, method, trials, axes, objective, objective == null ? null : earlyStop);
    }

    /** {@code sweep.objective: {metric: <short name or logged key>, mode: max|min}}. */
    private SweepObjective objective(SpecNode node, EvaluateSpec evaluate) {
        SpecNode.MapNode map = map(node, "sweep.objective", "write objective: {metric: high_quality_pct, mode: max}");
        if (map == null) {
            return null;
        }
        checkKeys(map, "sweep.objective", List.of("metric", "mode"));
        Optional<String> written = requiredString(map, "metric", "sweep.objective",
                "add metric: <evaluation metric>, e.g. metric: high_quality_pct");
        SpecNode modeNode = map.get("mode");
        Optional<SweepObjective.Mode> mode = Optional.empty();
        if (absent(modeNode)) {
            errors.add(map.loc(), "sweep.objective.mode: missing required key",
                    "add mode: max (larger is better) or mode: min (smaller is better)");
        } else {
            mode = checker.check(modeNode, MODE, "sweep.objective.mode")
                    .map(m -> SweepObjective.Mode.valueOf(m.toString().toUpperCase(Locale.ROOT)));
        }
        if (written.isEmpty()) {
            return null;
        }
        SpecNode metricNode = map.get("metric");
        Optional<String> metric = objectiveMetric(written.get(), metricNode.loc());
        if (metric.isEmpty() || mode.isEmpty()) {
            return null;
        }
        String provider = MetricSources.provider(metric.get()).orElseThrow();
        if (registry.metric(provider).isEmpty()) {
            errors.add(metricNode.loc(), "sweep.objective.metric: " + metric.get() + " is computed by the metric '"
                    + provider + "', which is not installed", hintPlugins(provider, registry.metrics(),
                    "installed metrics") + "; choose a metric of an installed one");
        } else if (!evaluate.metrics().isEmpty() && !evaluate.metrics().contains(provider)) {
            errors.add(metricNode.loc(), "sweep.objective.metric: " + metric.get() + " is computed by the metric '"
                    + provider + "', which evaluate.metrics leaves out",
                    "add " + provider + " to evaluate.metrics (now [" + String.join(", ", evaluate.metrics()) + "])");
        }
        return new SweepObjective(metric.get(), mode.get());
    }

    /**
     * Resolves an objective's metric written as a short name ({@code high_quality_pct}) or a logged key
     * ({@code eval/quality/high_quality_pct}, or the flat {@code eval/high_quality_pct} of older stores).
     */
    private Optional<String> objectiveMetric(String written, SourceLoc loc) {
        String path = "sweep.objective.metric";
        List<String> known = MetricSources.values();
        String name = written;
        if (written.contains("/")) {
            Optional<MetricKeys.Parsed> parsed = MetricKeys.parse(written);
            if (parsed.isEmpty() || parsed.get().kind() != MetricKeys.Kind.EVALUATION) {
                errors.add(loc, path + ": '" + written + "' is not an evaluation metric's key",
                        "write a metric's short name (high_quality_pct) or its key (eval/quality/high_quality_pct)");
                return Optional.empty();
            }
            if (!parsed.get().variant().isEmpty()) {
                errors.add(loc, path + ": '" + written + "' is a metric of the evaluation variant '"
                        + parsed.get().variant() + "'", "the objective is a metric of the trial's own evaluation: write "
                        + "its short name, e.g. " + parsed.get().name());
                return Optional.empty();
            }
            name = parsed.get().name();
        }
        if (!known.contains(name)) {
            String hint = Suggestions.closest(name, known).map(c -> "did you mean '" + c + "'? ").orElse("")
                    + "evaluation metrics: " + String.join(", ", known);
            errors.add(loc, path + ": unknown evaluation metric '" + written + "'", hint);
            return Optional.empty();
        }
        String key = MetricKeys.eval(name);
        if (written.contains("/") && !written.equals(key) && !written.equals(MetricKeys.EVAL + name)) {
            errors.add(loc, path + ": " + name + " is not logged under '" + written + "'",
                    "write " + key + " or just " + name);
            return Optional.empty();
        }
        return Optional.of(name);
    }

    /** {@code sweep.early_stop: {type: median|asha|hyperband, grace_steps: N, ...}}. */
    private EarlyStopSpec earlyStop(SpecNode node, SweepObjective objective, TrainSpec train, EvaluateSpec evaluate) {
        SpecNode.MapNode map = map(node, "sweep.early_stop",
                "write early_stop: {type: asha, grace_steps: 500, reduction_factor: 3}");
        if (map == null) {
            return null;
        }
        SpecNode typeNode = map.get("type");
        if (absent(typeNode)) {
            errors.add(map.loc(), "sweep.early_stop.type: missing required key",
                    "add type: median, type: asha or type: hyperband");
            return null;
        }
        Optional<EarlyStopSpec.Type> type = checker.check(typeNode, EARLY_STOP_TYPE, "sweep.early_stop.type")
                .map(t -> EarlyStopSpec.Type.valueOf(t.toString().toUpperCase(Locale.ROOT)));
        if (type.isEmpty()) {
            return null;
        }
        checkKeys(map, "sweep.early_stop", switch (type.get()) {
            case MEDIAN -> List.of("type", "grace_steps", "min_trials");
            case ASHA -> List.of("type", "grace_steps", "reduction_factor");
            case HYPERBAND -> List.of("type", "grace_steps", "reduction_factor", "brackets");
        });
        int before = errors.count();
        int grace = optionalLong(map.get("grace_steps"), GRACE_STEPS, "sweep.early_stop.grace_steps")
                .map(SpecValidator::toInt).orElse(Math.max(1, train.evalEvery()));
        int rf = optionalLong(map.get("reduction_factor"), REDUCTION_FACTOR, "sweep.early_stop.reduction_factor")
                .map(SpecValidator::toInt).orElse(EarlyStopSpec.DEFAULT_REDUCTION_FACTOR);
        int minTrials = optionalLong(map.get("min_trials"), MIN_TRIALS, "sweep.early_stop.min_trials")
                .map(SpecValidator::toInt).orElse(EarlyStopSpec.DEFAULT_MIN_TRIALS);
        int brackets = optionalLong(map.get("brackets"), BRACKETS, "sweep.early_stop.brackets")
                .map(SpecValidator::toInt).orElse(0);
        if (train.evalEvery() <= 0) {
            errors.add(node.loc(), "sweep.early_stop: needs periodic evaluations, but train.eval_every is "
                    + train.evalEvery(), "set train.eval_every: N (e.g. "
                    + (absent(map.get("grace_steps")) ? Math.min(500, train.steps()) : grace)
                    + "): early stopping judges trials at their periodic evaluations");
        } else if (grace >= train.steps()) {
            SpecNode at = absent(map.get("grace_steps")) ? node : map.get("grace_steps");
            errors.add(at.loc(), "sweep.early_stop.grace_steps: " + grace + " is not below train.steps "
                    + train.steps() + ", so no trial could be stopped", "set grace_steps below " + train.steps());
        } else if (type.get() == EarlyStopSpec.Type.HYPERBAND && brackets > 0) {
            int most = 1;
            for (long r = (long) grace * rf; r < train.steps(); r *= rf) {
                most++;
            }
            if (brackets > most) {
                errors.add(map.get("brackets").loc(), "sweep.early_stop.brackets: " + brackets + " brackets need "
                        + "grace_steps * reduction_factor^" + (brackets - 1) + " below train.steps " + train.steps(),
                        "use at most " + most + " brackets, or leave brackets out for as many as fit");
            }
        }
        if (objective != null && train.evalEvery() > 0) {
            String provider = MetricSources.provider(objective.metric()).orElseThrow();
            List<String> periodic = evaluate.periodicMetricNames().stream()
                    .filter(m -> registry.metric(m).isPresent()).toList();
            if (!periodic.contains(provider)) {
                String fix = evaluate.periodicDefault()
                        ? "add evaluate.periodic_metrics: [" + String.join(", ", with(periodic, provider)) + "]"
                        : "add " + provider + " to evaluate.periodic_metrics (now [" + String.join(", ", periodic)
                                + "])";
                errors.add(node.loc(), "sweep.early_stop: the objective " + objective.metric()
                        + " is not computed by the periodic evaluations (its metric '" + provider + "' is not among "
                        + "the periodic metrics)", fix);
            }
        }
        if (errors.count() != before) {
            return null;
        }
        return new EarlyStopSpec(type.get(), grace, rf, minTrials, brackets);
    }

    private static List<String> with(List<String> list, String extra) {
        List<String> out = new ArrayList<>(list);
        out.add(extra);
        return out;
    }

    private List<Long> seeds(SpecNode node) {
        List<Long> seeds = new ArrayList<>();
        if (absent(node)) {
            return seeds;
        }
        if (!(node instanceof SpecNode.ListNode list)) {
            if (!(node instanceof SpecNode.Broken)) {
                errors.add(node.loc(), "sweep.seeds: expected a list of integers, got " + node.describe(),
                        "write seeds: [0, 1, 2]");
            }
            return seeds;
        }
        Set<Long> seen = new java.util.HashSet<>(); // a list of many seeds must not take quadratic time
        for (int i = 0; i < list.items().size(); i++) {
            SpecNode item = list.items().get(i);
            Optional<Object> seed = checker.check(item, SEED, "sweep.seeds[" + i + "]");
            if (seed.isEmpty()) {
                continue;
            }
            if (!seen.add((Long) seed.get())) {
                errors.add(item.loc(), "sweep.seeds[" + i + "]: seed " + seed.get() + " is listed twice",
                        "list each seed once");
            } else {
                seeds.add((Long) seed.get());
            }
        }
        return seeds;
    }

    /** Resolves a sweep key to the parameter it sets; empty after an error or for an unknown plugin's key. */
    private Optional<ParamSpec> sweepTarget(
            SpecNode.Entry e, Map<String, Target> schemas, ParamSchema datasetSchema) {
        String key = e.key();
        String path = "sweep.parameters." + key;
        int dot = key.indexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            errors.add(e.keyLoc(), path + ": a sweep key needs a prefix and a name", SWEEP_KEYS);
            return Optional.empty();
        }
        String head = key.substring(0, dot);
        String rest = key.substring(dot + 1);
        switch (head) {
            case "train" -> {
                return lookup(TRAIN, rest, e.keyLoc(), path, head + ".", "key", "keys under train");
            }
            case "evaluate" -> {
                if (rest.equals("samples")) {
                    return Optional.of(EVAL_SAMPLES);
                }
                errors.add(e.keyLoc(), path + ": evaluate." + rest + " cannot be swept",
                        "only evaluate.samples can be swept");
                return Optional.empty();
            }
            case "dataset" -> {
                if (rest.startsWith("params.") && rest.length() > "params.".length()) {
                    if (datasetSchema == null) {
                        return Optional.empty(); // the dataset itself is already reported
                    }
                    return lookup(datasetSchema, rest.substring("params.".length()), e.keyLoc(), path,
                            "dataset.params.", "parameter of the dataset", "parameters of the dataset");
                }
                errors.add(e.keyLoc(), path + ": dataset." + rest + " cannot be swept",
                        rest.equals("name")
                                ? "compare datasets with one spec per dataset sharing a base (extends: base.yaml),"
                                        + " or override dataset.name=... on the command line"
                                : "sweep dataset parameters as dataset.params.<param>");
                return Optional.empty();
            }
            default -> {
                if (!schemas.containsKey(head)) {
                    List<String> prefixes = new ArrayList<>(schemas.keySet());
                    prefixes.addAll(List.of("train", "dataset", "evaluate"));
                    String hint = Suggestions.closest(head, prefixes)
                            .map(c -> "did you mean '" + c + "." + rest + "'? ").orElse("")
                            + SWEEP_KEYS + " (paradigms: " + String.join(", ", schemas.keySet()) + ")";
                    errors.add(e.keyLoc(), path + ": unknown paradigm '" + head + "'", hint);
                    return Optional.empty();
                }
                Target target = schemas.get(head);
                if (target == null) {
                    return Optional.empty(); // unknown plugin, already reported
                }
                String owner = "plugin '" + target.plugin() + "'";
                return lookup(target.schema(), rest, e.keyLoc(), path, head + ".", "parameter of " + owner,
                        "parameters of " + owner);
            }
        }
    }

    private Optional<ParamSpec> lookup(
            ParamSchema schema, String name, SourceLoc loc, String path, String prefix, String what, String label) {
        Optional<ParamSpec> spec = schema.get(name);
        if (spec.isEmpty()) {
            List<String> names = schema.params().stream().map(ParamSpec::name).toList();
            String hint = Suggestions.closest(name, names).map(c -> "did you mean '" + prefix + c + "'? ").orElse("")
                    + label + ": " + (names.isEmpty() ? "(none)" : String.join(", ", names));
            errors.add(loc, path + ": unknown " + what, hint);
        }
        return spec;
    }

    private Optional<SweepAxis> axis(SpecNode.Entry e, ParamSpec spec, SweepMethod method) {
        String path = "sweep.parameters." + e.key();
        SpecNode node = e.value();
        if (node instanceof SpecNode.Broken) {
            return Optional.empty();
        }
        if (node instanceof SpecNode.ListNode list) {
            return values(list, spec, path);
        }
        if (!(node instanceof SpecNode.MapNode map)) {
            errors.add(node.loc(), path + ": expected a list of values or a distribution, got " + node.describe(),
                    "write " + e.key() + ": [a, b, c] or, with method: random, {uniform: [lo, hi]}");
            return Optional.empty();
        }
        if (map.entries().size() != 1) {
            errors.add(map.loc(), path + ": a distribution has exactly one kind, got " + map.entries().size(),
                    "write one of {uniform: [lo, hi]}, {log_uniform: [lo, hi]}, {int: [lo, hi]}, {choice: [a, b]}");
            return Optional.empty();
        }
        SpecNode.Entry d = map.entries().values().iterator().next();
        String kind = d.key();
        String dpath = path + "." + kind;
        if (!DISTRIBUTIONS.contains(kind)) {
            errors.add(d.keyLoc(), path + ": unknown distribution '" + kind + "'",
                    Suggestions.hint(kind, DISTRIBUTIONS, "distributions"));
            return Optional.empty();
        }
        if (kind.equals("choice")) {
            if (d.value() instanceof SpecNode.ListNode list) {
                return values(list, spec, dpath);
            }
            errors.add(d.value().loc(), dpath + ": expected a list of values, got " + d.value().describe(),
                    "write {choice: [a, b, c]}");
            return Optional.empty();
        }
        if (method == SweepMethod.GRID) {
            errors.add(d.keyLoc(), path + ": " + kind + " draws need method: random",
                    "set sweep.method: random and sweep.trials: N, or list grid values: " + e.key() + ": [a, b, c]");
            return Optional.empty();
        }
        boolean real = !kind.equals("int");
        if (real && spec.type() != ParamType.DOUBLE || !real && spec.type() != ParamType.INT
                && spec.type() != ParamType.DOUBLE) {
            String alt = spec.type() == ParamType.INT ? "use {int: [lo, hi]} or a list of values"
                    : "use {choice: [...]} or a list of values";
            errors.add(d.keyLoc(), path + ": " + kind + " draws numbers but " + e.key() + " is "
                    + ParamChecker.expected(spec), alt);
            return Optional.empty();
        }
        if (!(d.value() instanceof SpecNode.ListNode bounds) || bounds.items().size() != 2) {
            errors.add(d.value().loc(), dpath + ": expected [low, high], got " + d.value().describe(),
                    "write {" + kind + ": [low, high]}");
            return Optional.empty();
        }
        ParamSpec boundSpec = real ? spec
                : new ParamSpec(spec.name(), ParamType.INT, 0L, spec.min(), spec.max(), List.of(), "");
        SpecNode loNode = bounds.items().get(0);
        SpecNode hiNode = bounds.items().get(1);
        if (kind.equals("log_uniform") && loNode instanceof SpecNode.Scalar s && s.value() instanceof Number n
                && n.doubleValue() <= 0) {
            errors.add(loNode.loc(), dpath + ": the lower bound must be > 0, got " + s.text(),
                    "log-uniform draws need positive bounds, e.g. {log_uniform: [1e-5, 1e-2]}");
            checker.check(hiNode, boundSpec, dpath + "[1]");
            return Optional.empty();
        }
        Optional<Object> lo = checker.check(loNode, boundSpec, dpath + "[0]");
        Optional<Object> hi = checker.check(hiNode, boundSpec, dpath + "[1]");
        if (lo.isEmpty() || hi.isEmpty()) {
            return Optional.empty();
        }
        double low = ((Number) lo.get()).doubleValue();
        double high = ((Number) hi.get()).doubleValue();
        if (real ? low >= high : low > high) {
            errors.add(bounds.loc(), dpath + ": the lower bound " + lo.get() + " is not below the upper bound "
                    + hi.get(), "write {" + kind + ": [low, high]} with low < high");
            return Optional.empty();
        }
        return Optional.of(switch (kind) {
            case "uniform" -> new SweepAxis.Uniform(low, high);
            case "log_uniform" -> new SweepAxis.LogUniform(low, high);
            default -> new SweepAxis.IntRange(((Number) lo.get()).longValue(), ((Number) hi.get()).longValue());
        });
    }

    private Optional<SweepAxis> values(SpecNode.ListNode list, ParamSpec spec, String path) {
        if (list.items().isEmpty()) {
            errors.add(list.loc(), path + ": the list of values is empty", "give at least one value");
            return Optional.empty();
        }
        List<Object> values = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.items().size(); i++) {
            Optional<Object> v = checker.check(list.items().get(i), spec, path + "[" + i + "]");
            ok &= v.isPresent();
            v.ifPresent(values::add);
        }
        return ok ? Optional.of(new SweepAxis.Values(values)) : Optional.empty();
    }

    private TrackingSpec tracking(SpecNode.MapNode root) {
        SpecNode node = root.get("tracking");
        if (absent(node)) {
            return TrackingSpec.DEFAULTS;
        }
        SpecNode.MapNode map = map(node, "tracking", "write tracking: {uri: http://host:5000}");
        if (map == null) {
            return TrackingSpec.DEFAULTS;
        }
        checkKeys(map, "tracking", List.of("uri", "experiment", "local_dir", "system_metrics"));
        String uri = nullableString(map.get("uri"), "tracking.uri");
        String experiment = nullableString(map.get("experiment"), "tracking.experiment");
        String localDir = nullableString(map.get("local_dir"), "tracking.local_dir");
        SpecNode systemNode = map.get("system_metrics");
        boolean system = !absent(systemNode) && checker.check(systemNode, SYSTEM_METRICS, "tracking.system_metrics")
                .map(Boolean.class::cast).orElse(false);
        return new TrackingSpec(uri, experiment, localDir == null ? TrackingSpec.DEFAULTS.localDir() : localDir,
                system);
    }

    // ---------------------------------------------------------------- helpers

    private static boolean absent(SpecNode node) {
        return node == null || node instanceof SpecNode.Scalar s && s.isNull();
    }

    private void checkKeys(SpecNode.MapNode map, String path, List<String> known) {
        for (SpecNode.Entry e : map.entries().values()) {
            if (!known.contains(e.key())) {
                errors.add(e.keyLoc(), (path.isEmpty() ? "" : path + ".") + e.key() + ": unknown key",
                        Suggestions.hint(e.key(), known, path.isEmpty() ? "top-level keys" : "keys under " + path));
            }
        }
    }

    private SpecNode.MapNode map(SpecNode node, String path, String hint) {
        if (node instanceof SpecNode.MapNode m) {
            return m;
        }
        if (!(node instanceof SpecNode.Broken)) {
            errors.add(node.loc(), path + ": expected a mapping, got " + node.describe(), hint);
        }
        return null;
    }

    private Optional<String> requiredString(SpecNode.MapNode map, String key, String path, String hint) {
        SpecNode node = map.get(key);
        String full = path.isEmpty() ? key : path + "." + key;
        if (absent(node)) {
            errors.add(map.loc(), full + ": missing required key", hint);
            return Optional.empty();
        }
        return string(node, full);
    }

    private Optional<String> string(SpecNode node, String path) {
        if (node instanceof SpecNode.Scalar s && !s.isNull()) {
            if (s.text().isBlank()) {
                errors.add(s.loc(), path + ": must not be empty", "give it a value");
                return Optional.empty();
            }
            return Optional.of(s.text());
        }
        if (!(node instanceof SpecNode.Broken)) {
            errors.add(node.loc(), path + ": expected a string, got " + node.describe(), "write a single value");
        }
        return Optional.empty();
    }

    private String nullableString(SpecNode node, String path) {
        if (absent(node) || node instanceof SpecNode.Broken) {
            return null;
        }
        if (node instanceof SpecNode.Scalar s) {
            return s.text().isEmpty() ? null : s.text(); // ${env:X:-} yields "" meaning "not set"
        }
        errors.add(node.loc(), path + ": expected a string, got " + node.describe(), "write a single value");
        return null;
    }

    private Optional<Long> optionalLong(SpecNode node, ParamSpec spec, String path) {
        if (absent(node)) {
            return Optional.empty();
        }
        return checker.check(node, spec, path).map(v -> (Long) v);
    }

    private static int toInt(Object v) {
        return Math.toIntExact(((Number) v).longValue());
    }

    private static String installed(Collection<? extends Plugin> plugins, String label) {
        List<String> names = plugins.stream().map(Plugin::name).toList();
        return names.isEmpty() ? "no " + label.replace("installed ", "") + " are installed"
                : label + ": " + String.join(", ", names);
    }

    private static String hintPlugins(String name, Collection<? extends Plugin> plugins, String label) {
        List<String> names = plugins.stream().map(Plugin::name).toList();
        if (names.isEmpty()) {
            return "no " + label.replace("installed ", "") + " are installed; add plugin jars to the plugins folder"
                    + " (--plugins-dir or GENLAB_PLUGINS_DIR)";
        }
        return Suggestions.hint(name, names, label);
    }
}
