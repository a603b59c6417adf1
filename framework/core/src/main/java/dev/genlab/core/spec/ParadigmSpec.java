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
 */
public record ParadigmSpec(String name, String plugin, Map<String, Object> params,
        Map<String, Map<String, Object>> variants) {

    /** Makes unmodifiable, order-keeping copies. */
    public ParadigmSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        variants = copy(variants);
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
