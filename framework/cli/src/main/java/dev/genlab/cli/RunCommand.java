package dev.genlab.cli;

import com.google.inject.Injector;
import dev.genlab.core.run.Cancellation;
import dev.genlab.core.run.Shard;
import dev.genlab.core.run.SweepResult;
import dev.genlab.core.run.SweepRunner;
import dev.genlab.core.run.SweepSummary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code genlab run}: validate, plan, train, evaluate, record, summarise. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train and evaluate every trial of a spec and record the runs.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  genlab run experiments/quickstart.yaml",
            "  genlab run spec.yaml train.steps=200 gaussian.lr=0.01 sweep.seeds=[0,1,2]",
            "  genlab run spec.yaml --store /tmp/runs --quiet",
            "  genlab run spec.yaml --parallel 4      (4 worker processes on one store)",
            "  genlab run spec.yaml --resume",
            "  genlab run spec.yaml --shard 0/3     (a static part of the plan)",
            "  genlab run spec.yaml --resume --store /shared/runs   (any number of workers on one store)"
        })
final class RunCommand implements Callable<Integer> {

    @Mixin
    SpecArguments args;

    @Mixin
    CommonOptions common;

    @Mixin
    ScaleOptions scale;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        Shard shard = scale.shard(System::getenv);
        if (scale.parallel > 1) {
            return new ParallelRun(args, common, scale, shard, command.commandLine()).call();
        }
        WorkerEvents events = scale.workerEvents ? new WorkerEvents(System.out) : null;
        Injector injector = common.injector(scale.worker(System::getenv), shard, scale.sweepParent, events);
        SpecArguments.Plan plan = args.plan(injector);
        Cancellation cancellation = injector.getInstance(Cancellation.class);
        SweepResult result;
        try (Interrupts signals = new Interrupts(cancellation, command.commandLine().getErr(), events != null)) {
            result = injector.getInstance(SweepRunner.class).run(plan.spec(), plan.trials());
        }
        if (events != null) {
            events.result(result.trials().size(), plan.trials().size(), result.failures(), result.report() != null);
        }
        command.commandLine().getOut().print(injector.getInstance(SweepSummary.class).table(result));
        command.commandLine().getOut().flush();
        if (cancellation.requested()) {
            return ExitCodes.INTERRUPTED;
        }
        return result.failures() == 0 ? ExitCodes.OK : ExitCodes.TRIAL_FAILED;
    }
}
