package org.deqsweep.sweep.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.Sql;
import org.deqsweep.sweep.store.SweepSource;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;

/**
 * The server's catalog of one sweep (DESIGN 6.1): a database named after the sweep holding runs,
 * curves, failures, summary and stability. A finished sweep's are external Parquet tables over its table
 * directories; while a sweep runs, they are views over its committed waves (the staging rows, with
 * summary and stability computed by the rebuild's own SQL). Persistent objects, not temporary views, so
 * every Spark Connect session sees them; with the server's static settings (no partition management, no
 * relation cache) each query lists the files again, so new files are seen without a refresh.
 */
public final class Catalog {
    /** The tables a client sees in each sweep's database. */
    static final List<String> TABLES = Tables.ALL;

    private Catalog() {
    }

    /** The database name of a sweep: its name in lower case, characters other than [a-z0-9_] as '_'. */
    public static String databaseOf(String sweepName) {
        String d = sweepName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        // default holds the single sweep's views, and Spark keeps global_temp for itself
        return d.isEmpty() || Character.isDigit(d.charAt(0)) || d.equals("default") || d.equals("global_temp") ? "s_" + d : d;
    }

    /**
     * What a sweep's catalog depends on: the source's kind, whether it is complete and its end time, and
     * the committed waves. The catalog is registered again when this changes.
     */
    static String fingerprint(SweepSource src) {
        String finished = src.manifest() == null ? "" : src.manifest().path("finished").asText("");
        return src.kind() + "|" + src.complete() + "|" + finished + "|"
                + (src.kind() == SweepSource.Kind.WAVES ? src.dir().committedWaves().stream().map(Path::getName)
                .collect(Collectors.joining(",")) : "");
    }

    /** The statements that (re)register a sweep's database; run in order, each replacing what it names. */
    static List<String> statements(SparkSession spark, String db, SweepSource src) {
        List<String> out = new ArrayList<>();
        out.add("CREATE DATABASE IF NOT EXISTS " + Sql.ident(db));
        // views are replaced in one statement (a session querying meanwhile sees the old or the new one);
        // an object that changes kind, and a table (its schema may change with a rebuild), is dropped first
        boolean tables = src.kind() == SweepSource.Kind.TABLES;
        for (String t : TABLES) {
            out.addAll(tables ? drop(spark, db, t) : dropUnlessView(spark, db, t));
        }
        out.addAll(tables ? drop(spark, db, "waves") : dropUnlessView(spark, db, "waves"));
        OutputDir dir = src.dir();
        if (src.kind() == SweepSource.Kind.TABLES) {
            for (String t : TABLES) {
                Path p = dir.table(t);
                if (!dir.isDirectory(p)) {
                    continue;
                }
                String location = " LOCATION " + Sql.literal(qualified(dir, p));
                if (t.equals(Tables.RUNS)) {
                    out.add("CREATE TABLE " + name(db, t) + " (" + Tables.RUNS_SCHEMA.toDDL() + ") USING parquet PARTITIONED BY ("
                            + Tables.RUNS_PARTITIONS.stream().map(Sql::ident).collect(Collectors.joining(", ")) + ")" + location);
                } else {
                    out.add("CREATE TABLE " + name(db, t) + " USING parquet" + location);
                }
            }
            return out;
        }
        // a running sweep: views over the committed waves (a Hadoop {a,b} glob lists exactly those)
        List<Path> waves = dir.committedWaves();
        String glob = globEscaped(qualified(dir, dir.wavesDir())) + "/{" + waves.stream().map(Path::getName).collect(Collectors.joining(",")) + "}";
        String staged = "parquet." + Sql.ident(glob);
        boolean dedup = TableBuilder.mayHoldDuplicates(dir, false);
        String runCols = String.join(", ", java.util.Arrays.stream(Tables.RUNS_SCHEMA.fieldNames()).map(Sql::ident).toList());
        out.add(view(spark, db, "waves", "SELECT * FROM " + (dedup
                ? "(SELECT *, row_number() OVER (PARTITION BY run_id ORDER BY run_id) AS deq_copy FROM " + staged + ") WHERE deq_copy = 1"
                : staged)));
        out.add(view(spark, db, Tables.RUNS, "SELECT " + runCols + " FROM " + name(db, "waves")));
        out.add(view(spark, db, Tables.CURVES, "SELECT run_id, p.* FROM (SELECT run_id, explode(curve) AS p FROM "
                + name(db, "waves") + ")"));
        List<String> failureCols = new ArrayList<>(List.of("run_id"));
        failureCols.addAll(Tables.configColumns());
        failureCols.addAll(Tables.FAILURE_COLUMNS);
        out.add(view(spark, db, Tables.FAILURES, "SELECT " + failureCols.stream().map(Sql::ident)
                .collect(Collectors.joining(", ")) + " FROM " + name(db, Tables.RUNS) + " WHERE " + Sql.isFailure()));
        if (src.manifest() != null && src.manifest().has("varying_keys")) {
            List<String> varying = new ArrayList<>();
            src.manifest().get("varying_keys").forEach(k -> varying.add(k.asText()));
            List<String> keys = TableBuilder.summaryKeys(varying);
            out.add(view(spark, db, Tables.SUMMARY, TableBuilder.summarySql(keys, name(db, Tables.RUNS))));
            out.add(view(spark, db, Tables.STABILITY,
                    TableBuilder.stabilitySql(keys.stream().filter(k -> !k.equals("step_size")).toList(), name(db, Tables.SUMMARY))));
        }
        return out;
    }

