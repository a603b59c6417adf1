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
 */
public record ParadigmSpec(String name, String plugin, Map<String, Object> params) {

    /** Makes an unmodifiable, order-keeping copy. */
    public ParadigmSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
