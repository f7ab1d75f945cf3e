package org.deqsweep.sweep.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.train.CurvePoint;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.Status;

/**
 * The output schemas, declared once, and the one mapping from a {@link RunResult} to a row (DESIGN 5).
 * Config columns come from {@link ConfigSchema#fields()} with the spec's key names; result columns and
 * curve columns are the lists {@link #RESULT} and {@link #CURVE}: a new RunResult field is one line there.
 * NaN (not applicable) is written as SQL NULL.
 */
public final class Tables {
    public static final String RUNS = "runs";
    public static final String CURVES = "curves";
    public static final String FAILURES = "failures";
    public static final String SUMMARY = "summary";
    public static final String STABILITY = "stability";
    /** Every table, in the order query registers them. */
    public static final List<String> ALL = List.of(RUNS, CURVES, FAILURES, SUMMARY, STABILITY);
    /** The runs table's partition columns. */
    public static final List<String> RUNS_PARTITIONS = List.of(Columns.FAMILY, Columns.ACTIVATION);

    /** One output column computed from a value of type T (static lists, built in each JVM, never shipped). */
    record Col<T>(String name, DataType type, Function<T, Object> get) {
        StructField field() {
            return DataTypes.createStructField(name, type, true);
        }
    }

    /** The run columns after run_id and the config columns: {@link ResultFields#RUN}. */
    static final List<Col<RunResult>> RESULT = ResultFields.RUN.stream().map(Tables::column).toList();

    /** The curves columns after run_id: {@link ResultFields#CURVE}. */
    static final List<Col<CurvePoint>> CURVE = ResultFields.CURVE.stream().map(Tables::column).toList();

    /** The columns the failures table keeps besides run_id and the config columns. */
    public static final List<String> FAILURE_COLUMNS = List.of(ResultFields.STATUS, ResultFields.STEP_AT_FAILURE, ResultFields.LAST_FINITE_LOSS, ResultFields.FAILURE_REASON);

    /** Wall-clock columns: the only ones that may differ between two runs of the same sweep. */
    public static final List<String> TIMING_COLUMNS = List.of(ResultFields.WALL_MS);

    public static final StructType CURVE_POINT = new StructType(CURVE.stream().map(Col::field).toArray(StructField[]::new));

    /** runs: run_id, every config key, the result columns. */
    public static final StructType RUNS_SCHEMA;
    /** A wave's staging table: the runs columns plus the run's curve as array&lt;struct&gt;; written once per wave. */
    public static final StructType STAGING_SCHEMA;
    /** curves: run_id plus the curve columns. */
    public static final StructType CURVES_SCHEMA;

    static {
        List<StructField> runs = new ArrayList<>();
        runs.add(DataTypes.createStructField(Columns.RUN_ID, DataTypes.StringType, false));
        runs.addAll(configFields());
        RESULT.forEach(c -> runs.add(c.field()));
        RUNS_SCHEMA = new StructType(runs.toArray(StructField[]::new));
        List<StructField> staging = new ArrayList<>(runs);
        staging.add(DataTypes.createStructField(Columns.CURVE, DataTypes.createArrayType(CURVE_POINT, false), false));
        STAGING_SCHEMA = new StructType(staging.toArray(StructField[]::new));
        List<StructField> curves = new ArrayList<>();
        curves.add(DataTypes.createStructField(Columns.RUN_ID, DataTypes.StringType, false));
        CURVE.forEach(c -> curves.add(c.field()));
        CURVES_SCHEMA = new StructType(curves.toArray(StructField[]::new));
    }

    private Tables() {
    }

