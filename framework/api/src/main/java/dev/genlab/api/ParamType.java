package dev.genlab.api;

/** The value types a plugin parameter can have. */
public enum ParamType {
    /** A 64-bit integer (YAML integers); read with {@link Params#getInt} or {@link Params#getLong}. */
    INT,
    /** A double (YAML integers and floats are both accepted); read with {@link Params#getDouble}. */
    DOUBLE,
    /** {@code true} or {@code false}; read with {@link Params#getBoolean}. */
    BOOLEAN,
    /** A string restricted to {@link ParamSpec#choices()}; read with {@link Params#getString}. */
    CHOICE,
    /** A free string; read with {@link Params#getString}. */
    STRING
}
