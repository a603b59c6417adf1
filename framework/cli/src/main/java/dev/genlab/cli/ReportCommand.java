package dev.genlab.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.genlab.core.report.ReportData;
import dev.genlab.core.report.ReportLoader;
import dev.genlab.core.report.SweepReport;
import dev.genlab.tracking.local.LocalRunStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code genlab report}: the HTML page and Markdown table of a sweep, read back from the local run store
 * (the same report a sweep writes into its parent run's artifacts when it ends).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a sweep's report (self-contained HTML page, Markdown table, PNG charts) from the "
                + "local run store: per configuration, mean ± std over seeds of every metric, and plots. "
                + "Prints the headline metrics and the files' paths.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  genlab report quickstart",
            "  genlab report 7464402c018e46e19dd1b6a69b394633 --out /tmp/report",
            "  genlab report ring8-paradigms --store /scratch/genlab-runs"
        })
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "EXPERIMENT|SWEEP_RUN",
            description = "An experiment name (its latest sweep) or a sweep's parent run id (a trial's run id "
                    + "selects its sweep).")
    String selector;

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: ./genlab-reports/<experiment>).")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        Path root = storeOptions.existingRoot();
        Injector injector = Guice.createInjector();
        ReportData data;
        try {
            data = injector.getInstance(ReportLoader.class).load(new LocalRunStore(root), selector);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        Path dir = out != null ? out
                : Path.of("genlab-reports", SweepReport.fileName(data.experimentName(), "experiment"));
        SweepReport report = injector.getInstance(SweepReport.class);
        SweepReport.Written files = report.write(data, dir);
        PrintWriter w = command.commandLine().getOut();
        // A glance on the terminal; the full tables and the charts are in the files.
        w.print(report.summary(data));
        w.println("report: " + files.html().toAbsolutePath());
        w.println("markdown: " + files.markdown().toAbsolutePath() + " (" + files.images().size() + " images in "
                + SweepReport.PLOTS + "/ next to it)");
        w.flush();
        return ExitCodes.OK;
    }
}
