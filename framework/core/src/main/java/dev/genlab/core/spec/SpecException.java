package dev.genlab.core.spec;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a spec has one or more errors; carries all of them. */
public final class SpecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<SpecError> errors;

    /** @param errors every problem found, at least one */
    public SpecException(List<SpecError> errors) {
        super(errors.size() + " error(s) in spec:\n"
                + errors.stream().map(SpecError::format).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** @return the problems, in file order */
    public List<SpecError> errors() {
        return errors;
    }
}
