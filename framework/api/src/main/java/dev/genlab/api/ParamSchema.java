package dev.genlab.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ordered set of parameters a plugin accepts. The framework validates every spec against it before
 * training (type, range, choices, unknown keys with suggestions) and hands the plugin a fully defaulted
 * {@link Params}.
 *
 * @param params the parameters in declaration order
 */
public record ParamSchema(List<ParamSpec> params) {

    /** Copies the list and rejects duplicate names. */
    public ParamSchema {
        params = List.copyOf(params);
        Map<String, ParamSpec> seen = new LinkedHashMap<>();
        for (ParamSpec p : params) {
            if (seen.put(p.name(), p) != null) {
                throw new IllegalArgumentException("duplicate parameter '" + p.name() + "'");
            }
        }
    }

    /** @return a schema with no parameters */
    public static ParamSchema empty() {
        return new ParamSchema(List.of());
    }

    /** @return a builder for a schema */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param name a parameter name
     * @return the parameter of that name, if declared
     */
    public Optional<ParamSpec> get(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Fluent construction of a {@link ParamSchema}. */
    public static final class Builder {
        private final List<ParamSpec> params = new ArrayList<>();

        private Builder() {}

        /**
         * Adds an integer parameter.
         *
         * @param name key
         * @param defaultValue default
         * @param min inclusive minimum
         * @param max inclusive maximum
         * @param description one line of documentation
         * @return this builder
         */
        public Builder addInt(String name, long defaultValue, long min, long max, String description) {
            params.add(new ParamSpec(name, ParamType.INT, defaultValue, (double) min, (double) max,
                    List.of(), description));
            return this;
        }

        /**
         * Adds a floating-point parameter.
         *
         * @param name key
         * @param defaultValue default
         * @param min inclusive minimum
         * @param max inclusive maximum
         * @param description one line of documentation
         * @return this builder
         */
        public Builder addDouble(String name, double defaultValue, double min, double max, String description) {
            params.add(new ParamSpec(name, ParamType.DOUBLE, defaultValue, min, max, List.of(), description));
            return this;
        }

        /**
         * Adds a boolean parameter.
         *
         * @param name key
         * @param defaultValue default
         * @param description one line of documentation
         * @return this builder
         */
        public Builder addBoolean(String name, boolean defaultValue, String description) {
            params.add(new ParamSpec(name, ParamType.BOOLEAN, defaultValue, null, null, List.of(), description));
            return this;
        }

        /**
         * Adds a parameter restricted to a fixed set of strings.
         *
         * @param name key
         * @param defaultValue default, one of {@code choices}
         * @param choices the allowed values
         * @param description one line of documentation
         * @return this builder
         */
        public Builder addChoice(String name, String defaultValue, List<String> choices, String description) {
            if (!choices.contains(defaultValue)) {
                throw new IllegalArgumentException("default '" + defaultValue + "' of '" + name
                        + "' is not among its choices " + choices);
            }
            params.add(new ParamSpec(name, ParamType.CHOICE, defaultValue, null, null, choices, description));
            return this;
        }

        /**
         * Adds a free-text parameter.
         *
         * @param name key
         * @param defaultValue default
         * @param description one line of documentation
         * @return this builder
         */
        public Builder addString(String name, String defaultValue, String description) {
            params.add(new ParamSpec(name, ParamType.STRING, defaultValue, null, null, List.of(), description));
            return this;
        }

        /**
         * Marks the parameter added last as added after the plugin's first release: it enters trial hashes only
         * when a spec gives it a value other than its default, so every spec written before it existed keeps
         * its trial hashes. Its default must therefore reproduce the plugin's behaviour before the parameter.
         *
         * @return this builder
         * @throws IllegalStateException if no parameter was added yet
         */
        public Builder addedLater() {
            if (params.isEmpty()) {
                throw new IllegalStateException("addedLater() marks the parameter added last; add one first");
            }
            params.set(params.size() - 1, params.get(params.size() - 1).addedLater());
            return this;
        }

        /** @return the schema */
        public ParamSchema build() {
            return new ParamSchema(params);
        }
    }
}
