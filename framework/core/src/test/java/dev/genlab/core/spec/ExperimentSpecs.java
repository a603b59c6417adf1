package dev.genlab.core.spec;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The specs in the repository's {@code experiments/} folder, and a registry they validate against: the real
 * built-in datasets and metrics, and paradigms whose schemas are read off the specs themselves (core's tests
 * cannot see the paradigm plugins, which depend on core). Every parameter the specs set is declared with the
 * type of the values they give it and no bounds, so the unmodified specs load and mutations are judged by the
 * loader, not by a guessed range.
 */
final class ExperimentSpecs {

    /** Surefire runs in the module folder, two levels below the repository root. */
    static final Path DIR = Path.of("../../experiments");

    private ExperimentSpecs() {}

    /** @return every spec file, sorted by name */
    static List<Path> files() {
        try (Stream<Path> s = Files.list(DIR)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("no specs in " + DIR.toAbsolutePath());
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return each spec's text by file name */
    static Map<String, String> texts() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path f : files()) {
            try {
                out.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** @return built-in datasets and metrics, and the paradigms the specs use */
    static PluginRegistry registry() {
        PluginRegistry builtins = new PluginLoader().loadBuiltins();
        Map<String, List<Object>> values = new LinkedHashMap<>(); // "plugin.param" -> every value given
        Map<String, Set<String>> sampling = new LinkedHashMap<>();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // Paradigm names are looked up across files: a spec that extends another sweeps its base's paradigms.
        Map<String, String> pluginOf = new LinkedHashMap<>();
        List<Map<?, ?>> specs = new ArrayList<>();
        texts().values().forEach(t -> specs.add(yaml.load(t)));
        for (Map<?, ?> spec : specs) {
            if (!(spec.get("paradigms") instanceof List<?> paradigmList)) {
                continue;
            }
            for (Object item : paradigmList) {
                if (item instanceof String plugin) {
                    pluginOf.put(plugin, plugin);
                    values.computeIfAbsent(plugin + ".", k -> new ArrayList<>());
                    continue;
                }
                Map<?, ?> p = (Map<?, ?>) item;
                String plugin = (String) p.get("plugin");
                pluginOf.put(p.containsKey("name") ? (String) p.get("name") : plugin, plugin);
                values.computeIfAbsent(plugin + ".", k -> new ArrayList<>());
                if (p.get("params") instanceof Map<?, ?> params) {
                    params.forEach((k, v) -> values.computeIfAbsent(plugin + "." + k, x -> new ArrayList<>()).add(v));
                }
                if (p.get("variants") instanceof Map<?, ?> variants) {
                    for (Object v : variants.values()) {
                        ((Map<?, ?>) v).forEach((k, x) -> {
                            values.computeIfAbsent(plugin + "." + k, y -> new ArrayList<>()).add(x);
                            sampling.computeIfAbsent(plugin, y -> new LinkedHashSet<>()).add((String) k);
                        });
                    }
                }
            }
        }
        for (Map<?, ?> spec : specs) {
            if (spec.get("sweep") instanceof Map<?, ?> sweep && sweep.get("parameters") instanceof Map<?, ?> axes) {
                axes.forEach((k, v) -> {
                    String key = (String) k;
                    String plugin = pluginOf.get(key.substring(0, key.indexOf('.')));
                    if (plugin != null && v instanceof List<?> list) {
                        values.computeIfAbsent(plugin + key.substring(key.indexOf('.')), x -> new ArrayList<>())
                                .addAll(list);
                    }
                });
            }
        }
        Map<String, ParamSchema.Builder> schemas = new LinkedHashMap<>();
        values.forEach((key, given) -> {
            int dot = key.indexOf('.');
            ParamSchema.Builder b = schemas.computeIfAbsent(key.substring(0, dot), x -> ParamSchema.builder());
            String name = key.substring(dot + 1);
            if (name.isEmpty()) {
                return;
            }
            if (given.stream().allMatch(v -> v instanceof Boolean)) {
                b.addBoolean(name, (Boolean) given.get(0), "");
            } else if (given.stream().allMatch(v -> v instanceof Integer || v instanceof Long)) {
                b.addInt(name, ((Number) given.get(0)).longValue(), Long.MIN_VALUE, Long.MAX_VALUE, "");
            } else if (given.stream().allMatch(v -> v instanceof Number)) {
                b.addDouble(name, ((Number) given.get(0)).doubleValue(), -Double.MAX_VALUE, Double.MAX_VALUE, "");
            } else {
                b.addString(name, String.valueOf(given.get(0)), "");
            }
        });
        Map<String, ParadigmProvider> paradigms = new LinkedHashMap<>();
        schemas.forEach((plugin, b) -> paradigms.put(plugin,
                new SeenParadigm(plugin, b.build(), sampling.getOrDefault(plugin, Set.of()))));
        Map<String, dev.genlab.api.DatasetProvider> datasets = new LinkedHashMap<>();
        builtins.datasets().forEach(d -> datasets.put(d.name(), d));
        Map<String, dev.genlab.api.MetricProvider> metrics = new LinkedHashMap<>();
        builtins.metrics().forEach(m -> metrics.put(m.name(), m));
        return new PluginRegistry(paradigms, datasets, metrics, Map.of());
    }

    /** A paradigm known only by the parameters the specs give it. */
    private record SeenParadigm(String name, ParamSchema parameters, Set<String> samplingParameters)
            implements ParadigmProvider {
        @Override
        public String description() {
            return "paradigm '" + name + "' as the experiments use it";
        }

        @Override
        public int apiVersion() {
            return GenlabApi.VERSION;
        }

        @Override
        public Paradigm create(ParadigmSetup setup) {
            throw new UnsupportedOperationException("spec tests never train");
        }
    }
}
