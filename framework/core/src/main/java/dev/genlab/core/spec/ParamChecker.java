package dev.genlab.core.spec;

import dev.genlab.api.ParamSchema;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.ParamType;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks values against a {@link ParamSpec} (type, range, choices) and normalises them to the types
 * plugins receive: INT → Long, DOUBLE → Double, BOOLEAN → Boolean, CHOICE and STRING → String.
 */
final class ParamChecker {

    /** Integral doubles up to 2^53 convert exactly, so {@code n: 1e5} is accepted for an integer. */
    private static final double MAX_EXACT = 9007199254740992.0;

    private final SpecErrors errors;

    ParamChecker(SpecErrors errors) {
        this.errors = errors;
    }

    /**
     * Validates a parameter mapping against a schema and fills in defaults.
     *
     * @param node the {@code params:} mapping, or null if absent
     * @param schema the provider's schema
     * @param prefix the dotted prefix for messages, e.g. {@code gan.} or {@code dataset.params.}
     * @param owner what owns the parameters, e.g. {@code plugin 'gan'}, or null for a framework section
     *     such as {@code train} (whose parameters are "keys")
     * @return every schema parameter, in schema order
     */
    Map<String, Object> resolve(SpecNode node, ParamSchema schema, String prefix, String owner) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : schema.params()) {
            values.put(p.name(), normalise(p.defaultValue(), p.type()));
        }
        if (node == null || node instanceof SpecNode.Broken
                || node instanceof SpecNode.Scalar s && s.isNull()) {
            return values;
        }
        if (!(node instanceof SpecNode.MapNode map)) {
            errors.add(node.loc(), prefix.substring(0, prefix.length() - 1) + ": expected a mapping, got "
                    + node.describe(), "write name: value pairs, e.g. {" + exampleKey(schema) + ": ...}");
            return values;
        }
        List<String> names = schema.params().stream().map(ParamSpec::name).toList();
        for (SpecNode.Entry e : map.entries().values()) {
            Optional<ParamSpec> spec = schema.get(e.key());
            if (spec.isEmpty()) {
                String section = prefix.substring(0, prefix.length() - 1);
                String what = owner == null ? "key" : "parameter of " + owner;
                errors.add(e.keyLoc(), prefix + e.key() + ": unknown " + what,
                        Suggestions.hint(e.key(), names,
                                owner == null ? "keys under " + section : "parameters of " + owner));
                continue;
            }
            check(e.value(), spec.get(), prefix + e.key()).ifPresent(v -> values.put(e.key(), v));
        }
        return values;
    }

    /**
     * @param node the written value
     * @param spec what it must be
     * @param path the dotted key for messages
     * @return the normalised value, or empty after reporting a problem
     */
    Optional<Object> check(SpecNode node, ParamSpec spec, String path) {
        if (node instanceof SpecNode.Broken) {
            return Optional.empty();
        }
        if (!(node instanceof SpecNode.Scalar s) || s.isNull()) {
            errors.add(node.loc(), path + ": expected " + expected(spec) + ", got " + node.describe(),
                    node instanceof SpecNode.Scalar
                            ? "give a value, or remove the key to use the default (" + spec.defaultValue() + ")"
                            : "write a single value");
            return Optional.empty();
        }
        Object v = s.value();
        return switch (spec.type()) {
            case INT -> integer(s, v, spec, path);
            case DOUBLE -> number(s, v, spec, path);
            case BOOLEAN -> {
                if (v instanceof Boolean b) {
                    yield Optional.of(b);
                }
                yield fail(s, spec, path);
            }
            case CHOICE -> {
                if (spec.choices().contains(s.text())) {
                    yield Optional.of(s.text());
                }
                errors.add(s.loc(), path + ": '" + s.text() + "' is not one of the choices",
                        Suggestions.hint(s.text(), spec.choices(), "allowed"));
                yield Optional.empty();
            }
            case STRING -> Optional.of(s.text());
        };
    }

    private Optional<Object> integer(SpecNode.Scalar s, Object v, ParamSpec spec, String path) {
        long value;
        if (v instanceof Long l) {
            value = l;
        } else if (v instanceof BigInteger) {
            errors.add(s.loc(), path + ": " + s.text() + " is out of range", rangeHint(spec, "a 64-bit integer"));
            return Optional.empty();
        } else if (v instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) <= MAX_EXACT) {
            value = d.longValue();
        } else {
            return fail(s, spec, path);
        }
        if (spec.min() != null && value < spec.min() || spec.max() != null && value > spec.max()) {
            errors.add(s.loc(), path + ": " + s.text() + " is out of range", rangeHint(spec, ""));
            return Optional.empty();
        }
        return Optional.of(value);
    }

    private Optional<Object> number(SpecNode.Scalar s, Object v, ParamSpec spec, String path) {
        double value;
        if (v instanceof Long l) {
            value = l;
        } else if (v instanceof Double d) {
            value = d;
        } else if (v instanceof BigInteger b) {
            value = b.doubleValue();
        } else {
            return fail(s, spec, path);
        }
        if (!Double.isFinite(value)) {
            errors.add(s.loc(), path + ": expected a finite number, got '" + s.text() + "'", rangeHint(spec, ""));
            return Optional.empty();
        }
        if (spec.min() != null && value < spec.min() || spec.max() != null && value > spec.max()) {
            errors.add(s.loc(), path + ": " + s.text() + " is out of range", rangeHint(spec, ""));
            return Optional.empty();
        }
        return Optional.of(value == 0.0 ? 0.0 : value); // no -0.0: it would hash differently from 0.0
    }

    private Optional<Object> fail(SpecNode.Scalar s, ParamSpec spec, String path) {
        errors.add(s.loc(), path + ": expected " + expected(spec) + ", got " + s.describe(), typeHint(spec));
        return Optional.empty();
    }

    private static String rangeHint(ParamSpec spec, String fallback) {
        String allowed = spec.allowed();
        return allowed.isEmpty() ? (fallback.isEmpty() ? "" : "allowed: " + fallback) : "allowed: " + allowed;
    }

    private static String typeHint(ParamSpec spec) {
        String allowed = spec.allowed();
        String base = switch (spec.type()) {
            case INT -> "write a whole number such as " + spec.defaultValue();
            case DOUBLE -> "write a number such as " + spec.defaultValue();
            case BOOLEAN -> "write true or false";
            default -> "";
        };
        return allowed.isEmpty() ? base : base + " (allowed: " + allowed + ")";
    }

    private static String exampleKey(ParamSchema schema) {
        return schema.params().isEmpty() ? "name" : schema.params().get(0).name();
    }

    /** @return how the expected type reads in "expected ..." */
    static String expected(ParamSpec spec) {
        return switch (spec.type()) {
            case INT -> "an integer";
            case DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
            case CHOICE -> spec.allowed();
            case STRING -> "a string";
        };
    }

    /** @return {@code v} as the Java type plugins receive for {@code type} */
    static Object normalise(Object v, ParamType type) {
        return switch (type) {
            case INT -> ((Number) v).longValue();
            case DOUBLE -> ((Number) v).doubleValue();
            case BOOLEAN -> (Boolean) v;
            case CHOICE, STRING -> v.toString();
        };
    }
}
