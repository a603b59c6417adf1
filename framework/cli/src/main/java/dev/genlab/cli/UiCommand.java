package dev.genlab.cli;

import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.mlflow.MlflowOptions;
import dev.genlab.tracking.mlflow.MlflowServer;
import dev.genlab.tracking.mlflow.MlflowSettings;
import dev.genlab.tracking.mlflow.MlflowSync;
import dev.genlab.tracking.mlflow.PythonMlflow;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code genlab ui}: starts a local {@code mlflow server} (sqlite and artifacts under the run store, loopback
 * only), syncs the local store into it and prints its URL, so runs recorded without a server still end up in
 * the MLflow UI. Needs Python {@code mlflow}; without it, prints the one command that installs it.
 */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = "Start a local MLflow UI on this machine (loopback only) with every run of the local "
                + "store in it; stop it with Ctrl-C.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  genlab ui",
            "  genlab ui --port 5001 --store /scratch/genlab-runs",
            "",
            "Needs Python mlflow (found via $GENLAB_MLFLOW_PYTHON, ./.venv, python3 or python)."
        })
final class UiCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "N", defaultValue = "5000",
            description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--no-sync", description = "Only start the server; do not sync the local store into it.")
    boolean noSync;

    @Option(names = "--python", paramLabel = "PYTHON", description = "The Python that has mlflow.")
    String python;


    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    /** Released by {@link #stop()} (tests) ; Ctrl-C ends the server through the shutdown hook instead. */
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() throws InterruptedException {
        Path root = storeOptions.root().toAbsolutePath();
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        Optional<PythonMlflow> py = python != null ? PythonMlflow.probe(python) : PythonMlflow.find(System::getenv);
        if (py.isEmpty()) {
            err.println("genlab ui needs Python mlflow" + (python != null ? " (" + python + " does not have it)" : "")
                    + ". Install it with:");
            err.println("  " + PythonMlflow.installHint());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        if (port != 0 && !free(port)) {
            throw new UserError("port " + port + " on 127.0.0.1 is busy (another MLflow UI?); choose one with --port N");
        }
        out.println("starting MLflow " + py.get().version() + " (" + py.get().python() + "), data in "
                + root.resolve(".mlflow-ui") + " ...");
        out.flush();
        MlflowServer server = MlflowServer.start(py.get(), root.resolve(".mlflow-ui"), port, Duration.ofMinutes(3));
        Thread hook = new Thread(server::stop, "genlab-ui-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (!noSync && Files.isDirectory(root)) {
                MlflowSettings settings = new MlflowSettings(server.uri(), null, null, null, false);
                try (MlflowSync sync = MlflowSync.connect(settings, MlflowOptions.DEFAULTS, System::getenv)) {
                    out.println(sync.sync(new LocalRunStore(root), List.of(), r -> {}).summary() + " from " + root);
                }
            }
            out.println("MLflow UI: " + server.uri() + "   (Ctrl-C stops it)");
            out.flush();
            while (server.isRunning() && !stopRequested.await(500, TimeUnit.MILLISECONDS)) {
                // wait for Ctrl-C (the hook stops the server) or stop()
            }
            return ExitCodes.OK;
        } finally {
            server.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    /** Ends a running {@code ui} (for tests and embedding). */
    void stop() {
        stopRequested.countDown();
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
