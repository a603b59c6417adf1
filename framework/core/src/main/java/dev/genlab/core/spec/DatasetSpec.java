package dev.genlab.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dataset section of a spec.
 *
 * @param name the dataset provider's name, e.g. {@code ring8}
 * @param params provider parameters, validated against its schema and with defaults filled in
 * @param unhashedDefaults the parameters added to the provider after its first release
 *     ({@link dev.genlab.api.ParamSpec#hashedAtDefault} false), with their defaults: such a parameter at its
 *     default stays out of the trial hash, so specs written before it existed keep their hashes
 */
public record DatasetSpec(String name, Map<String, Object> params, Map<String, Object> unhashedDefaults) {

    /** Makes unmodifiable, order-keeping copies. */
    public DatasetSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        unhashedDefaults = Collections.unmodifiableMap(
                new LinkedHashMap<>(unhashedDefaults == null ? Map.of() : unhashedDefaults));
    }

    /**
     * A dataset whose parameters all enter the trial hash.
     *
     * @param name the provider's name
     * @param params provider parameters
     */
    public DatasetSpec(String name, Map<String, Object> params) {
        this(name, params, Map.of());
    }

    /**
     * @param values resolved parameter values, e.g. a trial's after its sweep point
     * @return this dataset with {@code values} as its parameters, keeping which defaults are unhashed
     */
    public DatasetSpec withParams(Map<String, Object> values) {
        return new DatasetSpec(name, values, unhashedDefaults);
    }

    /** @return {@link #params} without the parameters that are at an unhashed default: what the trial hash covers */
    public Map<String, Object> hashedParams() {
        Map<String, Object> out = new LinkedHashMap<>(params);
        unhashedDefaults.forEach((key, value) -> {
            if (value.equals(out.get(key))) {
                out.remove(key);
            }
        });
        return out;
    }
}
