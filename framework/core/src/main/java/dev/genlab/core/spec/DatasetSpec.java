package dev.genlab.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dataset section of a spec.
 *
 * @param name the dataset provider's name, e.g. {@code ring8}
 * @param params provider parameters, validated against its schema and with defaults filled in
 */
public record DatasetSpec(String name, Map<String, Object> params) {

    /** Makes an unmodifiable, order-keeping copy. */
    public DatasetSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
