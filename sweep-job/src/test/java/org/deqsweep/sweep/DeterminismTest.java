package org.deqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.sweep.cli.Main;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.Test;

/**
 * local[1] and local[2] give the same rows, timing columns aside (DESIGN 5): the reference sweep ran on
 * the shared local[2] session; this runs it again on a local[1] session (the shared one is stopped and
 * restarts lazily for the next class) with other partition and wave counts.
 */
class DeterminismTest extends SparkTestBase {

    @Test
    void localOneAndLocalTwoGiveTheSameRows() throws IOException {
        Path reference = SweepFixtures.referenceDir();
        SparkSession spark2 = spark();
        List<String> runs2 = SweepFixtures.canonicalRows(SweepFixtures.table(spark2, reference, Tables.RUNS));
        List<String> curves2 = SweepFixtures.canonicalRows(SweepFixtures.table(spark2, reference, Tables.CURVES));
        List<String> summary2 = SweepFixtures.canonicalRows(SweepFixtures.table(spark2, reference, Tables.SUMMARY));
        stopShared();
        SparkSession spark1 = newSession("local[1]");
        try {
            Path spec = SweepFixtures.writeSpec(tmp);
            Cli r = cli1(spec, "--set", "job.wave_size=5", "--set", "job.partitions=3");
            assertEquals(0, r.code(), r.err());
            Path dir = tmp.resolve("out").resolve("tiny");
            assertEquals(runs2, SweepFixtures.canonicalRows(SweepFixtures.table(spark1, dir, Tables.RUNS)));
            assertEquals(curves2, SweepFixtures.canonicalRows(SweepFixtures.table(spark1, dir, Tables.CURVES)));
            assertEquals(summary2, SweepFixtures.canonicalRows(SweepFixtures.table(spark1, dir, Tables.SUMMARY)));
        } finally {
            spark1.stop();
            stopShared();
        }
    }

    /** The CLI on whatever session is active (here local[1]), not the shared one. */
    private Cli cli1(Path spec, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = spec.toString();
        args[1] = "--out";
        args[2] = tmp.resolve("out").toString();
        System.arraycopy(more, 0, args, 3, more.length);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(args, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }
}
