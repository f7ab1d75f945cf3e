package org.deqsweep.sweep.store;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.core.train.Status;

/**
 * The rebuild of a small sweep (DESIGN 5.4) as one task: it reads the committed waves with parquet-mr
 * and writes the five tables itself, with the rows, the Parquet schemas and the SQL aggregates of
 * {@link TableBuilder}'s Spark plans ({@code TableBuilderParityTest} holds the two to the same files).
 *
 * <p>Why: below {@link TableBuilder#BYTES_PER_TASK} of staging data the Spark plans run as single
 * tasks anyway, and their cost is the planning, code generation and scheduling of six jobs, several
 * seconds in a fresh JVM for a few hundred rows. This task is one job of one task, so on a cluster an
 * executor still does the reading and writing and nothing per grid point reaches the driver.
 *
 * <p>The task writes the new tables under {@code _rebuild/<uuid>/}, a directory of its attempt's own;
 * the driver then moves them into place one by one ({@link #commit}), so a table is missing only between
 * the removal of the old one and a rename (Spark's overwrite removes it for the whole job; on S3A a
 * rename is a copy). A rebuild that dies leaves {@code _rebuild/}, which readers skip (its name starts
 * with _) and the next rebuild removes first.
 *
 * @param location    the sweep's directory, a qualified URI (escaped: a path may hold spaces, % or #)
 * @param conf        the session's Hadoop settings (what Spark's own writers use)
 * @param varyingKeys the grid's varying config keys
 * @param dedup       keep the first row of a run_id held twice ({@link TableBuilder#mayHoldDuplicates})
 * @param brackets    the refinement's brackets for the stability table (empty: NULL refine columns)
 * @param codec       spark.sql.parquet.compression.codec
 */
