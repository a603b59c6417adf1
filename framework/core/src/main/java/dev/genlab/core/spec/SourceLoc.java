package dev.genlab.core.spec;

import java.nio.file.Path;

/**
 * Where a spec value was written: a position in a YAML file, or a command-line override.
 *
 * @param file the file, or null for an override
 * @param line 1-based line, 0 if unknown
 * @param column 1-based column, 0 if unknown
 * @param override the override text ({@code train.steps=500}) when the value came from the command line
 */
record SourceLoc(Path file, int line, int column, String override) {

    /** A position in a file (SnakeYAML marks are 0-based). */
    static SourceLoc at(Path file, org.yaml.snakeyaml.error.Mark mark) {
        return mark == null ? new SourceLoc(file, 0, 0, null)
                : new SourceLoc(file, mark.getLine() + 1, mark.getColumn() + 1, null);
    }

    /** A whole file, no position known. */
    static SourceLoc ofFile(Path file) {
        return new SourceLoc(file, 0, 0, null);
    }

    /** A value given on the command line. */
    static SourceLoc override(String text) {
        return new SourceLoc(null, 0, 0, text);
    }

    /** @return an error located here; override errors name the override so the user can find it */
    SpecError error(String message, String hint) {
        String msg = override == null ? message : "override '" + override + "': " + message;
        return new SpecError(file, line, column, msg, hint);
    }

    /** @return a short human description for hints such as "first defined at base.yaml:3:5" */
    String describe() {
        if (override != null) {
            return "the command-line override '" + override + "'";
        }
        String name = file == null ? "?" : String.valueOf(file.getFileName());
        return line > 0 ? name + ":" + line + ":" + column : name;
    }
}
