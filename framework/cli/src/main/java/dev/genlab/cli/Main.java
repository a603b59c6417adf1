package dev.genlab.cli;

import dev.genlab.core.spec.Redactor;
import dev.genlab.core.spec.RedactingOutputStream;
import picocli.CommandLine;

/** Entry point of the {@code genlab} command. */
public final class Main {

    private Main() {}

    /**
     * Runs the command line and exits with its code: 0 success, 1 some trial failed, 2 bad spec, usage or
     * plugin error, 130 interrupted. Everything the process prints hides secret values (see
     * {@link Redactor}).
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // Before anything prints (Log4j included): hide the values of secret variables a spec resolves.
        System.setOut(RedactingOutputStream.printStream(System.out, Redactor::processWide));
        System.setErr(RedactingOutputStream.printStream(System.err, Redactor::processWide));
        System.exit(execute(args));
    }

    /**
     * Runs the command line without exiting (for tests).
     *
     * @param args command-line arguments
     * @return the exit code
     */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /**
     * Runs the command line with the given output streams (for tests).
     *
     * @param out results (summary tables, plans, listings)
     * @param err errors and usage messages
     * @param args command-line arguments
     * @return the exit code
     */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return new CommandLine(new GenlabCommand())
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler(new ErrorHandler())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }
}
