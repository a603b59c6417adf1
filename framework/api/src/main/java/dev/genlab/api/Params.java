package dev.genlab.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Validated, fully defaulted parameter values as a plugin receives them. Values are {@link Long},
 * {@link Double}, {@link Boolean} or {@link String}, matching each parameter's {@link ParamType}.
 *
 * @param values parameter name to value, in schema order
 */
public record Params(Map<String, Object> values) {

    /** Makes an unmodifiable copy that keeps the order. */
    public Params {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * @param name parameter name
     * @return the value as a long
     * @throws NoSuchElementException if absent
     */
    public long getLong(String name) {
        return ((Number) require(name)).longValue();
    }

    /**
     * @param name parameter name
     * @return the value as an int
     * @throws NoSuchElementException if absent
     * @throws ArithmeticException if it does not fit an int
     */
    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    /**
     * @param name parameter name
     * @return the value as a double
     * @throws NoSuchElementException if absent
     */
    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    /**
     * @param name parameter name
     * @return the value as a boolean
     * @throws NoSuchElementException if absent
     */
    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    /**
     * @param name parameter name
     * @return the value as a string
     * @throws NoSuchElementException if absent
     */
    public String getString(String name) {
        return require(name).toString();
    }

    /**
     * @param overrides values that replace this one's (e.g. {@link SampleRequest#options()})
     * @return these values with {@code overrides} applied, keeping this order
     */
    public Params with(Params overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides.values());
        return new Params(merged);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException("no parameter '" + name + "' (known: " + values.keySet() + ")");
        }
        return v;
    }
}
