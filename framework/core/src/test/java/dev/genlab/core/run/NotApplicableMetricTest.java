package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.plugin.PluginLoader;
import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.spec.ExperimentSpec;
import dev.genlab.core.spec.SpecLoader;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metric named in the spec that does not apply to a paradigm (here: {@code likelihood} without held-out
 * data) is expected in a sweep over paradigms: it is said once per sweep and paradigm at INFO, not as a
 * warning per trial and evaluation.
 */
class NotApplicableMetricTest {

    private static final String SPEC = """
            name: not-applicable
            seed: 4
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 20, batch_size: 64, log_every: 5, eval_every: 10}
            evaluate: {samples: 300, metrics: [modes, likelihood], heldout: 0}
            paradigms:
              - {name: fit, plugin: meanfit, params: {lr: 0.2}}
              - {name: other, plugin: meanfit, params: {lr: 0.1}}
            sweep: {seeds: [0, 1]}
            """;

    @TempDir
    Path tmp;

    @Test
    void aMetricThatDoesNotApplyIsSaidOncePerSweepAndParadigmAtInfo() throws Exception {
        PluginRegistry registry = new PluginLoader().load(List.of());
        Path specFile = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
        ExperimentSpec spec = new SpecLoader(registry, name -> null).load(specFile, List.of());
        SweepRunner runner = LocalRunners.create(registry, new RunOptions(true, List.of(), tmp.resolve("runs")),
                Progress.SILENT, new Cancellation());
        List<String> said;
        try (Captured logs = new Captured()) {
            SweepResult first = runner.run(spec, new SweepPlanner().plan(spec));
            assertEquals(4, first.trials().size());
            first.trials().forEach(t -> assertEquals(RunStatus.FINISHED, t.status(), t.failure()));
            // The same runner, a second sweep: said again, once per paradigm.
            runner.run(spec, new SweepPlanner().plan(spec));
            said = logs.events.stream().filter(e -> e.contains("metric 'likelihood' does not apply")).toList();
        }
        List<String> info = said.stream().filter(e -> e.startsWith("INFO ")).toList();
        assertEquals(List.of(
                "INFO metric 'likelihood' does not apply to paradigm 'fit' on dataset 'ring8' and is skipped (said once per sweep)",
                "INFO metric 'likelihood' does not apply to paradigm 'other' on dataset 'ring8' and is skipped (said once per sweep)",
                "INFO metric 'likelihood' does not apply to paradigm 'fit' on dataset 'ring8' and is skipped (said once per sweep)",
                "INFO metric 'likelihood' does not apply to paradigm 'other' on dataset 'ring8' and is skipped (said once per sweep)"),
                info, said.toString());
        // 2 sweeps x 4 trials x (evaluations at steps 10 and 20): the repeats are DEBUG.
        assertTrue(said.size() >= 8, said.toString());
        assertTrue(said.stream().allMatch(e -> e.startsWith("INFO ") || e.startsWith("DEBUG ")), said.toString());
    }

    /** Every event of genlab's loggers (DEBUG and up) while open. */
    private static final class Captured implements AutoCloseable {
        private static final String LOGGER = "dev.genlab";
        final List<String> events = new CopyOnWriteArrayList<>();
        private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        private final AbstractAppender appender;
        private final LoggerConfig previous;

        Captured() {
            appender = new AbstractAppender("captured", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    events.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                }
            };
            appender.start();
            Configuration config = ctx.getConfiguration();
            LoggerConfig existing = config.getLoggerConfig(LOGGER);
            previous = existing.getName().equals(LOGGER) ? existing : null;
            config.removeLogger(LOGGER);
            LoggerConfig lc = new LoggerConfig(LOGGER, Level.DEBUG, false);
            lc.addAppender(appender, Level.DEBUG, null);
            config.addLogger(LOGGER, lc);
            ctx.updateLoggers();
        }

        @Override
        public void close() {
            Configuration config = ctx.getConfiguration();
            config.removeLogger(LOGGER);
            if (previous != null) {
                config.addLogger(LOGGER, previous);
            }
            ctx.updateLoggers();
            appender.stop();
        }
    }
}
