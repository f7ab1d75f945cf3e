package org.deqsweep.sweep.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where a sweep's runs and curves are read from, and whether the sweep is complete (DESIGN 5).
 * <p>
 * A completed sweep ({@code _sweep.json} with status {@code completed} and an end time) is read from its
 * {@code runs} and {@code curves} tables. A sweep that is still running, was killed or is being resumed has
 * no up-to-date tables (they are rebuilt only at the end), so it is read from its committed waves under
 * {@code _waves/}: a wave counts once its commit marker, written after all its files, is there, so a wave
 * that is read is complete, and one run_id appears once. Every table and column name used by report and replay is here.
 */
public final class SweepSource {
    /** Layout and names of the sweep's output ({@link OutputDir}, {@code Tables}). */

    /** Where the rows come from. */
    public enum Kind { TABLES, WAVES }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputDir dir;
    private final JsonNode manifest;
    private final Kind kind;
    private final List<Path> waves;
    private final List<String> notes;
    private final boolean complete;

    private SweepSource(OutputDir dir, JsonNode manifest, Kind kind, List<Path> waves, List<String> notes, boolean complete) {
        this.dir = dir;
        this.manifest = manifest;
        this.kind = kind;
        this.waves = waves;
        this.notes = notes;
        this.complete = complete;
    }

    /**
     * Opens a sweep's output: {@code <out>/<name>}, or {@code <out>} when it holds exactly one sweep.
     *
     * @throws IllegalArgumentException naming the directory and what is missing
     */
    public static SweepSource open(java.nio.file.Path given) {
        return open(given.toAbsolutePath().normalize().toString(), new Configuration());
    }

