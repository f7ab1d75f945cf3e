package org.deqsweep.sweep.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.train.CurvePoint;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.Runner;

/**
 * A small sweep written in the layout of DESIGN 5 (runs partitioned by family and activation, curves,
 * {@code _sweep.json}), by training each grid point with {@link Runner} in the test JVM: the report and
 * replay tests do not depend on the Spark sweep job. The column lists mirror the spark branch's
 * {@code Tables} (run_id, every config key, the result columns; NaN as NULL).
 */
public final class FixtureSweep {
    record Col<T>(String name, DataType type, Function<T, Object> get) {
    }

    static final List<Col<RunResult>> RESULT = List.of(
            c("status", DataTypes.StringType, r -> r.status().name()),
            c("steps", DataTypes.LongType, RunResult::steps),
            d("loss_initial", RunResult::lossInitial), d("loss_final", RunResult::lossFinal),
            d("rate", RunResult::rate), d("rate_fit_r2", RunResult::rateFitR2), d("kappa", RunResult::kappa),
            d("rate_theory", RunResult::rateTheory), d("conservation_drift", RunResult::conservationDrift),
            d("distance_growth_min", RunResult::distanceGrowthMin), d("sigma_min_min", RunResult::sigmaMinMin),
            d("sigma_min_max", RunResult::sigmaMinMax), d("contraction_max", RunResult::contractionMax),
            d("lambda_min_cov", RunResult::lambdaMinCov), d("lambda_min_gram_init", RunResult::lambdaMinGramInit),
            d("lambda_min_gram_final", RunResult::lambdaMinGramFinal), d("grad_norm_final", RunResult::gradNormFinal),
            c("forward_iters", DataTypes.LongType, RunResult::forwardIters),
            c("backward_iters", DataTypes.LongType, RunResult::backwardIters),
            c("wall_ms", DataTypes.LongType, RunResult::wallMs),
            c("failure_reason", DataTypes.StringType, RunResult::failureReason),
            c("step_at_failure", DataTypes.LongType, RunResult::stepAtFailure),
            d("last_finite_loss", RunResult::lastFiniteLoss));

    static final List<Col<CurvePoint>> CURVE = List.of(
            c("step", DataTypes.LongType, CurvePoint::step), d("time", CurvePoint::time), d("loss", CurvePoint::loss),
            d("grad_norm", CurvePoint::gradNorm), d("conservation_drift", CurvePoint::conservationDrift),
            d("sigma_min", CurvePoint::sigmaMin), d("contraction", CurvePoint::contraction),
            c("forward_iters", DataTypes.IntegerType, CurvePoint::forwardIters),
            d("forward_residual", CurvePoint::forwardResidual),
            c("backward_iters", DataTypes.IntegerType, CurvePoint::backwardIters), d("param_norm", CurvePoint::paramNorm));

    private FixtureSweep() {
    }

