package org.deqsweep.sweep.report;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * One logger's level for a stretch of code, set by {@link #set} and put back by {@link #restore()} (in a
 * {@code finally}) as the configuration had it: the logger's own level when it had an entry, else no entry,
 * so that it follows its parents again. Nothing changes for the rest of the JVM. Without Log4j 2 Core as the
 * logging back end it does nothing.
 */
final class LogLevelScope {
    private final LoggerContext context;
    private final String logger;
    /** The logger's own configured level before, or null when the configuration had no entry for it. */
    private final Level before;

    private LogLevelScope(LoggerContext context, String logger, Level before) {
        this.context = context;
        this.logger = logger;
        this.before = before;
    }

    /** Sets {@code logger} to {@code level} until {@link #restore()}. */
    static LogLevelScope set(String logger, Level level) {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return new LogLevelScope(null, logger, null);
        }
        LoggerConfig own = context.getConfiguration().getLoggerConfig(logger);
        Level before = own.getName().equals(logger) ? own.getLevel() : null;
        Configurator.setLevel(logger, level);
        return new LogLevelScope(context, logger, before);
    }

    /** Puts the logger's configuration back as it was before {@link #set}. */
    void restore() {
        if (context == null) {
            return;
        }
        if (before != null) {
            Configurator.setLevel(logger, before);
        } else {
            context.getConfiguration().removeLogger(logger);
            context.updateLoggers();
        }
    }
}
