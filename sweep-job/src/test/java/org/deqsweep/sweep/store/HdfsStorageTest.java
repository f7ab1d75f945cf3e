package org.deqsweep.sweep.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sweeps on a real HDFS: an in-process MiniDFSCluster (a NameNode and a DataNode on loopback, started and
 * stopped by this class). The sweep command writes {@code hdfs://} output whose runs table equals the local
 * reference's; query reads it; a resume ignores and removes what a killed driver left uncommitted; the
 * lock is an exclusive create at the namenode; and a failed sweep keeps the local log its message names.
 */
class HdfsStorageTest extends SparkTestBase {
    private static MiniDFSCluster hdfs;
    private static Path base;
    private static String uri;

    @BeforeAll
    static void startHdfs() throws IOException {
        base = Files.createTempDirectory("deq-minidfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        uri = hdfs.getURI().toString();
    }

    @AfterAll
    static void stopHdfs() throws IOException {
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
        OutputDir.deleteTree(base);
    }

    private static OutputDir on(String path) {
        return new OutputDir(uri + path, new Configuration());
    }

    /** The logs a command copied into the output ({@code _sweep-<time>.log}, SweepLog). */
    private static org.apache.hadoop.fs.FileStatus[] outputLogs(OutputDir dir) throws IOException {
        return dir.fs().globStatus(new org.apache.hadoop.fs.Path(dir.path(), "_sweep-*.log"));
    }

    @Test
    void aSweepOnHdfsHasTheLocalRowsAndQueryReadsThem() throws IOException {
        Path spec = SweepFixtures.writeSpec(tmp);
        String out = uri + "/sweeps/a";
        Cli r = cli(spec.toString(), "--out", out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("wrote " + out + "/tiny: 24 grid points"), r.err());
        OutputDir dir = on("/sweeps/a/tiny");
        assertEquals(3, dir.committedWaves().size());
        assertEquals(List.of(), dir.uncommittedWaves());
        Dataset<Row> runs = TableBuilder.readRuns(spark(), dir.table(Tables.RUNS));
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(runs));
        assertTrue(dir.readString(dir.manifest()).contains("\"status\" : \"completed\""));
        // the log, written locally during the command, was copied into the output, and the local copy removed
        org.apache.hadoop.fs.FileStatus[] logs = outputLogs(dir);
        assertEquals(1, logs.length, "one _sweep-<time>.log in the output");
        assertTrue(dir.readString(logs[0].getPath()).startsWith("==== "), "the log's header");
        Path local = org.deqsweep.sweep.engine.SweepLog.localCopy(dir);
        assertFalse(Files.exists(local), local + " removed once copied");

        Cli q = cli("query", out, "SELECT count(DISTINCT run_id) AS n FROM runs", "--format", "csv");
        assertEquals(0, q.code(), q.err());
        assertEquals("24", q.out().strip().lines().reduce((a, b) -> b).orElse(""));

        // report and replay read the hdfs:// output too
        Path to = tmp.resolve("report");
        Cli rep = cli("report", out + "/tiny", "--to", to.toString());
        assertEquals(0, rep.code(), rep.err());
        assertTrue(Files.size(to.resolve("report.html")) > 10_000, "report.html written");
        String id = runs.orderBy("run_id").select("run_id").first().getString(0);
        Cli replay = cli("replay", out + "/tiny", id);
        assertEquals(0, replay.code(), replay.out() + replay.err());
        assertTrue(replay.out().contains("replay: OK"), replay.out());

        // a second run without --resume is refused, naming the hdfs:// output; --dry-run says it exists
        Cli again = cli(spec.toString(), "--out", out);
        assertEquals(2, again.code());
        assertTrue(again.err().contains(out + "/tiny already holds output"), again.err());
        Cli dry = cli(spec.toString(), "--out", out, "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("output: " + out + "/tiny (exists: needs --resume or --overwrite)"), dry.out());

        // --overwrite replaces it: the same rows again, from waves of a first attempt only
        Cli over = cli(spec.toString(), "--out", out, "--overwrite");
        assertEquals(0, over.code(), over.err());
        assertTrue(dir.committedWaves().stream().allMatch(w -> w.getName().startsWith("a001-")), dir.committedWaves().toString());
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(TableBuilder.readRuns(spark(), dir.table(Tables.RUNS))));
    }

    @Test
    void aFailedSweepOnHdfsKeepsTheLocalLogItsMessageNames() throws IOException {
        Path spec = SweepFixtures.writeSpec(tmp);
        String out = uri + "/sweeps/d";
        OutputDir dir = on("/sweeps/d/tiny");
        // a real file-system error at the namenode: the waves' directory is a file, so no wave can be written
        try (org.apache.hadoop.fs.FSDataOutputStream o = dir.fs().create(dir.wavesDir())) {
            o.writeBytes("in the way\n");
        }
        Path local = org.deqsweep.sweep.engine.SweepLog.localCopy(dir);
        try {
            Cli r = cli(spec.toString(), "--out", out);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("The stack trace is in " + local), r.err());
            assertFalse(r.err().contains("\tat "), "a stack trace on the terminal: " + r.err());
            // the file the message names is still there when the command has ended, with the trace in it
            assertTrue(Files.exists(local), local + " kept: the failure message names it");
            String kept = Files.readString(local);
            assertTrue(kept.contains("the sweep failed") && kept.contains("\tat "), kept);
            // and the output has its copy as well
            org.apache.hadoop.fs.FileStatus[] logs = outputLogs(dir);
            assertEquals(1, logs.length, "one _sweep-<time>.log in the output");
            assertEquals(kept, dir.readString(logs[0].getPath()));
        } finally {
            Files.deleteIfExists(local);
        }
    }

    @Test
    void resumeIgnoresAndRemovesAWaveAKilledDriverLeftUncommitted() throws IOException {
        SweepSpec spec = SpecParser.parse(SweepFixtures.SPEC, "tiny.yaml", List.of());
        OutputDir dir = on("/sweeps/b/tiny");
        // what a driver killed mid-wave leaves: a committed wave, and a wave with files but no marker
        new SweepJob(spark(), spec, dir, false, new PrintWriter(new StringWriter(), true)).run();
        org.apache.hadoop.fs.Path first = dir.committedWaves().get(0);
        org.apache.hadoop.fs.Path orphan = dir.wave(7, 0);
        assertTrue(org.apache.hadoop.fs.FileUtil.copy(dir.fs(), first, dir.fs(), orphan, false, new Configuration()));
        dir.fs().delete(new org.apache.hadoop.fs.Path(orphan, OutputDir.COMMITTED), false);
        for (String t : Tables.ALL) {
            dir.delete(dir.table(t));
        }
        dir.delete(dir.committedWaves().get(2));
        assertEquals(List.of(orphan), dir.uncommittedWaves());
        assertEquals(2, dir.committedWaves().size());

        SweepJob.Outcome o = new SweepJob(spark(), spec, dir, true, new PrintWriter(new StringWriter(), true)).run();
        assertEquals(SweepFixtures.POINTS, o.trained() + o.alreadyPresent());
        assertEquals(16, o.alreadyPresent(), "the two committed waves");
        assertEquals(List.of(), dir.uncommittedWaves(), "the orphan was removed");
        Dataset<Row> runs = TableBuilder.readRuns(spark(), dir.table(Tables.RUNS));
        assertEquals(SweepFixtures.POINTS, runs.select("run_id").distinct().count());
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(runs));
    }

    @Test
    void theLockIsAnExclusiveCreateAtTheNamenode() {
        OutputDir dir = on("/sweeps/c/tiny");
        try (OutputDir.Lock held = dir.lock()) {
            assertTrue(dir.exists(new org.apache.hadoop.fs.Path(dir.path(), OutputDir.LOCK)));
            // the holder is this live process: a second sweep is refused
            UsageException e = assertThrows(UsageException.class, dir::lock);
            assertTrue(e.getMessage().contains("is writing " + uri + "/sweeps/c/tiny"), e.getMessage());
            assertFalse(e.getMessage().contains("not an exclusive create"), e.getMessage());
        }
        assertFalse(dir.exists(new org.apache.hadoop.fs.Path(dir.path(), OutputDir.LOCK)), "released on close");
    }
}
