package dev.genlab.cli;

import com.google.inject.Injector;
import dev.genlab.core.run.SweepResult;
import dev.genlab.core.run.SweepRunner;
import dev.genlab.core.run.SweepSummary;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code genlab run}: validate, plan, train, evaluate, record, summarise. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train and evaluate every trial of a spec and record the runs.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  genlab run experiments/quickstart.yaml",
            "  genlab run spec.yaml train.steps=200 gaussian.lr=0.01 sweep.seeds=[0,1,2]",
            "  genlab run spec.yaml --store /tmp/runs --quiet"
        })
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SPEC", description = "The experiment spec (YAML).")
    Path specFile;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE",
            description = "Dotted overrides, e.g. train.steps=500 gan.lr=1e-4.")
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
        SweepResult result = injector.getInstance(SweepRunner.class).run(spec, trials);
        command.commandLine().getOut().print(injector.getInstance(SweepSummary.class).table(result));
        command.commandLine().getOut().flush();
        return result.failures() == 0 ? ExitCodes.OK : ExitCodes.TRIAL_FAILED;
    }
}
