package org.deqsweep.sweep.engine;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deqsweep.sweep.store.OutputDir;

/**
 * A sweep that stopped on a failure it cannot work around, told in one paragraph: what happened, where,
 * that the committed waves are kept, the exact command that continues, and where the stack trace is.
 * The command prints the message alone and exits with status 1.
 */
public final class SweepFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What a storage failure was, from the OS's words (Spark carries a task's failure as text). */
    public enum Kind {
        DISK_FULL("the disk is full", "Once there is room"),
        PERMISSION("permission was denied", "Once the directory is writable"),
        VANISHED("a directory of the output is missing or not a directory", "Once the output directory is back"),
        MKDIRS("a directory of the output could not be created", "Once the directory can be written"),
        IO("an I/O error occurred", "Once the storage works again"),
        OTHER(null, "To continue");

        final String what;
        final String once;

        Kind(String what, String once) {
            this.what = what;
            this.once = once;
        }
    }

    private static final Pattern DISK_FULL = Pattern.compile("No space left on device|Disk quota exceeded|ENOSPC");
    private static final Pattern PERMISSION = Pattern.compile(
            "Permission denied|Operation not permitted|Read-only file system|AccessDeniedException|EACCES|EPERM");
    private static final Pattern VANISHED = Pattern.compile(
            "No such file or directory|NoSuchFileException|FileNotFoundException|Not a directory|ENOENT|ENOTDIR"
                    + "|ParentNotDirectoryException");
    /** Hadoop's words when mkdirs returned false: no errno, so permission and a missing parent look the same. */
    private static final Pattern MKDIRS = Pattern.compile("Mkdirs failed to create");
    private static final Pattern WRAPPER = Pattern.compile("([a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error): ");
    /** Spark's words for a failed write task, with the directory it wrote. */
    private static final Pattern WRITING = Pattern.compile("writing rows to (?:[a-z][a-z0-9+.-]*:)?(/\\S+?)\\.?(?:\\s|$)");
    private static final Pattern PATH = Pattern.compile("(/[^\\s:'\"()]+)");

    private final Kind kind;

    private SweepFailure(String message, Kind kind) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Tells the failure {@code e} of the sweep writing {@code dir}.
     *
     * @param committedWaves waves committed before it (kept for --resume)
     * @param resume the command that continues the sweep
     * @param log where the stack trace was written
     */
    public static SweepFailure of(Throwable e, OutputDir dir, int committedWaves, String resume, Path log) {
        return of(e, dir, committedWaves, List.<org.apache.hadoop.fs.Path>of(), resume, log);
    }

    /**
     * @param leftovers temporary waves that could not be removed (a directory that refuses writes refuses
     *                  deletes too)
     */
    public static SweepFailure of(Throwable e, OutputDir dir, int committedWaves, List<org.apache.hadoop.fs.Path> leftovers, String resume, Path log) {
        Kind kind = classify(e);
        String cause = oneLine(e, kind);
        StringBuilder b = new StringBuilder();
        if (kind == Kind.OTHER) {
            b.append("the sweep stopped: ").append(cause).append('.');
        } else {
            String path = pathOf(e);
            path = path == null ? null : path.replaceFirst("/_temporary/.*$", ""); // the wave, not Spark's attempt
            b.append("could not write the sweep's output: ").append(kind.what).append(" (").append(cause).append(')');
            b.append(path != null ? " at " + path : " under " + dir).append('.');
        }
        b.append(' ').append(committedWaves == 0 ? "No committed wave is kept (none is in " + OutputDir.show(dir.wavesDir()) + ")"
                : committedWaves + (committedWaves == 1 ? " wave committed before it is" : " waves committed before it are")
                + " kept in " + OutputDir.show(dir.wavesDir()));
        b.append(leftovers.isEmpty() ? "; nothing half-written is kept. "
                : "; its unfinished waves could not be removed (" + OutputDir.show(leftovers.get(0))
                + (leftovers.size() > 1 ? " and " + (leftovers.size() - 1) + " more" : "")
                + "): nothing reads them, and the next run removes them. ");
        b.append(kind.once).append(", continue with:").append(System.lineSeparator())
                .append("  ").append(resume).append(System.lineSeparator())
                .append("The stack trace is in ").append(log).append(" (or rerun with --verbose).");
        return new SweepFailure(b.toString(), kind);
    }

    static Kind classify(Throwable e) {
        String all = chainText(e);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException) {
                return Kind.PERMISSION;
            }
            if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
                return Kind.VANISHED;
            }
        }
        if (DISK_FULL.matcher(all).find()) {
            return Kind.DISK_FULL;
        }
        if (PERMISSION.matcher(all).find()) {
            return Kind.PERMISSION;
        }
        if (VANISHED.matcher(all).find()) {
            return Kind.VANISHED;
        }
        if (MKDIRS.matcher(all).find()) {
            return Kind.MKDIRS;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return Kind.IO;
            }
        }
        return Kind.OTHER;
    }

    /** The innermost cause's first line: for a Spark task failure, the line naming the task's exception. */
    private static String oneLine(Throwable e, Kind kind) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        Pattern wanted = switch (kind) {
            case DISK_FULL -> DISK_FULL;
            case PERMISSION -> PERMISSION;
            case VANISHED -> VANISHED;
            case MKDIRS -> MKDIRS;
            default -> null;
        };
        for (String line : chainText(e).split("\\R")) {
            if (wanted != null && wanted.matcher(line).find()) {
                text = line;
                break;
            }
        }
        text = text.strip().lines().findFirst().orElse("").strip();
        int cut = text.indexOf("most recent failure: ");
        if (cut >= 0) {
            text = text.substring(cut + "most recent failure: ".length()).replaceFirst("^Lost task .*?\\): ", "");
        }
        for (Matcher m = WRAPPER.matcher(text); m.lookingAt(); m = WRAPPER.matcher(text)) {
            text = text.substring(m.end()); // "java.lang.IllegalStateException: org...IOException: " adds nothing
        }
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** The file the failure names, when it names one. */
    private static String pathOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException f && f.getFile() != null) {
                return f.getFile();
            }
        }
        Matcher writing = WRITING.matcher(chainText(e));
        if (writing.find()) {
            return writing.group(1);
        }
        for (String line : chainText(e).split("\\R")) {
            if (DISK_FULL.matcher(line).find() || PERMISSION.matcher(line).find() || VANISHED.matcher(line).find()
                    || MKDIRS.matcher(line).find()) {
                Matcher m = PATH.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    private static String chainText(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 200_000; t = t.getCause()) {
            b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
            if (t.getCause() == t) {
                break;
            }
        }
        return b.toString();
    }

    /** A shell word: quoted unless it is plain. */
    static String shellWord(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./=:,@%+-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The command line that continues a sweep. */
    public static String resumeCommand(String launcher, String spec, String outRoot, List<String> sets, String master,
                                java.util.Map<String, String> conf) {
        StringBuilder b = new StringBuilder(launcher).append(' ').append(shellWord(spec));
        b.append(" --out ").append(shellWord(outRoot)).append(" --resume");
        if (master != null) {
            b.append(" --master ").append(shellWord(master));
        }
        for (String s : sets) {
            b.append(" --set ").append(shellWord(s));
        }
        conf.forEach((k, v) -> b.append(" --conf ").append(shellWord(k + "=" + v)));
        return b.toString();
    }
}