    /** The cartesian product of {@code grid} over {@code fixed}. */
    public static List<Map<String, Object>> grid(Map<String, Object> fixed, Map<String, List<?>> grid) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>(fixed));
        for (Map.Entry<String, List<?>> e : grid.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> m : out) {
                for (Object v : e.getValue()) {
                    Map<String, Object> n = new LinkedHashMap<>(m);
                    n.put(e.getKey(), v);
                    next.add(n);
                }
            }
            out = next;
        }
        return out;
    }

    /**
     * Trains every point and writes runs, curves and _sweep.json under {@code dir}.
     *
     * @param completed whether the manifest says completed (with an end time) or running
     */
    public static void write(SparkSession spark, Path dir, String name, List<Map<String, Object>> points, boolean completed)
            throws IOException {
        List<Row> runs = new ArrayList<>();
        List<Row> curves = new ArrayList<>();
        for (Map<String, Object> p : points) {
            RunConfig cfg = RunConfig.fromMap(p);
            RunResult r = Runner.run(cfg);
            List<Object> v = new ArrayList<>();
            v.add(cfg.runId());
            for (ConfigSchema.Field f : ConfigSchema.fields()) {
                v.add(cfg.get(f.key()));
            }
            RESULT.forEach(c -> v.add(c.get().apply(r)));
            runs.add(RowFactory.create(v.toArray()));
            for (CurvePoint cp : r.curve()) {
                List<Object> cv = new ArrayList<>();
                cv.add(cfg.runId());
                CURVE.forEach(c -> cv.add(c.get().apply(cp)));
                curves.add(RowFactory.create(cv.toArray()));
            }
        }
        Files.createDirectories(dir);
        spark.createDataFrame(runs, runsSchema()).write().mode(SaveMode.Overwrite).partitionBy("family", "activation")
                .parquet(dir.resolve("runs").toString());
        spark.createDataFrame(curves, curvesSchema()).write().mode(SaveMode.Overwrite).parquet(dir.resolve("curves").toString());
        manifest(dir, name, points.size(), completed);
    }

    static void manifest(Path dir, String name, int points, boolean completed) throws IOException {
        String m = "{\n  \"name\": \"" + name + "\",\n  \"status\": \"" + (completed ? "completed" : "running") + "\",\n"
                + "  \"grid_size\": " + points + ",\n  \"included_points\": " + points + ",\n  \"waves\": 3,\n"
                + "  \"started\": \"2026-11-22T10:00:00Z\"" + (completed ? ",\n  \"finished\": \"2026-11-22T10:01:00Z\"" : "") + "\n}\n";
        Files.writeString(dir.resolve("_sweep.json"), m);
    }

    /**
     * Turns a written sweep into one that is still running: its runs and curves become one committed wave
     * (the staging layout: runs columns plus the curve as array&lt;struct&gt;) under _waves/, an uncommitted
     * wave (no marker) sits beside it, the tables are removed and the manifest has no end time.
     */
    public static void toRunning(SparkSession spark, Path dir, String name, int planned) throws IOException {
        Dataset<Row> runs = spark.read().parquet(dir.resolve("runs").toString());
        Dataset<Row> curves = spark.read().parquet(dir.resolve("curves").toString());
        Column[] pts = CURVE.stream().map(c -> col(c.name())).toArray(Column[]::new);
        Dataset<Row> agg = curves.groupBy("run_id").agg(collect_list(struct(pts)).as("curve"));
        Path waves = dir.resolve("_waves");
        runs.join(agg, "run_id").write().mode(SaveMode.Overwrite).parquet(waves.resolve("a001-w00000").toString());
        // a wave whose job did not commit: its files, but no _SUCCESS marker
        runs.limit(1).write().mode(SaveMode.Overwrite).parquet(waves.resolve("a001-w00001").toString());
        Files.delete(waves.resolve("a001-w00001").resolve("_SUCCESS"));
        deleteTree(dir.resolve("runs"));
        deleteTree(dir.resolve("curves"));
        manifest(dir, name, planned, false);
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    public static StructType runsSchema() {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("run_id", DataTypes.StringType, false));
        for (ConfigSchema.Field x : ConfigSchema.fields()) {
            f.add(DataTypes.createStructField(x.key(), type(x.type()), true));
        }
        RESULT.forEach(c -> f.add(DataTypes.createStructField(c.name(), c.type(), true)));
        return new StructType(f.toArray(StructField[]::new));
    }

    static StructType curvesSchema() {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("run_id", DataTypes.StringType, false));
        CURVE.forEach(c -> f.add(DataTypes.createStructField(c.name(), c.type(), true)));
        return new StructType(f.toArray(StructField[]::new));
    }

    static DataType type(ConfigSchema.Type t) {
        switch (t) {
            case INT: return DataTypes.IntegerType;
            case LONG: return DataTypes.LongType;
            case DOUBLE: return DataTypes.DoubleType;
            case STRING: return DataTypes.StringType;
            case BOOLEAN: return DataTypes.BooleanType;
            default: throw new AssertionError(t);
        }
    }

    private static <T> Col<T> c(String name, DataType type, Function<T, Object> get) {
        return new Col<>(name, type, get);
    }

    private static <T> Col<T> d(String name, java.util.function.ToDoubleFunction<T> get) {
        return new Col<>(name, DataTypes.DoubleType, t -> {
            double x = get.applyAsDouble(t);
            return Double.isNaN(x) ? null : x;
        });
    }
}
