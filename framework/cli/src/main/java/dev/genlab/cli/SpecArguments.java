package dev.genlab.cli;

import com.google.inject.Injector;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecException;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/** The positional arguments of commands that take a spec: the file and dotted overrides. */
final class SpecArguments {

    @Parameters(index = "0", paramLabel = "SPEC", description = "The experiment spec (YAML).")
    Path specFile;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE",
            description = "Dotted overrides, e.g. train.steps=500 gan.lr=1e-4 sweep.seeds=[0,1,2].")
    List<String> overrides = new ArrayList<>();

    /** A validated spec and its trial plan. */
    record Plan(ExperimentSpec spec, List<Trial> trials) {}

    Plan plan(Injector injector) throws SpecException {
        ExperimentSpec spec = injector.getInstance(SpecLoader.class).load(specFile, overrides);
        return new Plan(spec, injector.getInstance(SweepPlanner.class).plan(spec));
    }
}
