package org.deqsweep.sweep.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.core.config.ConfigSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.refine.Bracket;
import org.deqsweep.sweep.refine.Refinement;

/**
 * Builds the five tables from the committed waves (DESIGN 5). Nothing here trains: runs and curves
 * come from the staging rows that were written, failures from the runs table, summary from runs,
 * stability from summary. Every write overwrites the whole table, so a rebuild after a resume leaves
 * each run_id exactly once.
 */
public final class TableBuilder {
    /** Summary groups always carry these keys (when present in the schema), besides the varying ones. */
    static final List<String> BASE_GROUP_KEYS = List.of("family", "d", "width", "activation", "step_size");

    private TableBuilder() {
    }

    /** Bytes of committed staging data per output task of the rebuild (Parquet, so a few 10^5 runs). */
    static final long BYTES_PER_TASK = 64L << 20;

    /** The committed staging rows, deduplicated on run_id when {@code dedup}; empty when there are none. */
    private static Dataset<Row> staged(SparkSession spark, OutputDir out, boolean dedup) {
        List<Path> waves = out.committedWaves();
        if (waves.isEmpty()) {
            // nullable, as the staging rows read from files are: the tables then have one schema with or without rows
            return spark.createDataFrame(List.of(), Tables.nullable(Tables.STAGING_SCHEMA));
        }
        String[] paths = waves.stream().map(Path::toString).toArray(String[]::new);
        Dataset<Row> rows = spark.read().schema(Tables.STAGING_SCHEMA).parquet(paths);
        return dedup ? rows.dropDuplicates("run_id") : rows;
    }

    /**
     * The run_ids already in committed waves (for --resume; the driver broadcasts them). One scan of the
     * run_id column; a run_id held twice is one element of the set, so no shuffle deduplicates it first.
     */
    public static Set<String> committedRunIds(SparkSession spark, OutputDir out) {
        List<Path> waves = out.committedWaves();
        if (stagingBytes(spark, waves) <= BYTES_PER_TASK) {
            return new HashSet<>(scanInOneTask(spark, waves, false).keySet());
        }
        Set<String> ids = new HashSet<>();
        for (Row r : staged(spark, out, false).select(Columns.RUN_ID).collectAsList()) {
            ids.add(r.getString(0));
        }
        return ids;
    }

    /**
     * The status of every run in {@code waves}, by run_id (a refinement's rounds replay from them; DESIGN
     * 4.7). One scan of two columns; a run_id held twice has one status, since its run is deterministic.
     */
    public static Map<String, Status> committedStatuses(SparkSession spark, List<Path> waves) {
        Map<String, Status> out = new java.util.HashMap<>();
        if (waves.isEmpty()) {
            return out;
        }
        if (stagingBytes(spark, waves) <= BYTES_PER_TASK) {
            scanInOneTask(spark, waves, true).forEach((id, st) -> out.put(id, Status.valueOf(st)));
            return out;
        }
        String[] paths = waves.stream().map(Path::toString).toArray(String[]::new);
        for (Row r : spark.read().schema(Tables.STAGING_SCHEMA).parquet(paths).select(Columns.RUN_ID, "status").collectAsList()) {
            out.put(r.getString(0), Status.valueOf(r.getString(1)));
        }
        return out;
    }

