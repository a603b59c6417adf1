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
 * @param hashedAtDefault whether the parameter enters the trial hash when it has its default value: true for
 *     the parameters a plugin was released with, false for one added later ({@link
 *     ParamSchema.Builder#addedLater()}), so that specs run before it existed keep their trial hashes (and
 *     {@code --resume} still finds their finished trials); a value other than the default always enters it
 */
public record ParamSpec(
        String name,
        ParamType type,
        Object defaultValue,
        Double min,
        Double max,
        List<String> choices,
        String description,
        boolean hashedAtDefault) {

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

    /**
     * A parameter that always enters the trial hash (the constructor before contract version 3).
     *
     * @param name key
     * @param type value type
     * @param defaultValue default
     * @param min lower bound or null
     * @param max upper bound or null
     * @param choices choices of a {@link ParamType#CHOICE}
     * @param description one line of documentation
     */
    public ParamSpec(String name, ParamType type, Object defaultValue, Double min, Double max, List<String> choices,
            String description) {
        this(name, type, defaultValue, min, max, choices, description, true);
    }

    /** @return this parameter with {@link #hashedAtDefault} false */
    public ParamSpec addedLater() {
        return new ParamSpec(name, type, defaultValue, min, max, choices, description, false);
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
