package org.deqsweep.sweep.store;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * The layout of one sweep's output, {@code <out>/<name>/}, on any Hadoop file system ({@code file:},
 * {@code hdfs:}, {@code s3a:}; DESIGN 5): the tables, the manifest {@code _sweep.json}, the lock
 * {@code _lock}, and {@code _waves/}, the journal of waves from which the tables are rebuilt and resume
 * reads what is done.
 *
 * <p>The commit protocol holds where rename is a copy (object stores): each wave is written once under a
 * name of its own, {@code _waves/aAAA-wWWWWW/}, and is committed when its {@code _SUCCESS} marker exists.
 * The driver writes that marker after moving every file of the wave into it ({@link WaveFiles#commit}). A wave without
 * it (a killed driver, a cancelled or failed job) is ignored by the rebuild, resume and report, and
 * removed by the next sweep command. Waves of the earlier layout (committed by renaming {@code .tmp-}
 * directories) carry the same marker, so they read as committed; their {@code .tmp-} leftovers are removed.
 */
public final class OutputDir {
    public static final String MANIFEST = "_sweep.json";
    public static final String LOCK = "_lock";
    public static final String WAVES = "_waves";
    /** A wave's commit marker (the name of Spark's job-commit marker), written after all the wave's files. */
    public static final String COMMITTED = "_SUCCESS";
    private static final Pattern WAVE = Pattern.compile("a(\\d{3,})-w(\\d{5,})");
    private static final String LEGACY_TEMP = ".tmp-";

    private final Path dir;
    private final Configuration conf;
    /**
     * Created on first use, not in the constructor: Hadoop caches one client per scheme and authority, so a
     * client made with settings that {@link #checkReachable} then refuses (a wrong secret) would serve every
     * later output on the same bucket or namenode in this JVM.
     */
    private FileSystem fs;

    private OutputDir(Path dir, FileSystem fs, Configuration conf) {
        this.dir = dir;
        this.fs = fs;
        this.conf = conf;
    }

    /** A local directory (the tests', and plain paths on the command line). */
    public OutputDir(java.nio.file.Path local) {
        this(local.toAbsolutePath().normalize().toUri().toString(), new Configuration());
    }

    /**
     * The output at {@code location}: a URI ({@code hdfs://nn:8020/sweeps/x}, {@code s3a://bucket/x},
     * {@code file:///data/x}) or a plain local path.
     *
     * @throws UsageException for an unknown scheme or a file system that cannot be reached
     */
    public OutputDir(String location, Configuration conf) {
        this(resolve(location, conf), conf);
    }

    private OutputDir(Path qualified, Configuration conf) {
        this(qualified, null, conf);
        checkScheme(qualified, conf);
    }

    private static Path resolve(String location, Configuration conf) {
        URI u;
        try {
            u = new URI(location);
        } catch (java.net.URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getScheme() == null || u.getScheme().length() == 1) { // a plain path (or C:\...)
            return new Path(java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri());
        }
        return new Path(u);
    }

    /** Refuses a scheme no file system on the classpath serves, without creating a client. */
    private static void checkScheme(Path p, Configuration conf) {
        String scheme = p.toUri().getScheme();
        try {
            FileSystem.getFileSystemClass(scheme, conf);
        } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
            throw new UsageException("the output " + p + " has the scheme '" + scheme + "', which no file"
                    + " system on the classpath serves (" + e.getMessage() + "). Use a local path, file://, hdfs:// or"
                    + " s3a:// (with hadoop-aws on the classpath).");
        } catch (IOException e) {
            throw new UsageException("cannot reach the file system of " + p + ": " + e.getMessage());
        } catch (RuntimeException e) {
            Throwable c = e.getCause() instanceof ClassNotFoundException ? e.getCause() : e;
            if (c instanceof ClassNotFoundException) {
                throw new UsageException("the output " + p + " needs the file system for '" + scheme + "', whose class is"
                        + " not on the classpath (" + c.getMessage() + ")." + ("s3a".equals(scheme)
                        ? " s3a:// needs hadoop-aws " + org.apache.hadoop.util.VersionInfo.getVersion() + " and the AWS SDK on"
                        + " the classpath: a cluster's Spark usually brings them; the embedded Spark of this build has them"
                        + " after `mvn -Ps3 -Dmaven.test.skip=true package`." : ""));
            }
            throw e;
        }
    }

    /**
     * Fails fast, with one paragraph, when the file system cannot be reached: one connection attempt with
     * a short timeout (a Hadoop client would otherwise retry a dead namenode for minutes), on a separate
     * client so the retry settings stay out of the one the sweep uses.
     *
     * @throws UsageException naming the URI and the cause
     */
    public OutputDir checkReachable() {
        if (isLocal()) {
            return this;
        }
        Configuration quick = new Configuration(conf);
        quick.setInt("ipc.client.connect.max.retries", 0);
        quick.setInt("ipc.client.connect.max.retries.on.timeouts", 0);
        quick.setInt("ipc.client.connect.timeout", 5000);
        quick.setInt("dfs.client.retry.max.attempts", 0);
        quick.setBoolean("dfs.client.retry.policy.enabled", false);
        quick.setInt("fs.s3a.attempts.maximum", 1);
        quick.setInt("fs.s3a.retry.limit", 1);
        try (FileSystem probe = FileSystem.newInstance(dir.toUri(), quick)) {
            probe.exists(dir);
            return this;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new UsageException("cannot reach the output " + this + ": " + why + ". Check the address (and"
                    + " HADOOP_CONF_DIR, or --conf spark.hadoop.* settings) and that the service is up; nothing was written.");
        }
    }

    /** The sweep {@code name} under this output root. */
    public OutputDir child(String name) {
        return new OutputDir(new Path(dir, name), fs, conf);
    }

    /** The fully qualified directory ({@code file:/...}, {@code hdfs://...}). */
    public Path path() {
        return dir;
    }

    public synchronized FileSystem fs() {
        if (fs == null) {
            try {
                fs = dir.getFileSystem(conf);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reach the file system of " + this, e);
            }
        }
        return fs;
    }

    /** Whether this is on the local file system. */
    public boolean isLocal() {
        return "file".equals(dir.toUri().getScheme());
    }

    /** How messages name a path: a local one as a plain path, any other as its URI. */
    public static String show(Path p) {
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath().replaceFirst("/$", "") : p.toString();
    }

    @Override
    public String toString() {
        return show(dir);
    }

    public Path table(String name) {
        return new Path(dir, name);
    }

    public Path manifest() {
        return new Path(dir, MANIFEST);
    }

    public Path wavesDir() {
        return new Path(dir, WAVES);
    }

    /** Where wave {@code wave} of attempt {@code attempt} is written; committed once its marker is there. */
    public Path wave(int attempt, long wave) {
        return new Path(wavesDir(), String.format("a%03d-w%05d", attempt, wave));
    }

    public boolean exists(Path p) {
        try {
            return fs().exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isDirectory(Path p) {
        try {
            return fs().getFileStatus(p).isDirectory();
        } catch (java.io.FileNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the directory holds a manifest, a table or a committed wave. */
    public boolean hasOutput() {
        if (exists(manifest()) || !committedWaves().isEmpty()) {
            return true;
        }
        return Tables.ALL.stream().anyMatch(t -> exists(table(t)));
    }

    private List<FileStatus> waveEntries() {
        try {
            if (!isDirectory(wavesDir())) {
                return List.of();
            }
            return Arrays.stream(fs().listStatus(wavesDir())).sorted(Comparator.comparing(s -> s.getPath().getName())).toList();
        } catch (java.io.FileNotFoundException gone) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The committed waves (with their marker), oldest first. */
    public List<Path> committedWaves() {
        List<Path> out = new ArrayList<>();
        for (FileStatus s : waveEntries()) {
            if (s.isDirectory() && WAVE.matcher(s.getPath().getName()).matches() && exists(new Path(s.getPath(), COMMITTED))) {
                out.add(s.getPath());
            }
        }
        return out;
    }

    /** Waves without a marker, and leftovers of the earlier layout: ignored by every reader, removed by the next sweep. */
    public List<Path> uncommittedWaves() {
        List<Path> out = new ArrayList<>();
        for (FileStatus s : waveEntries()) {
            String n = s.getPath().getName();
            boolean wave = s.isDirectory() && WAVE.matcher(n).matches();
            if (n.startsWith(LEGACY_TEMP) || wave && !exists(new Path(s.getPath(), COMMITTED))) {
                out.add(s.getPath());
            }
        }
        return out;
    }

    /** The next attempt number: one more than any wave's, committed or not. */
    public int nextAttempt() {
        int max = 0;
        for (FileStatus s : waveEntries()) {
            Matcher m = WAVE.matcher(s.getPath().getName());
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }

    /** Deletes a path and all below it (nothing when absent). */
    public void delete(Path p) {
        try {
            fs().delete(p, true);
        } catch (java.io.FileNotFoundException gone) {
            // already absent
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + show(p), e);
        }
    }

    /** Removes uncommitted waves (a killed driver's, a cancelled wave's). */
    public void removeUncommitted() {
        for (Path p : uncommittedWaves()) {
            delete(p);
        }
    }

    /**
     * Checks that waves committed earlier are still there: an output directory removed or replaced while
     * a sweep runs is recreated by the next wave's write, and would otherwise end as a "completed" sweep
     * with fewer runs.
     *
     * @throws UncheckedIOException with a {@link java.nio.file.NoSuchFileException} naming the first missing wave
     */
    public void checkPresent(List<Path> waves) {
        for (Path w : waves) {
            if (!exists(new Path(w, COMMITTED))) {
                throw new UncheckedIOException(new java.nio.file.NoSuchFileException(show(w), null,
                        "a committed wave vanished: the output directory was removed or replaced while the sweep ran"));
            }
        }
    }

    /** Deletes everything in the directory except the lock (for --overwrite). */
    public void clearForOverwrite() {
        try {
            for (FileStatus s : fs().listStatus(dir)) {
                if (!s.getPath().getName().equals(LOCK)) {
                    delete(s.getPath());
                }
            }
        } catch (java.io.FileNotFoundException gone) {
            // nothing to clear
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small file's text, or null when it does not exist. */
    public String readString(Path p) {
        try (InputStream in = fs().open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException gone) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces a small file so that a reader sees the old or the new content, never a part: on a local
     * disk and HDFS a temporary file renamed over it (atomic there); on an object store one PUT, which is
     * atomic per object, while a rename would be a copy.
     */
    public void writeAtomically(Path p, byte[] content) throws IOException {
        String scheme = p.toUri().getScheme();
        if (!"file".equals(scheme) && !"hdfs".equals(scheme)) {
            try (FSDataOutputStream o = fs().create(p, true)) {
                o.write(content);
            }
            return;
        }
        Path tmp = new Path(p.getParent(), p.getName() + ".tmp");
        try {
            try (FSDataOutputStream o = fs().create(tmp, true)) {
                o.write(content);
            }
            FileContext.getFileContext(fs().getUri(), conf).rename(tmp, p, Options.Rename.OVERWRITE);
        } catch (IOException e) {
            try {
                fs().delete(tmp, false); // no half-written file beside the last good one
            } catch (IOException ignored) {
                // the storage that failed the write may fail this too
            }
            throw e;
        }
    }

    /** Whether the lock below is an exclusive create on this file system. */
    boolean lockIsExclusive() {
        return isLocal() || "hdfs".equals(dir.toUri().getScheme()) || conditionalCreate(new Path(dir, LOCK));
    }

    /** An object store's create-if-absent (S3A on Hadoop 3.4.2+: a PUT with If-None-Match), where it has one. */
    private boolean conditionalCreate(Path p) {
        try {
            return fs().hasPathCapability(p, Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Takes the sweep lock: {@code _lock} created exclusively with this driver's pid and host (a local disk:
     * the OS's create-if-absent; HDFS: create without overwrite, atomic at the namenode; S3A where the store
     * and Hadoop have conditional create: a PUT with If-None-Match). A lock whose pid is dead on this host is
     * stale and replaced; a live one (or one from another host) refuses. Elsewhere (an object store without
     * conditional create) the check and the create are two requests, and the message of a refused sweep
     * says so.
     *
     * @throws UsageException when another sweep holds the lock
     */
    public Lock lock() {
        try {
            fs().mkdirs(dir);
            String me = ProcessHandle.current().pid() + "@" + host();
            Path lock = new Path(dir, LOCK);
            for (int attempt = 0; attempt < 2; attempt++) {
                if (createExclusive(lock, me + "\n")) {
                    return new Lock(this, lock, me);
                }
                String owner = readString(lock);
                owner = owner == null ? null : owner.trim();
                if (owner != null && !isStale(owner)) {
                    throw new UsageException("Another sweep (pid@host " + owner + ") is writing " + this
                            + "; wait for it to finish, or if it is gone from its host, delete " + show(lock) + "."
                            + (lockIsExclusive() ? "" : " (On " + dir.toUri().getScheme() + " the lock is not an exclusive"
                            + " create: two sweeps started at the same moment could both pass it.)"));
                }
                fs().delete(lock, false);
            }
            throw new UsageException("Could not take the lock " + show(lock) + " (another sweep is starting); try again.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean createExclusive(Path lock, String content) throws IOException {
        if (isLocal()) {
            // Hadoop's local create(overwrite = false) checks and creates in two steps; File.createNewFile is one
            if (!new File(lock.toUri()).createNewFile()) {
                return false;
            }
            try (FSDataOutputStream o = fs().create(lock, true)) {
                o.write(content.getBytes(StandardCharsets.UTF_8));
            }
            return true;
        }
        // a store that advertises conditional create but ignores If-None-Match (S3Proxy 2.7) would let a later
        // sweep overwrite a held lock: the existence check first stops that, the conditional PUT a race
        if (!"hdfs".equals(lock.toUri().getScheme()) && fs().exists(lock)) {
            return false;
        }
        if (!"hdfs".equals(lock.toUri().getScheme()) && conditionalCreate(lock)) {
            try (FSDataOutputStream o = (FSDataOutputStream) fs().createFile(lock).overwrite(false)
                    .must(Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE, true).build()) {
                o.write(content.getBytes(StandardCharsets.UTF_8));
            } catch (FileAlreadyExistsException held) {
                return false;
            } catch (IOException e) {
                // the store refused the conditional PUT (412 Precondition Failed): someone else created it
                if (String.valueOf(e.getMessage()).contains("412") || String.valueOf(e.getMessage()).contains("Precondition")) {
                    return false;
                }
                throw e;
            }
            return true;
        }
        try (FSDataOutputStream o = fs().create(lock, false)) {
            o.write(content.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (FileAlreadyExistsException held) {
            return false;
        }
    }

    /** A lock is stale when it names this host and a pid that is not alive. */
    public static boolean isStale(String owner) {
        int at = owner.indexOf('@');
        if (at < 0) {
            return true;
        }
        if (!owner.substring(at + 1).equals(host())) {
            return false;
        }
        try {
            long pid = Long.parseLong(owner.substring(0, at));
            return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Runs {@code hook} when the JVM exits, before Hadoop closes its file systems (so the hook can still
     * write to HDFS). Returns what {@link #removeOnExit} takes.
     */
    public static Runnable onExit(Runnable hook) {
        ShutdownHookManager.get().addShutdownHook(hook, FileSystem.SHUTDOWN_HOOK_PRIORITY + 10);
        return hook;
    }

    public static void removeOnExit(Runnable hook) {
        try {
            ShutdownHookManager.get().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    /** The held lock; closing removes it if it is still ours. */
    public static final class Lock implements AutoCloseable {
        private final OutputDir dir;
        private final Path path;
        private final String owner;
        private final Runnable hook;

        Lock(OutputDir dir, Path path, String owner) {
            this.dir = dir;
            this.path = path;
            this.owner = owner;
            this.hook = onExit(this::release);
        }

        private void release() {
            try {
                String now = dir.readString(path);
                if (now != null && owner.equals(now.trim())) {
                    dir.fs().delete(path, false);
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort: a left-over lock of a dead pid is stale and replaced next time
            }
        }

        @Override
        public void close() {
            release();
            removeOnExit(hook);
        }
    }

    /** Deletes a local directory tree (benchmarks' and tests' scratch directories, not sweep output). */
    public static void deleteTree(java.nio.file.Path p) throws IOException {
        if (!java.nio.file.Files.exists(p)) {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(p)) {
            for (java.nio.file.Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(q);
            }
        }
    }
}