    /**
     * One group's refined bracket, for the manifest and (of step_size) the stability table's refine columns (DESIGN 5.4).
     *
     * @param keys          the group's values of the varying keys other than the seed and the refined key
     * @param config        a typed config of the group (any of its runs): its stability key columns are the join keys
     * @param lower         the largest passing step size below {@code upper}; null without a bracket
     * @param upper         the smallest failing step size; null without a bracket
     * @param relativeWidth the bracket's relative width on the refine scale; null without a bracket
     * @param rounds        the refinement rounds run after the grid (round 0)
     * @param runs          the runs at refined values
     * @param state         {@link Refinement.State} by name
     * @param reason        why there is no bracket, or what makes it doubtful (not monotone, undecided
     *                      values inside); null when there is nothing to say
     */
    public record RefinedBracket(Map<String, Object> keys, Map<String, Object> config, Double lower, Double upper, Double relativeWidth, int rounds,
                                 long runs, String state, String reason) implements java.io.Serializable {

        public static RefinedBracket of(Map<String, Object> keys, Map<String, Object> config, Refinement.Progress p) {
            Bracket b = p.bracket();
            List<String> notes = new ArrayList<>();
            if (!b.bracketed()) {
                notes.add(b.reason());
            }
            if (b.nonMonotone()) {
                notes.add("not monotone: passes above the smallest failure at " + b.passesAbove());
            }
            if (!b.undecidedInside().isEmpty()) {
                notes.add("undecided values inside the bracket: " + b.undecidedInside());
            }
            return new RefinedBracket(keys, config, b.bracketed() ? b.lower() : null, b.bracketed() ? b.upper() : null,
                    b.bracketed() ? b.relativeWidth() : null, Math.max(0, p.rounds().size() - 1), p.runsSpent(),
                    p.state().name(), notes.isEmpty() ? null : String.join("; ", notes));
        }
    }

    /** The stability table's refine columns, after its own (null for a sweep without a step_size refinement). */
    public static final StructType REFINE_COLUMNS = new StructType()
            .add("refined_lower", DataTypes.DoubleType)
            .add("refined_upper", DataTypes.DoubleType)
            .add("refined_relative_width", DataTypes.DoubleType)
            .add("refine_rounds", DataTypes.IntegerType)
            .add("refine_runs", DataTypes.LongType)
            .add("refine_state", DataTypes.StringType)
            .add("refine_reason", DataTypes.StringType);

    /**
     * Whether the committed waves can hold a run_id twice: only when they come from more than one
     * attempt (a resume skips present run_ids, so this is a second line of defence) or when the grid
     * itself repeats a config ({@link org.deqsweep.sweep.spec.Grid#repeatsPoints}). Otherwise every
     * wave covers its own index range once, and the rebuild skips the run_id shuffle.
     */
    public static boolean mayHoldDuplicates(OutputDir out, boolean gridRepeats) {
        return gridRepeats || out.committedWaves().stream().map(p -> p.getName().substring(0, 4)).distinct().count() > 1;
    }

    /**
     * Rewrites runs, curves, failures, summary and stability from the committed waves.
     *
     * <p>Cost: two scans of the waves (runs, curves), one of runs (failures), one small aggregation
     * each for summary and stability; a shuffle on run_id only when {@code dedup}. The output is cut into
     * one task per {@link #BYTES_PER_TASK} of staging data, so a small sweep writes one file per table
     * (per partition directory for runs) and its aggregations run as single tasks.
     *
     * @param varyingKeys the grid's varying config keys (summary groups by these except seed)
     * @param dedup       drop repeated run_ids (see {@link #mayHoldDuplicates})
     * @return runs per status
     */
    public static Map<String, Long> rebuild(SparkSession spark, OutputDir out, List<String> varyingKeys, boolean dedup) {
        return rebuild(spark, out, varyingKeys, dedup, List.of());
    }

    /** {@link #rebuild} with the refinement's brackets, joined into the stability table (empty: null columns). */
    public static Map<String, Long> rebuild(SparkSession spark, OutputDir out, List<String> varyingKeys, boolean dedup,
                                            List<RefinedBracket> brackets) {
        return stagingBytes(out) <= BYTES_PER_TASK ? rebuildInOneTask(spark, out, varyingKeys, dedup, brackets)
                : rebuildWithPlans(spark, out, varyingKeys, dedup, brackets);
    }

