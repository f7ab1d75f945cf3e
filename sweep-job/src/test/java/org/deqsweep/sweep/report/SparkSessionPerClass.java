package org.deqsweep.sweep.report;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One local[2] SparkSession per test class, stopped in teardown (JavaDataFrameReaderWriterSuite); the
 * commands under test reuse it as the active session. To be replaced by the spark branch's shared
 * SparkTestBase once it lands.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SparkSessionPerClass {
    protected SparkSession spark;

    @BeforeAll
    void startSpark() {
        System.setProperty("java.awt.headless", "true");
        spark = SparkSession.builder().appName(getClass().getSimpleName()).master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.warehouse.dir", Path.of(System.getProperty("java.io.tmpdir"), "deq-sweep-test-warehouse").toUri().toString())
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    void stopSpark() {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }
}
