package dev.genlab.core.spec;

import java.nio.file.Path;

/**
 * One problem found in a spec, located precisely.
 *
 * @param file the spec file (or the file it extends), or null for a command-line override
 * @param line 1-based line, 0 if unknown
 * @param column 1-based column, 0 if unknown
 * @param message what is wrong
 * @param hint how to fix it, or empty
 */
public record SpecError(Path file, int line, int column, String message, String hint) {

    /** Normalises a null hint to empty. */
    public SpecError {
        hint = hint == null ? "" : hint;
    }

    /** @return {@code file:line:column: message (hint)}, the format editors and CI logs link */
    public String format() {
        String where = file == null ? "<command line>" : file.toString();
        if (line > 0) {
            where += ":" + line + ":" + column;
        }
        return where + ": " + message + (hint.isEmpty() ? "" : "\n    fix: " + hint);
    }
}
