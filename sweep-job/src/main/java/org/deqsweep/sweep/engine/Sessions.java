package org.deqsweep.sweep.engine;

import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the command's SparkSession, or reuses the one already running in this JVM (the tests' shared
 * session); only a session it built is stopped on close.
 */
public final class Sessions {
    private Sessions() {
    }

    /** A session and whether this command owns it. */
    public record Session(SparkSession spark, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }

    /**
     * @param master --master, or null: spark-submit's spark.master, else local[*]
     * @param conf --conf pairs, applied last
     */
    public static Session open(String appName, String master, Map<String, String> conf) {
        // the classic sessions only: a Spark Connect client session of this JVM (query through a server, a test) has no
        // SparkContext
        scala.Option<org.apache.spark.sql.classic.SparkSession> active = org.apache.spark.sql.classic.SparkSession.getActiveSession();
        scala.Option<org.apache.spark.sql.classic.SparkSession> dflt = org.apache.spark.sql.classic.SparkSession.getDefaultSession();
        SparkSession existing = active.isDefined() ? active.get() : dflt.isDefined() ? dflt.get() : null;
        if (existing != null && !existing.sparkContext().isStopped()) {
            conf.forEach((k, v) -> existing.conf().set(k, v));
            applySessionDefaults(existing);
            return new Session(existing, false);
        }
        SparkConf submitted = new SparkConf();
        // the classic builder itself: SparkSession.builder() finds it through Scala's runtime reflection, whose
        // universe takes about a second of a cold command to set up, and nothing else the sweep does needs it
        org.apache.spark.sql.classic.SparkSession.Builder b = org.apache.spark.sql.classic.SparkSession.builder().appName(appName);
        if (master != null) {
            b.master(master);
        } else if (!submitted.contains("spark.master")) {
            b.master("local[*]");
        }
        if (!submitted.contains("spark.sql.warehouse.dir")) {
            // no ./spark-warehouse in the user's directory; nothing is ever stored there
            b.config("spark.sql.warehouse.dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "deq-sweep-warehouse-" + System.getProperty("user.name")).toUri().toString());
        }
        if (!submitted.contains("spark.sql.debug.maxToStringFields")) {
            // the runs schema has ~70 columns; the default 25 makes Spark warn about every plan it prints
            b.config("spark.sql.debug.maxToStringFields", "200");
        }
        if (!submitted.contains("spark.ui.showConsoleProgress")) {
            b.config("spark.ui.showConsoleProgress", "false");
        }
        conf.forEach(b::config);
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        applySessionDefaults(spark);
        return new Session(spark, true);
    }

    /**
     * The Hadoop configuration a command's file system calls use before (or without) a session: Hadoop's
     * defaults and site files, then every {@code spark.hadoop.*} setting of spark-submit and of {@code --conf},
     * as Spark's own session applies them (so an S3 endpoint or credential set for the sweep's writes also
     * reaches the lock and the manifest).
     */
    public static org.apache.hadoop.conf.Configuration hadoopConf(Map<String, String> conf) {
        SparkConf sc = new SparkConf();
        conf.forEach(sc::set);
        org.apache.hadoop.conf.Configuration h = new org.apache.hadoop.conf.Configuration();
        for (scala.Tuple2<String, String> kv : sc.getAll()) {
            if (kv._1().startsWith("spark.hadoop.")) {
                h.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return h;
    }

    /** Settings the sweep relies on, whatever the defaults file says. */
    private static void applySessionDefaults(SparkSession spark) {
        // the sweep's partitions are explicit and each is seconds of work: AQE must not merge them
        spark.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "false");
    }

    /** The cores a local master gives (local[N], local[*]); the machine's cores otherwise. */
    public static int localCores(String master) {
        int all = Runtime.getRuntime().availableProcessors();
        if (master != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+)(,\\d+)?]").matcher(master);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
            if (master.equals("local")) {
                return 1;
            }
        }
        return all;
    }
}
