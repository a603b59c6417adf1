package dev.genlab.cli;

import dev.genlab.core.plugin.PluginLoadException;
import dev.genlab.core.spec.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns the errors a user can fix (bad spec, broken plugin jar) into one clear message and exit code 2,
 * with no stack trace; anything else is a genlab bug and keeps its trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        Throwable cause = unwrap(ex);
        if (cause instanceof SpecException spec) {
            cmd.getErr().println(spec.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (cause instanceof PluginLoadException plugin) {
            cmd.getErr().println("plugin error: " + plugin.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (cause instanceof dev.genlab.tracking.mlflow.MlflowTrackingException mlflow) {
            cmd.getErr().println("mlflow: " + mlflow.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (cause instanceof dev.genlab.tracking.claims.ClaimFileException claim) {
            cmd.getErr().println("genlab: " + claim.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (cause instanceof UserError user) {
            cmd.getErr().println(user.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        cmd.getErr().println("genlab: internal error (please report it with the trace below)");
        ex.printStackTrace(cmd.getErr());
        return CommandLine.ExitCode.SOFTWARE;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof com.google.inject.ProvisionException || c instanceof com.google.inject.CreationException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof com.google.inject.ProvisionException pe && !pe.getErrorMessages().isEmpty()
                && pe.getErrorMessages().iterator().next().getCause() != null) {
            return pe.getErrorMessages().iterator().next().getCause();
        }
        return c;
    }
}
