package dev.genlab.api;

import java.util.List;
import java.util.Objects;

/**
 * One documented plugin parameter: its type, default, allowed range or choices.
 *
 * @param name the key used in YAML ({@code params: {lr: 1e-3}}) and in sweeps ({@code gan.lr})
 * @param type the value type
 * @param defaultValue the value used when the spec omits the key ({@link Long}, {@link Double},
 *     {@link Boolean} or {@link String} by type); never null
 * @param min inclusive lower bound for numeric types, or null for none
 * @param max inclusive upper bound for numeric types, or null for none
 * @param choices the allowed values for {@link ParamType#CHOICE}; empty otherwise
 * @param description one line shown by {@code genlab plugins NAME}
 */
public record ParamSpec(
        String name,
        ParamType type,
        Object defaultValue,
        Double min,
        Double max,
        List<String> choices,
        String description) {

    /** Checks the invariants and copies {@code choices}. */
    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue of " + name);
        choices = List.copyOf(choices == null ? List.of() : choices);
        description = description == null ? "" : description;
        if (type == ParamType.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("choice parameter '" + name + "' needs choices");
        }
    }

    /** @return the range as text, e.g. {@code [1, 10000]}, {@code >= 0}, or the choices; empty if unbounded */
    public String allowed() {
        if (type == ParamType.CHOICE) {
            return "one of " + String.join(", ", choices);
        }
        if (min != null && max != null) {
            return "[" + fmt(min) + ", " + fmt(max) + "]";
        }
        if (min != null) {
            return ">= " + fmt(min);
        }
        if (max != null) {
            return "<= " + fmt(max);
        }
        return "";
    }

    private String fmt(double v) {
        return type == ParamType.INT ? Long.toString((long) v) : Double.toString(v);
    }
}
