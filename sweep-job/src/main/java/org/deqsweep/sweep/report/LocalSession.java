package org.deqsweep.sweep.report;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of the report and replay commands: the one already running in this JVM (tests, or a
 * caller that built one), else a new one on spark-submit's master or local[*]. Only a session built here
 * is stopped on close. Reading a sweep's tables needs no cluster, so local[*] is the default.
 */
public record LocalSession(SparkSession spark, boolean owned) implements AutoCloseable {

    public static LocalSession open(String appName, String master) {
        SparkSession existing = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        if (existing != null && !existing.sparkContext().isStopped()) {
            return new LocalSession(existing, false);
        }
        SparkConf submitted = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        if (master != null) {
            b.master(master);
        } else if (!submitted.contains("spark.master")) {
            b.master("local[*]");
        }
        if (!submitted.contains("spark.sql.warehouse.dir")) {
            b.config("spark.sql.warehouse.dir", Path.of(System.getProperty("java.io.tmpdir"),
                    "deq-sweep-warehouse-" + System.getProperty("user.name")).toUri().toString());
        }
        if (!submitted.contains("spark.ui.showConsoleProgress")) {
            b.config("spark.ui.showConsoleProgress", "false");
        }
        // aggregations over a few thousand rows: a handful of shuffle partitions, not 200
        if (!submitted.contains("spark.sql.shuffle.partitions")) {
            b.config("spark.sql.shuffle.partitions", "8");
        }
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return new LocalSession(spark, true);
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
