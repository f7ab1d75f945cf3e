package org.deqsweep.sweep.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.deqsweep.sweep.spec.SpecParser;
import org.junit.jupiter.api.Test;

/**
 * The two rebuilds write the same tables: {@link TableBuilder#rebuildWithPlans} (Spark SQL, for large
 * sweeps) and {@link TableBuilder#rebuildInOneTask} ({@link SmallRebuild}, parquet-mr in one task). Same
 * directories and partition names, the same Parquet schema and Spark schema in every file's footer, the
 * same rows (summary and stability in the same order), the same status totals; doubles compared by
 * their exact decimal form.
 */
class TableBuilderParityTest extends SparkTestBase {

    @Test
    void theReferenceSweepWithARepeatedWaveAndABracket() throws IOException {
        // a path that a URI must escape, as a user's may be
        Path plans = tmp.resolve("plans a b#%");
        SweepFixtures.copyTree(SweepFixtures.referenceSweep().resolve("out"), plans);
        OutputDir a = new OutputDir(plans.resolve("tiny"));
        // a second attempt that committed the first wave again: the dedup keeps one row per run_id
        SweepFixtures.copyTree(SweepFixtures.local(a.committedWaves().get(0)), SweepFixtures.local(a.wave(2, 0)));
        Path task = tmp.resolve("task a b#%");
        SweepFixtures.copyTree(plans, task);
        OutputDir b = new OutputDir(task.resolve("tiny"));
        // what a killed rebuild leaves: removed first
        Files.createDirectories(task.resolve("tiny").resolve(SmallRebuild.WORK).resolve("dead").resolve(Tables.RUNS));
        List<String> varying = SpecParser.parse(SweepFixtures.SPEC, "tiny.yaml", List.of()).varyingKeys();
        Map<String, Object> group = new HashMap<>(Map.of("family", "general_deq", "d", 2, "width", 4, "activation", "tanh"));
        List<TableBuilder.RefinedBracket> brackets = List.of(new TableBuilder.RefinedBracket(Map.of("d", 2, "activation", "tanh"), group,
                0.3, 20.0, 1.2, 3, 12, "ROUND_LIMIT", "undecided values inside the bracket: [1.0]"));

        assertBothWritesAgree(a, b, varying, true, brackets);
        assertEquals(SweepFixtures.POINTS, SweepFixtures.table(spark(), SweepFixtures.local(b.path()), Tables.RUNS).count());
    }

