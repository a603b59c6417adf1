package dev.genlab.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code paradigms:}.
 *
 * @param name unique name within the spec, used as the sweep prefix ({@code gan.lr})
 * @param plugin the paradigm provider's name
 * @param params plugin parameters, validated against its schema and with defaults filled in
 * @param variants evaluation variants: name to overrides of the plugin's sampling parameters, each
 *     evaluated on the same trained model next to the trial's own settings; empty for none
 * @param unhashedDefaults the parameters added to the plugin after its first release
 *     ({@link dev.genlab.api.ParamSpec#hashedAtDefault} false), with their defaults: such a parameter at its
 *     default stays out of the trial hash, so specs written before it existed keep their hashes
 */
public record ParadigmSpec(String name, String plugin, Map<String, Object> params,
        Map<String, Map<String, Object>> variants, Map<String, Object> unhashedDefaults) {

    /** Makes unmodifiable, order-keeping copies. */
    public ParadigmSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        variants = copy(variants);
        unhashedDefaults = Collections.unmodifiableMap(
                new LinkedHashMap<>(unhashedDefaults == null ? Map.of() : unhashedDefaults));
    }

    /**
     * A paradigm whose parameters all enter the trial hash.
     *
     * @param name unique name within the spec
     * @param plugin the provider's name
     * @param params plugin parameters
     * @param variants evaluation variants
     */
    public ParadigmSpec(String name, String plugin, Map<String, Object> params,
            Map<String, Map<String, Object>> variants) {
        this(name, plugin, params, variants, Map.of());
    }

    /**
     * @param values resolved parameter values, e.g. a trial's after its sweep point
     * @return {@code values} without the parameters that are at an unhashed default: what the trial hash covers
     */
    public Map<String, Object> hashedParams(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>(values);
        unhashedDefaults.forEach((key, value) -> {
            if (value.equals(out.get(key))) {
                out.remove(key);
            }
        });
        return out;
    }

    /**
     * A paradigm without evaluation variants.
     *
     * @param name unique name within the spec
     * @param plugin the provider's name
     * @param params plugin parameters
     */
    public ParadigmSpec(String name, String plugin, Map<String, Object> params) {
        this(name, plugin, params, Map.of());
    }

    /** @return an unmodifiable, order-keeping deep copy of variant overrides */
    static Map<String, Map<String, Object>> copy(Map<String, Map<String, Object>> variants) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (variants != null) {
            variants.forEach((k, v) -> out.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        }
        return Collections.unmodifiableMap(out);
    }
}