    /**
     * The rebuild as one Spark job of one task ({@link SmallRebuild}): what the plans of
     * {@link #rebuildWithPlans} write, without their planning and code generation. For staging data
     * that those plans would give a single task anyway.
     */
    static Map<String, Long> rebuildInOneTask(SparkSession spark, OutputDir out, List<String> varyingKeys, boolean dedup,
                                              List<RefinedBracket> brackets) {
        out.delete(new Path(out.path(), SmallRebuild.WORK)); // a dead rebuild's
        SmallRebuild task = new SmallRebuild(out.path().toUri().toString(),
                new org.apache.spark.util.SerializableConfiguration(spark.sparkContext().hadoopConfiguration()),
                List.copyOf(varyingKeys), dedup, List.copyOf(brackets), spark.conf().get("spark.sql.parquet.compression.codec", "snappy"));
        SmallRebuild.Written written = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(0), 1).map(i -> task.run()).collect().get(0);
        SmallRebuild.commit(out, written);
        return written.totals();
    }

    /** The rebuild as Spark SQL plans, whose output tasks grow with the staging data (see {@link #outputTasks}). */
    static Map<String, Long> rebuildWithPlans(SparkSession spark, OutputDir out, List<String> varyingKeys, boolean dedup,
                                              List<RefinedBracket> brackets) {
        int tasks = outputTasks(out, spark.sparkContext().defaultParallelism());
        // the rebuild's shuffles are small and its partitions chosen here: adaptive execution would only split
        // each aggregation into one job per stage, each planned and scheduled on its own
        Map<String, String> settings = Map.of("spark.sql.shuffle.partitions", Integer.toString(tasks),
                "spark.sql.adaptive.enabled", "false");
        Map<String, String> before = new TreeMap<>();
        settings.forEach((k, v) -> {
            before.put(k, spark.conf().get(k));
            spark.conf().set(k, v);
        });
        try {
            return rebuildWith(spark, out, varyingKeys, dedup, tasks, brackets);
        } finally {
            before.forEach((k, v) -> spark.conf().set(k, v));
        }
    }

    private static Map<String, Long> rebuildWith(SparkSession spark, OutputDir out, List<String> varyingKeys, boolean dedup,
                                                 int tasks, List<RefinedBracket> brackets) {
        Dataset<Row> staged = staged(spark, out, dedup);
        Column[] runCols = Arrays.stream(Tables.RUNS_SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
        // one file per (family, activation) directory and output task; no shuffle unless deduplicating
        Dataset<Row> runsOut = staged.select(runCols);
        runsOut = dedup ? runsOut.repartition(tasks, col("family"), col("activation")) : runsOut.coalesce(tasks);
        runsOut.write().mode(SaveMode.Overwrite)
                .partitionBy(Tables.RUNS_PARTITIONS.toArray(String[]::new))
                .parquet(out.table(Tables.RUNS).toString());
        staged.select(col("run_id"), explode(col("curve")).as("p")).select(col("run_id"), col("p.*")).coalesce(tasks)
                .write().mode(SaveMode.Overwrite).parquet(out.table(Tables.CURVES).toString());

        Dataset<Row> runs = readRuns(spark, out.table(Tables.RUNS));
        List<String> failureCols = new ArrayList<>();
        failureCols.add("run_id");
        failureCols.addAll(Tables.configColumns());
        failureCols.addAll(Tables.FAILURE_COLUMNS);
        runs.filter(col("status").isin(Tables.failureStatuses().toArray()))
                .select(failureCols.stream().map(c -> col(c)).toArray(Column[]::new)).coalesce(tasks)
                .write().mode(SaveMode.Overwrite).parquet(out.table(Tables.FAILURES).toString());

        // summary once, cached: its rows are few (one per group), and stability and the status totals read them
        List<String> groupKeys = summaryKeys(varyingKeys);
        runs.createOrReplaceTempView("deq_sweep_runs");
        Dataset<Row> summary = spark.sql(summarySql(groupKeys, "deq_sweep_runs")).cache();
        try {
            summary.write().mode(SaveMode.Overwrite).parquet(out.table(Tables.SUMMARY).toString());
            summary.createOrReplaceTempView("deq_sweep_summary");
            List<String> stabilityKeys = groupKeys.stream().filter(k -> !k.equals("step_size")).toList();
            withBrackets(spark, spark.sql(stabilitySql(stabilityKeys, "deq_sweep_summary")), stabilityKeys, brackets)
                    .write().mode(SaveMode.Overwrite).parquet(out.table(Tables.STABILITY).toString());
            return statusTotals(summary);
        } finally {
            spark.catalog().dropTempView("deq_sweep_runs");
            spark.catalog().dropTempView("deq_sweep_summary");
            summary.unpersist(false);
        }
    }

    /**
     * The stability rows with the refine columns: a left join on the stability keys (null-safe, as a key
     * may be NULL) with one row per refined group, or NULL columns when there is none.
     */
    static Dataset<Row> withBrackets(SparkSession spark, Dataset<Row> stability, List<String> keys, List<RefinedBracket> brackets) {
        if (brackets.isEmpty()) {
            Dataset<Row> s = stability;
            for (StructField f : REFINE_COLUMNS.fields()) {
                s = s.withColumn(f.name(), org.apache.spark.sql.functions.lit(null).cast(f.dataType()));
            }
            return s;
        }
        StructType keySchema = new StructType(Tables.configFields().stream().filter(f -> keys.contains(f.name()))
                .toArray(StructField[]::new));
        StructType schema = keySchema;
        for (StructField f : REFINE_COLUMNS.fields()) {
            schema = schema.add(f);
        }
        List<Row> rows = new ArrayList<>();
        for (RefinedBracket b : brackets) {
            List<Object> v = new ArrayList<>();
            for (StructField f : keySchema.fields()) {
                v.add(b.config().get(f.name()));
            }
            v.addAll(Arrays.asList(b.lower(), b.upper(), b.relativeWidth(), b.rounds(), b.runs(), b.state(), b.reason()));
            rows.add(org.apache.spark.sql.RowFactory.create(v.toArray()));
        }
        Dataset<Row> refined = spark.createDataFrame(rows, schema).as("r");
        Column on = org.apache.spark.sql.functions.lit(true);
        for (StructField f : keySchema.fields()) {
            on = on.and(stability.col(f.name()).eqNullSafe(refined.col(f.name())));
        }
        List<Column> cols = new ArrayList<>();
        for (String c : stability.columns()) {
            cols.add(stability.col(c));
        }
        for (StructField f : REFINE_COLUMNS.fields()) {
            cols.add(refined.col(f.name()));
        }
        return stability.join(refined, on, "left").select(cols.toArray(Column[]::new)).orderBy(keys.stream().map(c -> col(c)).toArray(Column[]::new));
    }

    /** Runs per status, summed over the summary's groups (statuses with no run left out). */
    private static Map<String, Long> statusTotals(Dataset<Row> summary) {
        List<Column> sums = new ArrayList<>();
        for (Status st : Status.values()) {
            sums.add(org.apache.spark.sql.functions.sum(statusColumn(st)));
        }
        Row totals = summary.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
        Map<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < Status.values().length; i++) {
            long c = totals.isNullAt(i) ? 0 : totals.getLong(i);
            if (c > 0) {
                counts.put(Status.values()[i].name(), c);
            }
        }
        return counts;
    }

    /** Output tasks of the rebuild: one per {@link #BYTES_PER_TASK} of committed staging data, at most {@code cores}. */
    static int outputTasks(OutputDir out, int cores) {
        long bytes = stagingBytes(out);
        return (int) Math.max(1, Math.min(Math.max(1, cores), (bytes + BYTES_PER_TASK - 1) / BYTES_PER_TASK));
    }

    /** Bytes of the committed waves. */
    static long stagingBytes(OutputDir out) {
        return stagingBytes(out.fs().getConf(), out.committedWaves());
    }

    private static long stagingBytes(SparkSession spark, List<Path> waves) {
        return stagingBytes(spark.sparkContext().hadoopConfiguration(), waves);
    }

    /** The waves' data files only: not a lingering task attempt's file in a wave's _attempts/ (WaveFiles). */
    private static long stagingBytes(org.apache.hadoop.conf.Configuration conf, List<Path> waves) {
        long bytes = 0;
        for (Path w : waves) {
            try {
                for (org.apache.hadoop.fs.FileStatus f : ParquetRows.dataFileStatuses(w.getFileSystem(conf), w)) {
                    bytes += f.getLen();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return bytes;
    }

    /** {@link WaveScan} as one Spark job of one task: run_id to status (null unless {@code withStatuses}). */
    private static Map<String, String> scanInOneTask(SparkSession spark, List<Path> waves, boolean withStatuses) {
        WaveScan scan = new WaveScan(waves.stream().map(p -> p.toUri().toString()).toList(),
                new org.apache.spark.util.SerializableConfiguration(spark.sparkContext().hadoopConfiguration()), withStatuses);
        return org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(0), 1).map(i -> scan.run()).collect().get(0);
    }

    /** The runs table with its declared schema (partition columns typed as declared, not inferred). */
    public static Dataset<Row> readRuns(SparkSession spark, Path runs) {
        return readRuns(spark, runs.toString());
    }

    /** The runs table at {@code location} (a path or URI) with its declared schema. */
    public static Dataset<Row> readRuns(SparkSession spark, String runs) {
        Dataset<Row> df = spark.read().schema(Tables.RUNS_SCHEMA).parquet(runs);
        return df.select(Arrays.stream(Tables.RUNS_SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new));
    }

    /** Summary group keys: the base keys and the varying keys, except seed, in config-schema order. */
    public static List<String> summaryKeys(List<String> varyingKeys) {
        Set<String> wanted = new LinkedHashSet<>(BASE_GROUP_KEYS);
        wanted.addAll(varyingKeys);
        wanted.remove("seed");
        return ConfigSchema.fields().stream().map(ConfigSchema.Field::key).filter(wanted::contains).toList();
    }

    public static String statusColumn(Status s) {
        return "n_" + s.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The summary's SQL over the runs rows in {@code view} (also the server's view of a running sweep). */
    public static String summarySql(List<String> keys, String view) {
        String k = keys.stream().map(Sql::ident).collect(Collectors.joining(", "));
        StringBuilder b = new StringBuilder("SELECT ").append(k).append(",\n")
                .append(" count(*) AS runs,\n")
                .append(" avg(CASE WHEN status = 'CONVERGED' THEN 1.0D ELSE 0.0D END) AS converged_fraction,\n");
        for (String[] q : new String[][] {{"p10", "0.1"}, {"p50", "0.5"}, {"p90", "0.9"}}) {
            b.append(" percentile(CASE WHEN status = 'CONVERGED' THEN rate END, ").append(q[1]).append(") AS rate_").append(q[0]).append(",\n");
        }
        b.append(" percentile(steps, 0.5) AS median_steps,\n");
        b.append(" percentile(loss_final, 0.5) AS median_loss_final,\n");
        b.append(" percentile(step_theory, 0.5) AS median_step_theory,\n");
        for (Status s : Status.values()) {
            b.append(" CAST(count_if(status = '").append(s.name()).append("') AS BIGINT) AS ").append(statusColumn(s)).append(",\n");
        }
        b.setLength(b.length() - 2);
        return b.append("\nFROM ").append(view).append(" GROUP BY ").append(k).append(" ORDER BY ").append(k).toString();
    }

    /** The stability table's own columns, as SQL over the summary rows in {@code view}. */
    public static String stabilitySql(List<String> keys, String view) {
        String k = keys.stream().map(Sql::ident).collect(Collectors.joining(", "));
        return "SELECT " + k + ",\n"
                + " count(*) AS step_sizes,\n"
                + " sum(runs) AS runs,\n"
                + " max(CASE WHEN n_converged = runs THEN step_size END) AS max_all_converged_step_size,\n"
                + " min(CASE WHEN n_diverged + n_nan > 0 THEN step_size END) AS min_any_diverged_step_size,\n"
                + " min(CASE WHEN n_converged + n_max_steps < runs THEN step_size END) AS min_any_failed_step_size,\n"
                // the theory side: GD stops contracting the top curvature mode above 2 / mu_max (mu_max of 2cH at
                // init; runs differing only in step size share their init, so this is one number per group)
                + " percentile(median_step_theory, 0.5) AS step_theory\n"
                + "FROM " + view + " GROUP BY " + k + " ORDER BY " + k;
    }

}