    /**
     * Hand-made staging rows at the corners of the SQL: NULL and escaped partition values, NULL keys, -0.0
     * beside 0.0, infinite losses, a converged run without a rate, groups with no converged run, every
     * status, curves empty and not, and a run_id held by two waves.
     */
    @Test
    void stagingRowsAtTheCornersOfTheSql() throws IOException {
        List<Row> rows = new ArrayList<>();
        int id = 0;
        double inf = Double.POSITIVE_INFINITY;
        for (Status s : Status.values()) {
            rows.add(row("r" + id++, "general_deq", "tanh", 2, 0.1, s.name(), 0.9, 10L + id, 1e-3 * id, 0.5, 2));
        }
        rows.add(row("r" + id++, "general_deq", "tanh", 2, 0.1, "CONVERGED", null, 7L, 1e-4, 0.5, 0));
        rows.add(row("r" + id++, "general_deq", "tanh", 2, 0.1, "CONVERGED", 0.9, 7L, 1e-4, 0.25, 1));
        for (int i = 0; i < 3; i++) { // ties: (1 - f) v + f v is not v for v = 0.1, f = 0.2; SQL gives v
            rows.add(row("r" + id++, "general_deq", "gelu", 2, 0.1, "CONVERGED", 0.1, 7L, 0.1, 0.1, 0));
        }
        rows.add(row("r" + id++, "general_deq", "tanh", 2, 1.0, "DIVERGED", null, 5L, inf, 0.5, 1));
        rows.add(row("r" + id++, "general_deq", "tanh", 2, 1.0, "DIVERGED", null, 6L, inf, 0.5, 0));
        rows.add(row("r" + id++, "general_deq", "tanh", 2, 1.0, "MAX_STEPS", null, 60L, 3.0, 0.5, 3));
        rows.add(row("r" + id++, "general_deq", "tanh", 2, -0.0, "CONVERGED", 0.5, 9L, 1e-5, null, 1));
        rows.add(row("r" + id++, "general_deq", "tanh", 2, 0.0, "CONVERGED", 0.7, 8L, 2e-5, null, 1));
        rows.add(row("r" + id++, "general_deq", null, null, 0.1, "INVALID", null, 0L, null, null, 0));
        rows.add(row("r" + id++, null, null, 3, null, "INVALID", null, 0L, null, null, 0));
        rows.add(row("r" + id++, "general_deq", "a b/c=d%é", 2, 0.1, "CONVERGED", 0.8, 12L, 1e-6, 0.5, 2));
        rows.add(row("r" + id++, "general_deq", "", 2, 0.1, "NAN", null, 3L, null, 0.5, 0));
        rows.add(row("r" + id++, "linear_deq", "identity", 1, 0.01, "CONVERGED", 0.99, 200L, 1e-20, 1.9, 4));
        rows.add(row("r" + id++, "linear_deq", "identity", 1, 2.5, "DIVERGED", null, 4L, inf, 1.9, 4));

        Path plans = tmp.resolve("plans");
        OutputDir a = new OutputDir(plans);
        write(rows.subList(0, rows.size() - 3), a.wave(1, 0));
        write(rows.subList(rows.size() - 4, rows.size()), a.wave(1, 1)); // the 4th-last row is in both waves
        Path task = tmp.resolve("task");
        SweepFixtures.copyTree(plans, task);
        OutputDir b = new OutputDir(task);
        Map<String, Object> nullKeys = new HashMap<>();
        nullKeys.put("family", "general_deq");
        nullKeys.put("d", null);
        nullKeys.put("width", 4);
        nullKeys.put("activation", null);
        List<TableBuilder.RefinedBracket> brackets = List.of(
                new TableBuilder.RefinedBracket(Map.of(), nullKeys, null, null, null, 1, 3, "NO_BRACKET", "no step size passes"),
                new TableBuilder.RefinedBracket(Map.of(), Map.of("family", "linear_deq", "d", 1, "width", 4, "activation", "identity"),
                        0.01, 2.5, 0.9, 2, 6, "TARGET_REACHED", null),
                new TableBuilder.RefinedBracket(Map.of(), Map.of("family", "linear_deq", "d", 7, "width", 4, "activation", "identity"),
                        0.01, 2.5, 0.9, 2, 6, "TARGET_REACHED", null));

        assertBothWritesAgree(a, b, List.of("family", "d", "activation", "step_size", "seed"), true, brackets);
        assertEquals(rows.size(), spark().read().parquet(b.table(Tables.RUNS).toString()).count(), "the repeated run_id once");
        assertTrue(Files.isDirectory(SweepFixtures.local(b.table(Tables.RUNS)).resolve("family=general_deq")
                .resolve("activation=__HIVE_DEFAULT_PARTITION__")));
    }

    @Test
    void noCommittedWaveGivesEmptyTablesWithTheirSchemas() throws IOException {
        OutputDir a = new OutputDir(tmp.resolve("plans"));
        OutputDir b = new OutputDir(tmp.resolve("task"));
        Files.createDirectories(SweepFixtures.local(a.path()));
        Files.createDirectories(SweepFixtures.local(b.path()));
        assertBothWritesAgree(a, b, List.of("d"), false, List.of());
        assertEquals(0, spark().read().parquet(b.table(Tables.SUMMARY).toString()).count());
    }

    private static void assertBothWritesAgree(OutputDir plans, OutputDir task, List<String> varying, boolean dedup,
                                              List<TableBuilder.RefinedBracket> brackets) throws IOException {
        Map<String, Long> byPlans = TableBuilder.rebuildWithPlans(spark(), plans, varying, dedup, brackets);
        Map<String, Long> byTask = TableBuilder.rebuildInOneTask(spark(), task, varying, dedup, brackets);
        assertEquals(byPlans, byTask, "status totals");
        assertFalse(Files.exists(SweepFixtures.local(task.path()).resolve(SmallRebuild.WORK)), "the work directory is removed");
        for (String t : Tables.ALL) {
            Path pa = SweepFixtures.local(plans.table(t));
            Path pb = SweepFixtures.local(task.table(t));
            assertEquals(layout(pa), layout(pb), t + ": directories and markers");
            assertEquals(footers(pa), footers(pb), t + ": Parquet and Spark schemas of the data files");
            List<String> ra = rows(plans, t);
            List<String> rb = rows(task, t);
            if (t.equals(Tables.SUMMARY) || t.equals(Tables.STABILITY)) {
                assertEquals(ra, rb, t + ": rows in order");
            } else {
                ra.sort(null);
                rb.sort(null);
                assertEquals(ra, rb, t + ": rows");
            }
        }
    }

