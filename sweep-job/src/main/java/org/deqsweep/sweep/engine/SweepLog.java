package org.deqsweep.sweep.engine;

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
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.deqsweep.sweep.store.OutputDir;

/**
 * The sweep's log file, {@code <out>/<name>/_sweep.log}, appended by every command that writes the sweep.
 * While it is open, Spark's log (task failures, their stack traces) goes there instead of the terminal,
 * so a failure ends the command with one paragraph; {@code --verbose} keeps the terminal copy too.
 * When the output directory cannot take the log (the disk is full, it vanished, it is read-only), the log
 * moves to the temporary directory, and {@link #fileToName()} says where it is now. On a file system other than
 * the local one (HDFS, an object store, which cannot append) the log is written in the temporary directory
 * and copied into the output when the command ends, as {@code _sweep-<time>.log}; the local copy is then
 * removed, unless a message named it ({@link #fileToName()}) or the copy failed.
 */
public final class SweepLog implements AutoCloseable {
    public static final String FILE = "_sweep.log";
    private static final String APPENDER = "deq-sweep-file";

    private final Path fallback;
    private volatile Path file;
    /** Where the log is copied when the command ends (output not on the local file system), else null. */
    private final OutputDir upload;
    private final FileLog appender;
    private final LoggerConfig root;
    private final List<Appender> removed = new ArrayList<>();
    /** A message named {@link #file}: it stays where it is when the command ends. */
    private volatile boolean named;

    private SweepLog(Path file, Path fallback, OutputDir upload, boolean verbose) {
        this.file = file;
        this.fallback = fallback;
        this.upload = upload;
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withPattern("%d{ISO8601} %p %c{1}: %m%n%ex")
                .withConfiguration(config).build();
        appender = new FileLog(layout);
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
    public static SweepLog open(OutputDir dir, String command, boolean verbose) {
        Path fallback = localCopy(dir);
        SweepLog log = dir.isLocal() ? new SweepLog(Path.of(dir.path().toUri()).resolve(FILE), fallback, null, verbose)
                : new SweepLog(fallback, fallback, dir, verbose);
        log.append("==== " + Instant.now() + " " + command + System.lineSeparator());
        return log;
    }

    /**
     * This process's log for {@code dir} in the temporary directory: where the log of an output on another file
     * system is written, and where any log goes when its output directory cannot take it.
     */
    public static Path localCopy(OutputDir dir) {
        return Path.of(System.getProperty("java.io.tmpdir"),
                "deq-sweep-" + dir.path().getName() + "-" + ProcessHandle.current().pid() + ".log");
    }

    /** Where the log is being written, for a message that names it: that file then stays after the command. */
    public Path fileToName() {
        named = true;
        return file;
    }

    /** Appends a failure's whole stack trace. */
    public void write(String what, Throwable e) {
        StringWriter s = new StringWriter();
        try (PrintWriter w = new PrintWriter(s)) {
            w.println(Instant.now() + " " + what);
            e.printStackTrace(w);
        }
        append(s.toString());
    }

    /** Appends text; a log the output directory cannot take moves to the temporary directory. */
    private synchronized void append(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (!file.equals(fallback)) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            if (file.equals(fallback)) {
                return; // nowhere left to write: the terminal paragraph still says what happened
            }
            Path was = file;
            file = fallback;
            append("==== " + Instant.now() + " the output directory could not take the log " + was + " (" + e
                    + "); continued here" + System.lineSeparator() + text);
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
        if (upload != null) {
            org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(upload.path(),
                    "_sweep-" + Instant.now().toString().replace(':', '-') + ".log");
            try {
                // the local copy is deleted only once the copy in the output is whole
                upload.fs().copyFromLocalFile(!named, true, new org.apache.hadoop.fs.Path(file.toUri()), to);
            } catch (IOException | RuntimeException e) {
                // the local copy stays where it is
            }
        }
    }

    /** Spark's log events, appended one at a time (WARN and above: few), never failing the caller. */
    private final class FileLog extends AbstractAppender {
        FileLog(PatternLayout layout) {
            super(APPENDER, null, layout, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            SweepLog.this.append(((PatternLayout) getLayout()).toSerializable(event));
        }
    }
}
