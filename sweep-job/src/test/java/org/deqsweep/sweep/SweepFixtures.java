package org.deqsweep.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.core.train.Runner;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;

/** The small grid the Spark tests sweep, and helpers to read what a sweep wrote. */
public final class SweepFixtures {
    /** 2 d x 2 activations x 3 step sizes (the largest diverges) x 2 seeds. */
    public static final int POINTS = 24;
    public static final String SPEC = """
            name: tiny
            description: the sweep-job tests' grid
            family: general_deq
            grid:
              d: [2, 4]
              activation: [tanh, sigmoid]
              step_size: [0.05, 0.3, 20.0]
              seed: range(0, 2)
            fixed:
              width: 4
              n: 40
              max_steps: 60
              rel_tol: 0.05
              record_points: 20
            job:
              wave_size: 8
            """;

    private static Path root;
    private static SparkTestBase.Cli result;
    private static long trained;

    private SweepFixtures() {
    }

    /**
     * The reference sweep: the 24-point grid run once per JVM on the shared local[2] session, into a
     * directory deleted when the JVM exits. Test classes that only read it share it.
     */
    public static synchronized Path referenceSweep() throws IOException {
        if (root == null) {
            Path dir = Files.createTempDirectory("deq-sweep-reference");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    OutputDir.deleteTree(dir);
                } catch (IOException ignored) {
                    // a temp directory
                }
            }));
            Path spec = writeSpec(dir);
            SparkTestBase.spark();
            long before = org.deqsweep.core.train.Runner.invocations();
            result = SparkTestBase.cli(spec.toString(), "--out", dir.resolve("out").toString());
            trained = org.deqsweep.core.train.Runner.invocations() - before;
            root = dir;
        }
        return root;
    }

    /** The reference sweep's output directory, out/tiny. */
    public static Path referenceDir() throws IOException {
        return referenceSweep().resolve("out").resolve("tiny");
    }

    /** What the reference sweep's command returned. */
    public static SparkTestBase.Cli referenceResult() throws IOException {
        referenceSweep();
        return result;
    }

    /** Runner invocations during the reference sweep. */
    public static long referenceTrained() throws IOException {
        referenceSweep();
        return trained;
    }

    /**
     * The run_ids of the points a sweep of {@link #SPEC} trains at positions [from, to) of its interleaved
     * order: with wave_size 8, wave w is positions 8w to 8w + 7.
     */
    public static java.util.Set<String> runIdsAt(org.deqsweep.sweep.spec.SweepSpec spec, long from, long to) {
        org.deqsweep.sweep.spec.Grid grid = spec.toGrid();
        long mult = SweepJob.Interleave.multiplier(grid.size());
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (long pos = from; pos < to; pos++) {
            ids.add(grid.config(SweepJob.Interleave.index(pos, mult, grid.size())).runId());
        }
        return ids;
    }

    /** A local output path as a java.nio path, for the tests' file checks. */
    public static Path local(org.apache.hadoop.fs.Path p) {
        return Path.of(p.toUri());
    }

    public static List<Path> local(List<org.apache.hadoop.fs.Path> ps) {
        return ps.stream().map(SweepFixtures::local).toList();
    }

    public static Path writeSpec(Path dir) throws IOException {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, SPEC);
        return spec;
    }

    public static Dataset<Row> table(SparkSession spark, Path sweepDir, String name) {
        if (name.equals(Tables.RUNS)) {
            return TableBuilder.readRuns(spark, sweepDir.resolve(name).toString());
        }
        return spark.read().parquet(sweepDir.resolve(name).toString());
    }

    /** The rows of a table as sorted strings, without the timing columns: equal for equal sweeps. */
    public static List<String> canonicalRows(Dataset<Row> df) {
        String[] keep = Arrays.stream(df.columns()).filter(c -> !Tables.TIMING_COLUMNS.contains(c)).sorted().toArray(String[]::new);
        List<String> out = new ArrayList<>();
        for (Row r : df.select(Arrays.stream(keep).map(Column::new).toArray(Column[]::new)).collectAsList()) {
            out.add(r.toString());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