    private static List<String> rows(OutputDir dir, String table) {
        List<String> out = new ArrayList<>();
        // runs with its schema (an empty runs table has no data file to take one from)
        for (Row r : (table.equals(Tables.RUNS) ? TableBuilder.readRuns(spark(), dir.table(table))
                : spark().read().parquet(dir.table(table).toString())).collectAsList()) {
            out.add(r.toString());
        }
        return out;
    }

    /** The directories below a table and the markers in them (data file names differ between writes). */
    private static List<String> layout(Path table) throws IOException {
        try (Stream<Path> s = Files.walk(table)) {
            return s.filter(p -> Files.isDirectory(p) || p.getFileName().toString().equals(OutputDir.COMMITTED))
                    .map(p -> table.relativize(p).toString()).sorted().toList();
        }
    }

    /** Each directory's distinct (Parquet schema, Spark schema) of its data files. */
    static Map<String, List<String>> footers(Path table) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(table)) {
            for (Path f : s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()),
                        new Configuration()))) {
                    FileMetaData m = r.getFooter().getFileMetaData();
                    String spark = DataType.fromJson(m.getKeyValueMetaData().get(ParquetRows.SPARK_SCHEMA_KEY)).json();
                    List<String> seen = out.computeIfAbsent(table.relativize(f.getParent()).toString(), k -> new ArrayList<>());
                    String both = m.getSchema() + "\n" + spark;
                    if (!seen.contains(both)) {
                        seen.add(both);
                    }
                }
            }
        }
        return out;
    }

    /** A staging row with these values and NULL (or 0 steps) elsewhere; {@code points} curve points. */
    static Row row(String runId, String family, String activation, Integer d, Double step, String status, Double rate,
                           long steps, Double loss, Double theory, int points) {
        Map<String, Object> v = new HashMap<>();
        v.put(Columns.RUN_ID, runId);
        v.put("family", family);
        v.put("activation", activation);
        v.put("d", d);
        v.put("width", 4);
        v.put("step_size", step);
        v.put("seed", 1L);
        v.put("status", status);
        v.put("rate", rate);
        v.put("steps", steps);
        v.put("loss_final", loss);
        v.put("step_theory", theory);
        v.put("failure_reason", status.equals("CONVERGED") ? null : "because " + runId);
        List<Row> curve = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            Object[] p = new Object[Tables.CURVE_POINT.size()];
            for (int k = 0; k < p.length; k++) {
                DataType t = Tables.CURVE_POINT.fields()[k].dataType();
                p[k] = t.equals(org.apache.spark.sql.types.DataTypes.DoubleType) ? (Object) (0.5 / (i + 1) + k)
                        : t.equals(org.apache.spark.sql.types.DataTypes.LongType) ? (Object) (long) (i * 10 + k) : (Object) (i * 10 + k);
            }
            curve.add(RowFactory.create(p));
        }
        v.put(Columns.CURVE, scala.jdk.javaapi.CollectionConverters.asScala(curve).toSeq());
        Object[] out = new Object[Tables.STAGING_SCHEMA.size()];
        for (int i = 0; i < out.length; i++) {
            StructField f = Tables.STAGING_SCHEMA.fields()[i];
            Object x = v.get(f.name());
            if (x instanceof Integer n && f.dataType().equals(org.apache.spark.sql.types.DataTypes.LongType)) {
                x = n.longValue();
            } else if (x instanceof Long n && f.dataType().equals(org.apache.spark.sql.types.DataTypes.IntegerType)) {
                x = n.intValue();
            }
            out[i] = x;
        }
        return RowFactory.create(out);
    }

    /** Commits rows as a wave, as a sweep's wave job does: Spark's Parquet files and the marker. */
    private static void write(List<Row> rows, org.apache.hadoop.fs.Path wave) {
        spark().createDataFrame(rows, Tables.STAGING_SCHEMA).coalesce(2).write().mode(SaveMode.ErrorIfExists).parquet(wave.toString());
    }
}
