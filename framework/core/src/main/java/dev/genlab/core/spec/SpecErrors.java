package dev.genlab.core.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of one load so they are reported together. */
final class SpecErrors {

    private final List<SpecError> errors = new ArrayList<>();
    private boolean fatal;
    private Redactor secrets = Redactor.NONE;

    /**
     * Hides secret values in the messages thrown from now on: an error may quote an interpolated value
     * ("expected an integer, got '...'").
     */
    void redactWith(Redactor secrets) {
        this.secrets = secrets;
    }

    /** Records a problem after which loading can go on. */
    void add(SpecError error) {
        errors.add(error);
    }

    /** Records a problem at a location. */
    void add(SourceLoc loc, String message, String hint) {
        errors.add(loc.error(message, hint));
    }

    /** Records a problem that leaves nothing sensible to validate (unreadable file, YAML syntax). */
    void fatal(SpecError error) {
        errors.add(error);
        fatal = true;
    }

    /** @return how many problems are recorded so far */
    int count() {
        return errors.size();
    }

    boolean hasFatal() {
        return fatal;
    }

    /** Throws all problems so far, file by file in line order, command-line problems last. */
    void throwIfAny() throws SpecException {
        if (errors.isEmpty()) {
            return;
        }
        // Files in first-reported order keep the root spec before the files it extends.
        List<Path> fileOrder = new ArrayList<>();
        for (SpecError e : errors) {
            if (e.file() != null && !fileOrder.contains(e.file())) {
                fileOrder.add(e.file());
            }
        }
        List<SpecError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.<SpecError>comparingInt(
                        e -> e.file() == null ? Integer.MAX_VALUE : fileOrder.indexOf(e.file()))
                .thenComparingInt(SpecError::line)
                .thenComparingInt(SpecError::column));
        if (!secrets.isEmpty()) {
            sorted.replaceAll(e -> new SpecError(e.file(), e.line(), e.column(), secrets.redact(e.message()),
                    secrets.redact(e.hint())));
        }
        throw new SpecException(sorted);
    }
}
