package dev.genlab.tracking.local;

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

/** Collects WARN+ messages of this package's loggers while open, so tests can assert on warnings. */
final class CapturedWarnings implements AutoCloseable {

    private static final String LOGGER = "dev.genlab.tracking.local";

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender;

    CapturedWarnings() {
        appender = new AbstractAppender("captured-warnings", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        Configuration config = ctx.getConfiguration();
        LoggerConfig lc = new LoggerConfig(LOGGER, Level.WARN, false);
        lc.addAppender(appender, Level.WARN, null);
        config.addLogger(LOGGER, lc);
        ctx.updateLoggers();
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        ctx.getConfiguration().removeLogger(LOGGER);
        ctx.updateLoggers();
        appender.stop();
    }
}