    /** The config columns, typed from {@link ConfigSchema}, in schema order. */
    public static List<StructField> configFields() {
        List<StructField> out = new ArrayList<>();
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            out.add(DataTypes.createStructField(f.key(), sparkType(f.type()), true));
        }
        return out;
    }

    /** Names of the config columns. */
    public static List<String> configColumns() {
        return ConfigSchema.fields().stream().map(ConfigSchema.Field::key).toList();
    }

    static DataType sparkType(ConfigSchema.Type t) {
        switch (t) {
            case INT:
                return DataTypes.IntegerType;
            case LONG:
                return DataTypes.LongType;
            case DOUBLE:
                return DataTypes.DoubleType;
            case STRING:
                return DataTypes.StringType;
            case BOOLEAN:
                return DataTypes.BooleanType;
            default:
                throw new AssertionError(t);
        }
    }

    /**
     * {@code schema} with every field nullable, arrays' elements too: how Spark reads files with a given
     * schema, and so the schema of every table written from the staging rows (DESIGN 5.4).
     */
    public static StructType nullable(StructType schema) {
        return new StructType(java.util.Arrays.stream(schema.fields())
                .map(f -> DataTypes.createStructField(f.name(), nullable(f.dataType()), true, f.metadata())).toArray(StructField[]::new));
    }

    private static DataType nullable(DataType t) {
        if (t instanceof StructType st) {
            return nullable(st);
        }
        if (t instanceof org.apache.spark.sql.types.ArrayType a) {
            return DataTypes.createArrayType(nullable(a.elementType()), true);
        }
        return t;
    }

    /** The statuses the failures table keeps ({@link Status#isFailure()}). */
    public static List<String> failureStatuses() {
        return Arrays.stream(Status.values()).filter(Status::isFailure).map(Status::name).toList();
    }

    /**
     * A staging row as the wave's writer takes it ({@link WaveFiles}): run_id, config values, result columns,
     * curve (empty unless recordCurves) as a list of its points' values.
     */
    public static Object[] stagingRow(String runId, Map<String, Object> config, RunResult r, boolean recordCurves) {
        List<Object> v = new ArrayList<>(STAGING_SCHEMA.size());
        v.add(runId);
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            v.add(config.get(f.key()));
        }
        for (Col<RunResult> c : RESULT) {
            v.add(c.get().apply(r));
        }
        List<Object[]> curve = new ArrayList<>(recordCurves ? r.curve().size() : 0);
        if (recordCurves) {
            for (CurvePoint p : r.curve()) {
                Object[] pv = new Object[CURVE.size()];
                for (int i = 0; i < pv.length; i++) {
                    pv[i] = CURVE.get(i).get().apply(p);
                }
                curve.add(pv);
            }
        }
        v.add(curve);
        return v.toArray();
    }

    /**
     * The staging row of a point that never produced a {@link RunResult} (a config RunConfig refused, or
     * an exception out of the core): status and reason set, steps 0, step_at_failure 0, metrics NULL.
     */
    public static Object[] failedRow(String runId, Map<String, Object> config, Status status, Throwable e, long wallMs) {
        return failedRow(runId, config, status, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                wallMs);
    }

    /** A row for a run that produced no result, with its failure reason. */
    public static Object[] failedRow(String runId, Map<String, Object> config, Status status, String reason, long wallMs) {
        List<Object> v = new ArrayList<>(STAGING_SCHEMA.size());
        v.add(runId);
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            v.add(config.get(f.key()));
        }
        for (Col<RunResult> c : RESULT) {
            switch (c.name()) {
                case ResultFields.STATUS -> v.add(status.name());
                case ResultFields.FAILURE_REASON -> v.add(reason);
                case ResultFields.WALL_MS -> v.add(wallMs);
                case ResultFields.STEPS, ResultFields.STEP_AT_FAILURE, ResultFields.FORWARD_ITERS, ResultFields.BACKWARD_ITERS -> v.add(0L);
                default -> v.add(null);
            }
        }
        v.add(List.of());
        return v.toArray();
    }

    /** The staging row of a run: config from the resolved {@link RunConfig}. */
    public static Object[] stagingRow(RunConfig cfg, RunResult r, boolean recordCurves) {
        return stagingRow(cfg.runId(), cfg.values(), r, recordCurves);
    }

    /**
     * Best-effort typed config values of a grid point that {@link RunConfig#fromMap} refused: each value
     * that coerces to its column type is kept, the rest are NULL.
     */
    public static Map<String, Object> typedOrNull(Map<String, ?> point) {
        Map<String, Object> flat;
        try {
            flat = RunConfig.flatten(point);
        } catch (RuntimeException e) {
            flat = new LinkedHashMap<>(point);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            Object x = flat.get(f.key());
            try {
                out.put(f.key(), x == null ? null : ConfigSchema.coerce(f.key(), f, x));
            } catch (RuntimeException e) {
                out.put(f.key(), null);
            }
        }
        return out;
    }

    /** A table column of a result field; a DOUBLE field's NaN ("not applicable") is SQL NULL. */
    private static <T> Col<T> column(ResultFields.Field<T> f) {
        switch (f.kind()) {
            case STRING:
                return new Col<>(f.name(), DataTypes.StringType, f.get());
            case INT:
                return new Col<>(f.name(), DataTypes.IntegerType, f.get());
            case LONG:
                return new Col<>(f.name(), DataTypes.LongType, f.get());
            case DOUBLE:
                return new Col<>(f.name(), DataTypes.DoubleType, t -> nullIfNaN((Double) f.get().apply(t)));
            default:
                throw new AssertionError(f.kind());
        }
    }

    /** NaN means "not applicable": SQL NULL. */
    static Double nullIfNaN(double x) {
        return Double.isNaN(x) ? null : x;
    }
}