record SmallRebuild(String location, SerializableConfiguration conf, List<String> varyingKeys, boolean dedup,
                    List<TableBuilder.RefinedBracket> brackets, String codec) implements Serializable {

    /** Threads that decode the staging files while the task's own thread writes (the driver's cores in local mode). */
    static final int READ_THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());

    /** Where the new tables are written before they replace the old ones. */
    static final String WORK = "_rebuild";

    private static final StructType RUN_DATA = dataColumns(Tables.RUNS_SCHEMA);
    private static final StructType CURVE_DATA = Tables.nullable(Tables.CURVES_SCHEMA);
    private static final StructType FAILURE_DATA = failureColumns();

    /**
     * What one attempt of the task wrote: the new tables under {@code work} (a directory of its own below
     * {@link #WORK}), and the runs per status with a count above zero.
     */
    static final class Written implements Serializable {
        // a class, not a record: it is a task's result, which Spark's Kryo (FieldSerializer) cannot write as a record
        private final String work;
        private final TreeMap<String, Long> totals;

        Written(String work, Map<String, Long> totals) {
            this.work = work;
            this.totals = new TreeMap<>(totals);
        }

        String work() {
            return work;
        }

        Map<String, Long> totals() {
            return totals;
        }
    }

    /**
     * Writes the new tables under a directory of this attempt's own (a retried or lingering attempt
     * cannot touch another's); {@link #commit} moves them into place, on the driver.
     */
    Written run() {
        Configuration c = conf.value();
        OutputDir out = new OutputDir(location, c);
        FileSystem fs = out.fs();
        Path work = new Path(new Path(out.path(), WORK), java.util.UUID.randomUUID().toString());
        CompressionCodecName cc = ParquetRows.codec(codec);
        List<String> groupKeys = TableBuilder.summaryKeys(varyingKeys);
        Map<List<Object>, Group> groups = new HashMap<>();

        Path runsDir = new Path(work, Tables.RUNS);
        Map<List<Object>, ParquetWriter<Object[]>> runWriters = new LinkedHashMap<>();
        int[] runCols = indexes(Tables.STAGING_SCHEMA, RUN_DATA);
        int[] failureCols = indexes(Tables.STAGING_SCHEMA, FAILURE_DATA);
        int[] partCols = indexes(Tables.STAGING_SCHEMA, Tables.RUNS_PARTITIONS);
        int[] keyCols = indexes(Tables.STAGING_SCHEMA, groupKeys);
        int runId = Tables.STAGING_SCHEMA.fieldIndex(Columns.RUN_ID);
        int status = Tables.STAGING_SCHEMA.fieldIndex(ResultFields.STATUS);
        int curve = Tables.STAGING_SCHEMA.fieldIndex(Columns.CURVE);
        Set<String> failures = new HashSet<>(Tables.failureStatuses());
        Set<String> seen = new HashSet<>();
        // the runs partitions' writers close with the others, also when a read fails
        try (Closer closer = new Closer(runWriters.values());
             ParquetWriter<Object[]> curves = ParquetRows.writer(c, new Path(work, Tables.CURVES), 0, CURVE_DATA, cc);
             ParquetWriter<Object[]> failed = ParquetRows.writer(c, new Path(work, Tables.FAILURES), 0, FAILURE_DATA, cc)) {
            Object[] point = new Object[CURVE_DATA.size()];
            List<Path> files = new ArrayList<>();
            for (Path wave : out.committedWaves()) {
                files.addAll(ParquetRows.dataFiles(fs, wave));
            }
            ParquetRows.readInOrder(c, files, Tables.STAGING_SCHEMA, READ_THREADS, row -> {
                if (dedup && !seen.add((String) row[runId])) {
                    return;
                }
                // what the plans' failures and summary see, as they read the runs table back: an empty partition
                // value is written as Hive's default partition, which reads back as NULL
                for (int i : partCols) {
                    if ("".equals(row[i]) || ExternalCatalogUtils.DEFAULT_PARTITION_NAME().equals(row[i])) {
                        row[i] = null;
                    }
                }
                List<Object> part = pick(row, partCols);
                write(runWriters.computeIfAbsent(part, p -> ParquetRows.writer(c, partitionDir(runsDir, p), 0, RUN_DATA, cc)),
                        select(row, runCols));
                @SuppressWarnings("unchecked")
                List<Object[]> points = (List<Object[]>) row[curve];
                for (Object[] p : points == null ? List.<Object[]>of() : points) {
                    point[0] = row[runId];
                    System.arraycopy(p, 0, point, 1, p.length);
                    write(curves, point);
                }
                if (failures.contains(row[status])) {
                    write(failed, select(row, failureCols));
                }
                groups.computeIfAbsent(normalized(pick(row, keyCols)), k -> new Group()).add(row);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the tables under " + OutputDir.show(work), e);
        }

        List<List<Object>> keys = new ArrayList<>(groups.keySet());
        keys.sort(KEY_ORDER);
        List<Object[]> summary = new ArrayList<>();
        for (List<Object> k : keys) {
            summary.add(groups.get(k).row(k));
        }
        writeAll(c, new Path(work, Tables.SUMMARY), summarySchema(groupKeys), summary, cc);
        List<String> stabilityKeys = groupKeys.stream().filter(k -> !k.equals(Columns.STEP_SIZE)).toList();
        writeAll(c, new Path(work, Tables.STABILITY), stabilitySchema(stabilityKeys),
                stability(summary, groupKeys, stabilityKeys, brackets), cc);

        for (String t : Tables.ALL) {
            ParquetRows.mark(fs, new Path(work, t));
        }

        Map<String, Long> totals = new TreeMap<>();
        for (Group g : groups.values()) {
            for (Status s : Status.values()) {
                if (g.byStatus[s.ordinal()] > 0) {
                    totals.merge(s.name(), g.byStatus[s.ordinal()], Long::sum);
                }
            }
        }
        return new Written(work.toUri().toString(), totals);
    }

    /**
     * On the driver, which holds the sweep's lock: replaces each table by the one the task wrote under
     * {@code written.work()}, then removes {@link #WORK}. A target still there after its removal is an
     * error (a rename onto a directory would move the table into it).
     */
    static void commit(OutputDir out, Written written) {
        Path work = new Path(java.net.URI.create(written.work()));
        for (String t : Tables.ALL) {
            Path target = out.table(t);
            out.delete(target);
            if (out.exists(target)) {
                throw new UncheckedIOException(new IOException(OutputDir.show(target) + " is still there after its removal"));
            }
            ParquetRows.move(out.fs(), new Path(work, t), target);
        }
        out.delete(new Path(out.path(), WORK));
    }

    /** Closes every writer of a map filled while it is open; a failing close does not leave the others open. */
    private record Closer(java.util.Collection<ParquetWriter<Object[]>> writers) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            IOException first = null;
            for (ParquetWriter<Object[]> w : writers) {
                try {
                    w.close();
                } catch (IOException | RuntimeException e) {
                    IOException io = e instanceof IOException x ? x : new IOException(e);
                    if (first == null) {
                        first = io;
                    } else {
                        first.addSuppressed(io);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    // ---- schemas: what Spark's plans in TableBuilder write

    /** A table's data columns as Spark writes them from a file source: every field nullable, partitions left out. */
    private static StructType dataColumns(StructType table) {
        return new StructType(Arrays.stream(Tables.nullable(table).fields()).filter(f -> !Tables.RUNS_PARTITIONS.contains(f.name()))
                .toArray(StructField[]::new));
    }

    private static StructType failureColumns() {
        StructType runs = Tables.nullable(Tables.RUNS_SCHEMA);
        List<String> names = new ArrayList<>();
        names.add(Columns.RUN_ID);
        names.addAll(Tables.configColumns());
        names.addAll(Tables.FAILURE_COLUMNS);
        return new StructType(names.stream().map(n -> runs.fields()[runs.fieldIndex(n)]).toArray(StructField[]::new));
    }

    private static List<StructField> keyFields(List<String> keys) {
        return Tables.configFields().stream().filter(f -> keys.contains(f.name())).toList();
    }

    /** The schema of {@link TableBuilder#summarySql}: count(*) and count_if are never NULL, the rest may be. */
    static StructType summarySchema(List<String> keys) {
        List<StructField> f = new ArrayList<>(keyFields(keys));
        f.add(DataTypes.createStructField("runs", DataTypes.LongType, false));
        for (String d : List.of("converged_fraction", "rate_p10", "rate_p50", "rate_p90", "median_steps", "median_loss_final",
                "median_step_theory")) {
            f.add(DataTypes.createStructField(d, DataTypes.DoubleType, true));
        }
        for (Status s : Status.values()) {
            f.add(DataTypes.createStructField(TableBuilder.statusColumn(s), DataTypes.LongType, false));
        }
        return new StructType(f.toArray(StructField[]::new));
    }

    /** The schema of {@link TableBuilder#stabilitySql} with the refine columns. */
    static StructType stabilitySchema(List<String> keys) {
        List<StructField> f = new ArrayList<>(keyFields(keys));
        f.add(DataTypes.createStructField("step_sizes", DataTypes.LongType, false));
        f.add(DataTypes.createStructField("runs", DataTypes.LongType, true));
        for (String d : List.of("max_all_converged_step_size", "min_any_diverged_step_size", "min_any_failed_step_size", "step_theory")) {
            f.add(DataTypes.createStructField(d, DataTypes.DoubleType, true));
        }
        f.addAll(Arrays.asList(TableBuilder.REFINE_COLUMNS.fields()));
        return new StructType(f.toArray(StructField[]::new));
    }

    // ---- the aggregates

    /** One summary group: its counts, and the values its percentiles are taken over. */
    private static final class Group {
        private static final int RATE = Tables.STAGING_SCHEMA.fieldIndex(ResultFields.RATE);
        private static final int STEPS = Tables.STAGING_SCHEMA.fieldIndex(ResultFields.STEPS);
        private static final int LOSS = Tables.STAGING_SCHEMA.fieldIndex(ResultFields.LOSS_FINAL);
        private static final int THEORY = Tables.STAGING_SCHEMA.fieldIndex(ResultFields.STEP_THEORY);
        private static final int STATUS = Tables.STAGING_SCHEMA.fieldIndex(ResultFields.STATUS);
        private static final Map<Object, Status> BY_NAME = new HashMap<>();

        static {
            for (Status s : Status.values()) {
                BY_NAME.put(s.name(), s);
            }
        }

        final long[] byStatus = new long[Status.values().length];
        long runs;
        final Values rates = new Values();
        final Values steps = new Values();
        final Values losses = new Values();
        final Values theory = new Values();

        void add(Object[] row) {
            runs++;
            Object st = row[STATUS];
            boolean converged = Status.CONVERGED.name().equals(st);
            Status s = BY_NAME.get(st);
            if (s != null) {
                byStatus[s.ordinal()]++;
            }
            if (converged) {
                rates.add(row[RATE]);
            }
            steps.add(row[STEPS]);
            losses.add(row[LOSS]);
            theory.add(row[THEORY]);
        }

        Object[] row(List<Object> keys) {
            List<Object> v = new ArrayList<>(keys);
            v.add(runs);
            v.add((double) byStatus[Status.CONVERGED.ordinal()] / runs);
            v.add(rates.percentile(0.1));
            v.add(rates.percentile(0.5));
            v.add(rates.percentile(0.9));
            v.add(steps.percentile(0.5));
            v.add(losses.percentile(0.5));
            v.add(theory.percentile(0.5));
            for (long n : byStatus) {
                v.add(n);
            }
            return v.toArray();
        }
    }

    /** The stability rows: the summary's groups without step_size, each with its bracket (left join, null-safe). */
    private static List<Object[]> stability(List<Object[]> summary, List<String> groupKeys, List<String> keys,
                                            List<TableBuilder.RefinedBracket> brackets) {
        StructType s = summarySchema(groupKeys);
        int stepSize = s.fieldIndex(Columns.STEP_SIZE);
        int runs = s.fieldIndex("runs");
        int theory = s.fieldIndex("median_step_theory");
        int[] n = Arrays.stream(new Status[] {Status.CONVERGED, Status.MAX_STEPS, Status.DIVERGED, Status.NAN})
                .mapToInt(st -> s.fieldIndex(TableBuilder.statusColumn(st))).toArray();
        int[] keyCols = keys.stream().mapToInt(s::fieldIndex).toArray();
        Map<List<Object>, List<Object[]>> byKey = new HashMap<>();
        for (Object[] row : summary) {
            byKey.computeIfAbsent(pick(row, keyCols), k -> new ArrayList<>()).add(row);
        }
        List<List<Object>> order = new ArrayList<>(byKey.keySet());
        order.sort(KEY_ORDER);
        List<Object[]> out = new ArrayList<>();
        for (List<Object> k : order) {
            List<Object[]> rows = byKey.get(k);
            long total = 0;
            Double maxAllConverged = null;
            Double minDiverged = null;
            Double minFailed = null;
            Values theories = new Values();
            for (Object[] r : rows) {
                long rr = (Long) r[runs];
                long conv = (Long) r[n[0]];
                total += rr;
                Double step = (Double) r[stepSize];
                if (conv == rr) {
                    maxAllConverged = extreme(maxAllConverged, step, 1);
                }
                if ((Long) r[n[2]] + (Long) r[n[3]] > 0) {
                    minDiverged = extreme(minDiverged, step, -1);
                }
                if (conv + (Long) r[n[1]] < rr) {
                    minFailed = extreme(minFailed, step, -1);
                }
                theories.add(r[theory]);
            }
            List<Object> base = new ArrayList<>(k);
            base.addAll(Arrays.asList((long) rows.size(), total, maxAllConverged, minDiverged, minFailed, theories.percentile(0.5)));
            boolean matched = false;
            for (TableBuilder.RefinedBracket b : brackets) {
                List<Object> bk = keys.stream().map(name -> b.config().get(name)).toList();
                if (KEY_ORDER.compare(normalized(bk), k) == 0) {
                    List<Object> v = new ArrayList<>(base);
                    v.addAll(Arrays.asList(b.lower(), b.upper(), b.relativeWidth(), b.rounds(), b.runs(), b.state(), b.reason()));
                    out.add(v.toArray());
                    matched = true;
                }
            }
            if (!matched) {
                List<Object> v = new ArrayList<>(base);
                v.addAll(Arrays.asList(new Object[TableBuilder.REFINE_COLUMNS.size()]));
                out.add(v.toArray());
            }
        }
        return out;
    }

    /** SQL's max (sign 1) or min (-1) of a nullable double: NULLs ignored, NaN the largest value. */
    private static Double extreme(Double acc, Double x, int sign) {
        if (x == null) {
            return acc;
        }
        return acc == null || sign * compareDoubles(x, acc) > 0 ? x : acc;
    }

    /**
     * The non-NULL values of one column of a group, and SQL's exact {@code percentile} of them: sorted,
     * the position p (n - 1) interpolated linearly between its two neighbours, the neighbour itself
     * when they are equal (Spark's Percentile.getPercentile, so two infinities give an infinity). NULL
     * when there is no value.
     */
    static final class Values {
        private double[] v = new double[8];
        private int n;
        private boolean sorted;

        void add(Object x) {
            if (x == null) {
                return;
            }
            if (n == v.length) {
                v = Arrays.copyOf(v, 2 * n);
            }
            v[n++] = ((Number) x).doubleValue();
            sorted = false;
        }

        Double percentile(double p) {
            if (n == 0) {
                return null;
            }
            if (!sorted) { // once for the three rate percentiles
                Arrays.sort(v, 0, n);
                sorted = true;
            }
            double[] s = v;
            double position = (n - 1) * p;
            long lower = (long) Math.floor(position);
            long higher = (long) Math.ceil(position);
            double lo = s[(int) lower];
            if (higher == lower) {
                return lo;
            }
            double hi = s[(int) higher];
            if (hi == lo) {
                return lo;
            }
            return (higher - position) * lo + (position - lower) * hi;
        }
    }

    /** SQL's order of doubles: -0.0 equals 0.0, NaN equals NaN and is above every other value. */
    private static int compareDoubles(double x, double y) {
        return x == y ? 0 : Double.compare(x, y);
    }

    /** SQL's ascending order of group keys: NULL first, then by value (strings by code point, as UTF-8 bytes order). */
    static final Comparator<List<Object>> KEY_ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int c = compareValues(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private static int compareValues(Object x, Object y) {
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : -1) : 1;
        }
        if (x instanceof Double dx) {
            return compareDoubles(dx, (Double) y);
        }
        if (x instanceof String sx) {
            return Arrays.compare(sx.codePoints().toArray(), ((String) y).codePoints().toArray());
        }
        @SuppressWarnings("unchecked")
        Comparable<Object> cx = (Comparable<Object>) x;
        return cx.compareTo(y);
    }

    /** A group key as SQL groups it: -0.0 is 0.0 (Spark normalises floating keys). */
    private static List<Object> normalized(List<Object> key) {
        List<Object> out = new ArrayList<>(key.size());
        for (Object x : key) {
            out.add(x instanceof Double d && d == 0.0 ? (Object) 0.0 : x);
        }
        return out;
    }

    // ---- files

    private static int[] indexes(StructType from, StructType to) {
        return indexes(from, Arrays.asList(to.fieldNames()));
    }

    private static int[] indexes(StructType from, List<String> names) {
        return names.stream().mapToInt(from::fieldIndex).toArray();
    }

    private static List<Object> pick(Object[] row, int[] cols) {
        List<Object> out = new ArrayList<>(cols.length);
        for (int c : cols) {
            out.add(row[c]);
        }
        return out;
    }

    private static Object[] select(Object[] row, int[] cols) {
        Object[] out = new Object[cols.length];
        for (int i = 0; i < cols.length; i++) {
            out[i] = row[cols[i]];
        }
        return out;
    }

    /** The runs partition directory of (family, activation), named as Spark names it (escaped; NULL as Hive's default). */
    private static Path partitionDir(Path table, List<Object> values) {
        Path p = table;
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            String s = v == null ? ExternalCatalogUtils.DEFAULT_PARTITION_NAME()
                    : ExternalCatalogUtils.escapePathName(v.toString());
            p = new Path(p, ExternalCatalogUtils.escapePathName(Tables.RUNS_PARTITIONS.get(i)) + "=" + s);
        }
        return p;
    }

    private static void write(ParquetWriter<Object[]> w, Object[] row) {
        try {
            w.write(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeAll(Configuration c, Path dir, StructType schema, List<Object[]> rows, CompressionCodecName cc) {
        try (ParquetWriter<Object[]> w = ParquetRows.writer(c, dir, 0, schema, cc)) {
            for (Object[] r : rows) {
                w.write(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + OutputDir.show(dir), e);
        }
    }
}
