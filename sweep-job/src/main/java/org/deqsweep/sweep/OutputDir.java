package org.deqsweep.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of one sweep's output, {@code <out>/<name>/}: the tables, the manifest {@code _sweep.json},
 * the lock {@code _lock}, and {@code _waves/}, the journal of committed waves (each a complete staging
 * table, moved into place atomically) from which the tables are rebuilt and resume reads what is done.
 * A local (or shared POSIX) file system: the lock and the wave commit rely on atomic create and rename.
 */
public final class OutputDir {
    public static final String MANIFEST = "_sweep.json";
    public static final String LOCK = "_lock";
    public static final String WAVES = "_waves";
    private static final Pattern WAVE = Pattern.compile("a(\\d{3,})-w(\\d{5,})");

    private final Path dir;

    public OutputDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path path() {
        return dir;
    }

    public Path table(String name) {
        return dir.resolve(name);
    }

    public Path manifest() {
        return dir.resolve(MANIFEST);
    }

    public Path wavesDir() {
        return dir.resolve(WAVES);
    }

    /** True when the directory holds a manifest, a table or a committed wave. */
    public boolean hasOutput() {
        if (Files.exists(manifest()) || !committedWaves().isEmpty()) {
            return true;
        }
        return Tables.ALL.stream().anyMatch(t -> Files.exists(table(t)));
    }

    /** The committed waves, oldest first. */
    public List<Path> committedWaves() {
        if (!Files.isDirectory(wavesDir())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(wavesDir())) {
            return s.filter(p -> WAVE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next attempt number: one more than any committed wave's. */
    public int nextAttempt() {
        int max = 0;
        for (Path p : committedWaves()) {
            Matcher m = WAVE.matcher(p.getFileName().toString());
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }

    /** Where wave {@code wave} of attempt {@code attempt} is committed. */
    public Path wave(int attempt, long wave) {
        return wavesDir().resolve(String.format("a%03d-w%05d", attempt, wave));
    }

    /** Where that wave is written before its commit. */
    public Path waveTemp(int attempt, long wave) {
        return wavesDir().resolve(String.format(".tmp-a%03d-w%05d", attempt, wave));
    }

    /** Commits a fully written wave: one atomic rename, so a killed driver leaves no partial wave. */
    public void commitWave(Path temp, Path target) {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not commit wave " + target, e);
        }
    }

    /**
     * Checks that waves committed earlier are still there: an output directory removed or replaced while
     * a sweep runs is recreated by the next wave's write, and would otherwise end as a "completed" sweep
     * with fewer runs.
     *
     * @throws UncheckedIOException with a {@link NoSuchFileException} naming the first missing wave
     */
    public void checkPresent(List<Path> waves) {
        for (Path w : waves) {
            if (!Files.isDirectory(w)) {
                throw new UncheckedIOException(new NoSuchFileException(w.toString(), null,
                        "a committed wave vanished: the output directory was removed or replaced while the sweep ran"));
            }
        }
    }

    /** Deletes a written wave that holds no row. */
    public void discard(Path temp) {
        try {
            deleteTree(temp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes everything in the directory except the lock (for --overwrite), and stale wave temps. */
    public void clearForOverwrite() {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(LOCK)) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The temporary (uncommitted) waves present, for messages; empty when the directory cannot be read. */
    public List<Path> waveTemps() {
        if (!Files.isDirectory(wavesDir())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(wavesDir())) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Removes half-written waves a killed driver left behind. */
    public void removeWaveTemps() {
        if (!Files.isDirectory(wavesDir())) {
            return;
        }
        try (Stream<Path> s = Files.list(wavesDir())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
                deleteTree(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /**
     * Takes the sweep lock: {@code _lock} created atomically with this driver's pid and host. A lock whose
     * pid is dead on this host is stale and replaced; a live one (or one from another host) refuses.
     *
     * @throws UsageException when another sweep holds the lock
     */
    public Lock lock() {
        try {
            Files.createDirectories(dir);
            String me = ProcessHandle.current().pid() + "@" + host();
            Path lock = dir.resolve(LOCK);
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    Files.writeString(Files.createFile(lock), me + "\n", StandardCharsets.UTF_8);
                    return new Lock(lock, me);
                } catch (FileAlreadyExistsException held) {
                    String owner = readOwner(lock);
                    if (owner != null && !isStale(owner)) {
                        throw new UsageException("Another sweep (pid@host " + owner + ") is writing " + dir
                                + "; wait for it to finish, or if it is gone from its host, delete " + lock + ".");
                    }
                    Files.deleteIfExists(lock);
                }
            }
            throw new UsageException("Could not take the lock " + lock + " (another sweep is starting); try again.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readOwner(Path lock) throws IOException {
        try {
            return Files.readString(lock, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /** A lock is stale when it names this host and a pid that is not alive. */
    static boolean isStale(String owner) {
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

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The held lock; closing removes it if it is still ours. */
    public static final class Lock implements AutoCloseable {
        private final Path path;
        private final String owner;
        private final Thread hook;

        Lock(Path path, String owner) {
            this.path = path;
            this.owner = owner;
            this.hook = new Thread(this::release, "deq-sweep-unlock");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        private void release() {
            try {
                String now = readOwner(path);
                if (owner.equals(now)) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // best effort: a left-over lock of a dead pid is stale and replaced next time
            }
        }

        @Override
        public void close() {
            release();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /** Lists the entries of a directory (for messages). */
    static List<String> names(Path d) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
