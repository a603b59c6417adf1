package dev.genlab.tracking.mlflow;

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

/** Collects every message (DEBUG and up) of genlab's loggers while open, so tests can check for secrets. */
final class CapturedLogs implements AutoCloseable {

    private static final String LOGGER = "dev.genlab";

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender;
    private final LoggerConfig previous;

    CapturedLogs() {
        appender = new AbstractAppender("captured-logs", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                String text = event.getLevel() + " " + event.getMessage().getFormattedMessage();
                if (event.getThrown() != null) {
                    text += " " + event.getThrown();
                }
                messages.add(text);
            }
        };
        appender.start();
        Configuration config = ctx.getConfiguration();
        LoggerConfig existing = config.getLoggerConfig(LOGGER);
        previous = existing.getName().equals(LOGGER) ? existing : null;
        // addLogger keeps an existing config of the same name: remove the test configuration's first.
        config.removeLogger(LOGGER);
        LoggerConfig lc = new LoggerConfig(LOGGER, Level.DEBUG, false);
        lc.addAppender(appender, Level.DEBUG, null);
        config.addLogger(LOGGER, lc);
        ctx.updateLoggers();
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    boolean contains(String text) {
        return messages.stream().anyMatch(m -> m.contains(text));
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
