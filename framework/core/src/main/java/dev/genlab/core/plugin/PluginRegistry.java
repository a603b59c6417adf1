package dev.genlab.core.plugin;

import dev.genlab.api.DatasetProvider;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.Plugin;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The installed paradigms, datasets and metrics, by name, with where each came from. Built by
 * {@link PluginLoader}; immutable.
 */
public final class PluginRegistry {

    private final Map<String, ParadigmProvider> paradigms;
    private final Map<String, DatasetProvider> datasets;
    private final Map<String, MetricProvider> metrics;
    private final Map<Plugin, PluginOrigin> origins;

    /**
     * @param paradigms paradigm providers by name
     * @param datasets dataset providers by name
     * @param metrics metric providers by name
     * @param origins where each provider was loaded from
     */
    public PluginRegistry(
            Map<String, ParadigmProvider> paradigms,
            Map<String, DatasetProvider> datasets,
            Map<String, MetricProvider> metrics,
            Map<Plugin, PluginOrigin> origins) {
        this.paradigms = Collections.unmodifiableMap(new TreeMap<>(paradigms));
        this.datasets = Collections.unmodifiableMap(new TreeMap<>(datasets));
        this.metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
        this.origins = Map.copyOf(origins);
    }

    /** @param name plugin name @return the paradigm provider, if installed */
    public Optional<ParadigmProvider> paradigm(String name) {
        return Optional.ofNullable(paradigms.get(name));
    }

    /** @param name dataset name @return the dataset provider, if installed */
    public Optional<DatasetProvider> dataset(String name) {
        return Optional.ofNullable(datasets.get(name));
    }

    /** @param name metric name @return the metric provider, if installed */
    public Optional<MetricProvider> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }

    /** @return all paradigm providers, sorted by name */
    public Collection<ParadigmProvider> paradigms() {
        return paradigms.values();
    }

    /** @return all dataset providers, sorted by name */
    public Collection<DatasetProvider> datasets() {
        return datasets.values();
    }

    /** @return all metric providers, sorted by name */
    public Collection<MetricProvider> metrics() {
        return metrics.values();
    }

    /**
     * @param plugin a registered provider
     * @return where it was loaded from (class path or a jar, with version and hash)
     */
    public PluginOrigin origin(Plugin plugin) {
        return origins.getOrDefault(plugin, PluginOrigin.CLASS_PATH);
    }
}