    /**
     * Opens a sweep's output on any Hadoop file system: {@code <out>/<name>}, or {@code <out>} when it holds
     * exactly one sweep; a local path or a URI.
     *
     * @throws IllegalArgumentException naming the directory and what is missing
     */
    public static SweepSource open(String location, Configuration conf) {
        OutputDir dir;
        try {
            dir = resolve(new OutputDir(location, conf).checkReachable());
        } catch (UsageException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return of(dir);
    }

    /**
     * A sweep directory already resolved, on its own file system client: serve's poller looks at its sweeps
     * every few seconds, and {@link OutputDir#checkReachable} would open and close a client each time.
     *
     * @throws IllegalArgumentException naming the directory and what is missing
     */
    public static SweepSource of(OutputDir dir) {
        JsonNode manifest = null;
        List<String> notes = new ArrayList<>();
        String mf = dir.readString(dir.manifest());
        if (mf != null) {
            try {
                manifest = JSON.readTree(mf);
            } catch (IOException e) {
                notes.add(OutputDir.MANIFEST + " could not be read (" + e.getMessage() + "); treating the sweep as incomplete.");
            }
        } else {
            notes.add("No " + OutputDir.MANIFEST + " in " + dir + ": cannot tell whether the sweep finished.");
        }
        String status = manifest == null ? null : manifest.path("status").asText(null);
        boolean finished = manifest != null && manifest.hasNonNull("finished");
        boolean complete = Manifest.COMPLETED.equals(status) && finished;
        List<Path> waves = dir.committedWaves();
        boolean hasRuns = dir.isDirectory(dir.table(Tables.RUNS));
        Kind kind;
        if (hasRuns && (complete || waves.isEmpty())) {
            kind = Kind.TABLES;
        } else if (!waves.isEmpty()) {
            kind = Kind.WAVES;
        } else {
            throw new IllegalArgumentException(dir + " has no runs table and no committed wave yet"
                    + (status == null ? "" : " (_sweep.json status: " + status + ")")
                    + "; wait for the sweep's first wave to finish.");
        }
        if (manifest != null && !complete) {
            StringBuilder b = new StringBuilder("The sweep is incomplete: _sweep.json has status \"")
                    .append(status).append('"').append(finished ? "" : " and no end time");
            if (kind == Kind.WAVES) {
                b.append("; this report reads the ").append(waves.size()).append(" committed wave")
                        .append(waves.size() == 1 ? "" : "s").append(" (of ")
                        .append(manifest.path("waves").asText("?")).append(" planned in the last attempt)");
            } else {
                b.append("; this report reads the tables as they are");
            }
            b.append(", and every figure may change when it finishes.");
            notes.add(0, b.toString());
        }
        return new SweepSource(dir, manifest, kind, waves, List.copyOf(notes), complete);
    }

    /**
     * The sweep a location names: the directory itself when it holds a sweep's output (a manifest, the
     * tables or committed waves), else the single sweep directly inside it.
     *
     * @throws IllegalArgumentException naming what the location holds instead
     */
    public static OutputDir resolve(OutputDir dir) {
        if (!dir.isDirectory(dir.path())) {
            throw new IllegalArgumentException(dir + " is not a directory; give a sweep's output directory (<out>/<name>) or <out>.");
        }
        if (isSweep(dir)) {
            return dir;
        }
        List<OutputDir> inside = new ArrayList<>();
        try {
            for (FileStatus st : dir.fs().listStatus(dir.path())) {
                if (st.isDirectory() && isSweep(dir.child(st.getPath().getName()))) {
                    inside.add(dir.child(st.getPath().getName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inside.sort(java.util.Comparator.comparing(OutputDir::toString));
        if (inside.size() == 1) {
            return inside.get(0);
        }
        if (inside.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no sweep output (no " + OutputDir.MANIFEST + ", " + Tables.RUNS + "/ or "
                    + OutputDir.WAVES + "/ in it or in a directory below it).");
        }
        throw new IllegalArgumentException(dir + " holds " + inside.size() + " sweeps ("
                + String.join(", ", inside.stream().map(d -> d.path().getName()).toList()) + "); name one, e.g. " + inside.get(0) + ".");
    }

    private static boolean isSweep(OutputDir d) {
        return d.exists(d.manifest()) || d.isDirectory(d.table(Tables.RUNS)) || d.isDirectory(d.wavesDir());
    }

    /** The runs rows: one per run_id. */
    public Dataset<Row> runs(SparkSession spark) {
        if (kind == Kind.TABLES) {
            return spark.read().parquet(dir.table(Tables.RUNS).toString());
        }
        return staging(spark).drop(Columns.CURVE);
    }

    /** The curves rows (run_id, step, loss, ...), or null when the sweep recorded none. */
    public Dataset<Row> curves(SparkSession spark) {
        if (kind == Kind.TABLES) {
            Path c = dir.table(Tables.CURVES);
            return dir.isDirectory(c) ? spark.read().parquet(c.toString()) : null;
        }
        Dataset<Row> st = staging(spark);
        if (!Arrays.asList(st.columns()).contains(Columns.CURVE)) {
            return null;
        }
        return st.select(col(Columns.RUN_ID), explode(col(Columns.CURVE)).as("p")).select(col(Columns.RUN_ID), col("p.*"));
    }

    private Dataset<Row> staging(SparkSession spark) {
        String[] paths = waves.stream().map(Path::toString).toArray(String[]::new);
        return spark.read().parquet(paths).dropDuplicates(Columns.RUN_ID);
    }

    public OutputDir dir() {
        return dir;
    }

    /** The sweep's name: the manifest's, else the directory's. */
    public String name() {
        return manifest != null && manifest.hasNonNull("name") ? manifest.get("name").asText() : dir.path().getName();
    }

    /** The parsed manifest, or null. */
    public JsonNode manifest() {
        return manifest;
    }

    public Kind kind() {
        return kind;
    }

    /** True when the manifest says completed and has an end time. */
    public boolean complete() {
        return complete;
    }

    /** Lines for the page and the console about what was read (incompleteness first). */
    public List<String> notes() {
        return notes;
    }
}
