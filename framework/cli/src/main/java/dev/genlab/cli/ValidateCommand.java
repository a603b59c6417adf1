package dev.genlab.cli;

import com.google.inject.Injector;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import dev.genlab.core.sweep.TrialPlanPrinter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code genlab validate}: check a spec and print its trial plan without training. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a spec (all errors at once, with file:line:column) and print the trial plan.",
        footerHeading = "%nExamples:%n",
        footer = {"  genlab validate experiments/quickstart.yaml", "  genlab validate spec.yaml sweep.seeds=[0,1,2]"})
final class ValidateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SPEC", description = "The experiment spec (YAML).")
    Path specFile;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Dotted overrides.")
    List<String> overrides = new ArrayList<>();

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        Injector injector = common.injector();
        ExperimentSpec spec = injector.getInstance(SpecLoader.class).load(specFile, overrides);
        List<Trial> trials = injector.getInstance(SweepPlanner.class).plan(spec);
        PrintWriter out = command.commandLine().getOut();
        out.print(new TrialPlanPrinter().render(spec, trials));
        out.printf("%s: OK, %d trial(s)%n", specFile, trials.size());
        out.flush();
        return ExitCodes.OK;
    }
}
