package dev.genlab.cli;

import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Plugin;
import dev.genlab.core.plugin.PluginOrigin;
import dev.genlab.core.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code genlab plugins}: list installed paradigms, datasets and metrics, or one plugin's parameters. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List installed paradigms, datasets and metrics, or show one plugin's parameters.",
        footerHeading = "%nExamples:%n",
        footer = {"  genlab plugins", "  genlab plugins gaussian", "  genlab plugins --plugins-dir ./my-plugins"})
final class PluginsCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Show this plugin's schema.")
    String name;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        PluginRegistry registry = common.injector().getInstance(PluginRegistry.class);
        PrintWriter out = command.commandLine().getOut();
        if (name == null) {
            section(out, "Paradigms", registry.paradigms(), registry);
            section(out, "Datasets", registry.datasets(), registry);
            section(out, "Metrics", registry.metrics(), registry);
            out.println("Show a plugin's parameters with: genlab plugins NAME");
            out.flush();
            return ExitCodes.OK;
        }
        List<Plugin> matches = new ArrayList<>();
        Stream.of(registry.paradigm(name), registry.dataset(name), registry.metric(name))
                .flatMap(java.util.Optional::stream).forEach(matches::add);
        if (matches.isEmpty()) {
            List<String> known = new ArrayList<>();
            registry.paradigms().forEach(p -> known.add(p.name()));
            registry.datasets().forEach(p -> known.add(p.name()));
            registry.metrics().forEach(p -> known.add(p.name()));
            throw new UserError("no plugin named '" + name + "'; installed: " + String.join(", ", known));
        }
        for (Plugin p : matches) {
            describe(out, p, registry.origin(p));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void section(PrintWriter out, String title, Collection<? extends Plugin> plugins,
            PluginRegistry registry) {
        out.println(title + ":");
        for (Plugin p : plugins) {
            PluginOrigin o = registry.origin(p);
            String from = o.jar() == null ? "" : "  [" + o.jar().getFileName() + " " + o.version() + "]";
            out.printf("  %-12s %s%s%n", p.name(), p.description(), from);
        }
        out.println();
    }

    private static void describe(PrintWriter out, Plugin p, PluginOrigin origin) {
        out.println(p.name() + " - " + p.description());
        out.println("  source: " + (origin.jar() == null ? "built in" : origin.jar() + " (" + origin.version() + ")"));
        if (p.parameters().params().isEmpty()) {
            out.println("  (no parameters)");
        }
        Set<String> sampling = p instanceof ParadigmProvider pp ? pp.samplingParameters() : Set.of();
        for (ParamSpec s : p.parameters().params()) {
            String allowed = s.allowed().isEmpty() ? "" : "  " + s.allowed();
            String mark = sampling.contains(s.name()) ? "  (sampling: variants may override)" : "";
            out.printf("  %-16s %-7s default %-10s%s%s%n      %s%n", s.name(), s.type().name().toLowerCase(),
                    s.defaultValue(), allowed, mark, s.description());
        }
        out.println();
    }
}
