package org.deqsweep.sweep;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.sweep.cli.Main;
import org.junit.jupiter.api.io.TempDir;

/**
 * One local[2] SparkSession shared by every test class of this JVM (start-ups cost 4-5 s each), with a
 * temp directory per test. A test that needs another master stops it; the next {@link #spark()} call
 * starts a fresh one. The JVM's shutdown stops the last.
 */
public abstract class SparkTestBase {
    private static SparkSession shared;

    @TempDir
    public Path tmp;

    public static synchronized SparkSession spark() {
        if (shared == null || shared.sparkContext().isStopped()) {
            shared = newSession("local[2]");
        }
        return shared;
    }

    /** Stops the shared session (for a test that needs its own master). */
    public static synchronized void stopShared() {
        if (shared != null) {
            shared.stop();
            shared = null;
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    public static SparkSession newSession(String master) {
        System.setProperty("java.awt.headless", "true"); // the report's charts
        SparkSession s = SparkSession.builder()
                .appName("deq-sweep tests")
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.adaptive.coalescePartitions.enabled", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                // java.io.tmpdir, like Spark's scratch space: the build points it into target (pom.xml, test.tmpdir.flag)
                .config("spark.sql.warehouse.dir", Path.of(System.getProperty("java.io.tmpdir"), "deq-sweep-test-warehouse").toUri().toString())
                .getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** Runs the CLI in this JVM (on the shared session) and captures its output. */
    public static Cli cli(String... args) {
        spark();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }

    public record Cli(int code, String out, String err) {
    }
}