    /** Views that make a single served sweep's tables plain names in the default database. */
    static List<String> defaults(SparkSession spark, String db) {
        List<String> out = new ArrayList<>();
        for (String t : TABLES) {
            if (spark.catalog().tableExists(db, t)) {
                out.addAll(dropUnlessView(spark, "default", t));
                out.add(view(spark, "default", t, "SELECT * FROM " + name(db, t)));
            } else {
                out.addAll(drop(spark, "default", t));
            }
        }
        return out;
    }

    /**
     * A view's statement: ALTER VIEW when it exists, which changes the catalog entry in place, else CREATE
     * VIEW. (CREATE OR REPLACE of a persistent view drops it first, and a query in between would not find it.)
     */
    private static String view(SparkSession spark, String db, String t, String sql) {
        return (isView(spark, db, t) ? "ALTER VIEW " : "CREATE VIEW ") + name(db, t) + " AS " + sql;
    }

    private static List<String> dropUnlessView(SparkSession spark, String db, String t) {
        return isView(spark, db, t) ? List.of() : drop(spark, db, t);
    }

    static boolean isView(SparkSession spark, String db, String t) {
        try {
            return spark.catalog().databaseExists(db) && spark.catalog().tableExists(db, t)
                    && "VIEW".equalsIgnoreCase(spark.catalog().getTable(db, t).tableType());
        } catch (Exception e) {
            return false;
        }
    }

    private static List<String> drop(SparkSession spark, String db, String t) {
        if (!spark.catalog().databaseExists(db) || !spark.catalog().tableExists(db, t)) {
            return List.of();
        }
        boolean view;
        try {
            view = "VIEW".equalsIgnoreCase(spark.catalog().getTable(db, t).tableType());
        } catch (Exception e) {
            view = false;
        }
        return List.of((view ? "DROP VIEW IF EXISTS " : "DROP TABLE IF EXISTS ") + name(db, t));
    }

    static String name(String db, String t) {
        return Sql.ident(db) + "." + Sql.ident(t);
    }

    /** A path taken literally by Hadoop's glob: its glob characters escaped with a backslash. */
    static String globEscaped(String path) {
        return path.replaceAll("([\\\\{}\\[\\]*?])", "\\\\$1");
    }

    private static String qualified(OutputDir dir, Path p) {
        return dir.fs().makeQualified(p).toString();
    }
}
