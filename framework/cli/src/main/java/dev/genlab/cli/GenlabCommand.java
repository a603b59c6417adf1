package dev.genlab.cli;

import picocli.CommandLine.Command;

/** The top-level {@code genlab} command; its work is in the subcommands. */
@Command(
        name = "genlab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run, sweep and compare generative-model experiments described in YAML.",
        subcommands = {RunCommand.class, ValidateCommand.class, PluginsCommand.class, ReportCommand.class, SyncCommand.class,
            UiCommand.class, MetricsCommand.class,
            picocli.CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  genlab run experiments/quickstart.yaml",
            "  genlab run spec.yaml train.steps=500 gan.lr=1e-4 --quiet",
            "  genlab validate spec.yaml",
            "  genlab plugins gaussian",
            "",
            "Exit codes: 0 ok, 1 a trial failed, 2 bad spec/usage/plugin, 130 interrupted."
        })
final class GenlabCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
