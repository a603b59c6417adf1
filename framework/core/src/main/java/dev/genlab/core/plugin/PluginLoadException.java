package dev.genlab.core.plugin;

import java.util.List;

/**
 * Thrown when installed plugins cannot be loaded: a corrupt jar, a jar without service entries, a
 * service class that is missing or fails to instantiate, a plugin built for another API version, or
 * two plugins with the same name. It lists every problem found, each naming the jar(s) involved.
 */
public final class PluginLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * @param problems one message per problem, never empty
     * @param cause the first underlying exception, or null
     */
    public PluginLoadException(List<String> problems, Throwable cause) {
        super(format(problems), cause);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a plugin load failure needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** @return every problem, one message each */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        if (problems.size() == 1) {
            return problems.get(0);
        }
        StringBuilder text = new StringBuilder(problems.size() + " plugin problems:");
        for (String p : problems) {
            text.append(System.lineSeparator()).append("  - ").append(p);
        }
        return text.toString();
    }
}
