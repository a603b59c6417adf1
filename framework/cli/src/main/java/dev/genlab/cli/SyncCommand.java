package dev.genlab.cli;

import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.mlflow.MlflowOptions;
import dev.genlab.tracking.mlflow.MlflowSettings;
import dev.genlab.tracking.mlflow.MlflowSync;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code genlab sync}: replays runs of the local store into an MLflow server, sending only what the server
 * lacks (runs are matched by their {@code genlab.local_run_id} tag, metric values by key, step and time),
 * so it can be repeated safely, e.g. after an outage.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Send runs of the local store to an MLflow server; only what it lacks is sent, so "
                + "repeating it never duplicates anything.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  genlab sync --to http://127.0.0.1:5000",
            "  MLFLOW_TRACKING_URI=https://mlflow.example.org genlab sync ring8-paradigms",
            "  genlab sync --to http://127.0.0.1:5000 --store /scratch/genlab-runs 9f1c2e...",
            "",
            "Credentials come from MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN."
        })
final class SyncCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN|EXPERIMENT", arity = "0..*",
            description = "Local run ids or experiment names (default: every run in the store).")
    List<String> selectors = new ArrayList<>();

    @Option(names = "--to", paramLabel = "URI",
            description = "The MLflow server (default: $MLFLOW_TRACKING_URI).")
    String to;

    @Mixin
    StoreOptions storeOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        Path root = storeOptions.existingRoot();
        MlflowSettings settings = MlflowSettings.resolve(to, System::getenv);
        PrintWriter out = command.commandLine().getOut();
        out.println("syncing " + root.toAbsolutePath() + " to " + settings.uri());
        out.flush();
        MlflowSync.Report report;
        try (MlflowSync sync = MlflowSync.connect(settings, MlflowOptions.DEFAULTS, System::getenv)) {
            report = sync.sync(new LocalRunStore(root), selectors, r -> {
                out.println("  " + r.describe());
                out.flush();
            });
        }
        out.println(report.summary());
        out.flush();
        return report.ok() ? ExitCodes.OK : ExitCodes.TRIAL_FAILED;
    }
}
