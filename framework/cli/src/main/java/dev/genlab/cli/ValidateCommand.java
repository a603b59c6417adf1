package dev.genlab.cli;

import com.google.inject.Injector;
import dev.genlab.core.sweep.TrialPlanPrinter;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code genlab validate}: check a spec and print its trial plan without training. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a spec (all errors at once, with file:line:column) and print the trial plan.",
        footerHeading = "%nExamples:%n",
        footer = {"  genlab validate experiments/quickstart.yaml", "  genlab validate spec.yaml sweep.seeds=[0,1,2]"})
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    SpecArguments args;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        Injector injector = common.injector();
        SpecArguments.Plan plan = args.plan(injector);
        PrintWriter out = command.commandLine().getOut();
        out.print(injector.getInstance(TrialPlanPrinter.class).render(plan.spec(), plan.trials()));
        out.printf("%s: OK, %d trial(s)%n", args.specFile, plan.trials().size());
        out.flush();
        return ExitCodes.OK;
    }
}
