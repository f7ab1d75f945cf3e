package org.deqsweep.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The sweep's log file, {@code <out>/<name>/_sweep.log}, appended by every command that writes the sweep.
 * While it is open, Spark's log (task failures, their stack traces) goes there instead of the terminal,
 * so a failure ends the command with one paragraph; {@code --verbose} keeps the terminal copy too.
 * When the output directory cannot take the file (it vanished, or is read-only), the log goes to the
 * temporary directory, and {@link #file()} says where.
 */
final class SweepLog implements AutoCloseable {
    static final String FILE = "_sweep.log";
    private static final String APPENDER = "deq-sweep-file";

    private final Path file;
    private final FileAppender appender;
    private final LoggerConfig root;
    private final List<Appender> removed = new ArrayList<>();

    private SweepLog(Path file, boolean verbose) {
        this.file = file;
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withPattern("%d{ISO8601} %p %c{1}: %m%n%ex")
                .withConfiguration(config).build();
        appender = FileAppender.newBuilder().setName(APPENDER).withFileName(file.toString()).withAppend(true)
                .setLayout(layout).setConfiguration(config).build();
        appender.start();
        config.addAppender(appender);
        root = config.getRootLogger();
        if (!verbose) {
            for (Map.Entry<String, Appender> a : Map.copyOf(root.getAppenders()).entrySet()) {
                if (a.getValue() instanceof ConsoleAppender) {
                    removed.add(a.getValue());
                    root.removeAppender(a.getKey());
                }
            }
        }
        root.addAppender(appender, null, null);
        ctx.updateLoggers();
    }

    /**
     * Opens the log for a command writing {@code dir}.
     *
     * @param command the command line, written as the section's header
     */
    static SweepLog open(OutputDir dir, String command, boolean verbose) {
        String header = "==== " + Instant.now() + " " + command + System.lineSeparator();
        Path file = dir.path().resolve(FILE);
        try {
            Files.createDirectories(dir.path());
            Files.writeString(file, header, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            file = Path.of(System.getProperty("java.io.tmpdir"),
                    "deq-sweep-" + dir.path().getFileName() + "-" + ProcessHandle.current().pid() + ".log");
            try {
                Files.writeString(file, header, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException alsoFailed) {
                // the appender reports its own trouble; the message still names the path tried
            }
        }
        return new SweepLog(file, verbose);
    }

    Path file() {
        return file;
    }

    /** Appends a failure's whole stack trace. */
    void write(String what, Throwable e) {
        StringWriter s = new StringWriter();
        try (PrintWriter w = new PrintWriter(s)) {
            w.println(Instant.now() + " " + what);
            e.printStackTrace(w);
        }
        try {
            Files.writeString(file, s.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the file is where the failure is: the terminal paragraph still says what happened
        }
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        root.removeAppender(APPENDER);
        for (Appender a : removed) {
            root.addAppender(a, null, null);
        }
        ctx.getConfiguration().getAppenders().remove(APPENDER);
        ctx.updateLoggers();
        appender.stop();
    }
}
