package org.deqsweep.sweep.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.junit.jupiter.api.Test;

/**
 * A wave written by its tasks ({@link WaveFiles}) holds what Spark's own Parquet writer writes for the same
 * staging rows (schemas in the footer, rows read back), and its commit keeps exactly the files it is given.
 */
class WaveFilesTest extends SparkTestBase {

    @Test
    void aWaveOfTaskFilesIsWhatSparkWritesAndKeepsOnlyTheWinningAttempts() throws IOException {
        List<Row> rows = new ArrayList<>();
        rows.add(TableBuilderParityTest.row("r0", "general_deq", "tanh", 2, 0.1, "CONVERGED", 0.9, 10L, 1e-3, 0.5, 3));
        rows.add(TableBuilderParityTest.row("r1", "general_deq", "a b/c=d%é", 2, -0.0, "MAX_STEPS", null, 60L, 3.0, null, 0));
        rows.add(TableBuilderParityTest.row("r2", null, null, null, null, "INVALID", null, 0L, null, null, 0));
        rows.add(TableBuilderParityTest.row("r3", "linear_deq", "", 1, 2.5, "DIVERGED", null, 4L, Double.POSITIVE_INFINITY, 1.9, 1));
        Path bySpark = tmp.resolve("spark");
        spark().createDataFrame(rows, Tables.STAGING_SCHEMA).coalesce(1).write().parquet(bySpark.toString());

        OutputDir out = new OutputDir(tmp.resolve("waves a b#%")); // a location a URI must escape
        org.apache.hadoop.fs.Path wave = out.wave(1, 0);
        String uri = wave.toUri().toString();
        Configuration conf = spark().sparkContext().hadoopConfiguration();
        String lost = WaveFiles.write(conf, uri, 0, values(rows.subList(0, 3))); // an attempt that failed
        String won0 = WaveFiles.write(conf, uri, 0, values(rows.subList(0, 2)));
        String won1 = WaveFiles.write(conf, uri, 1, values(rows.subList(2, 4)));
        assertNull(WaveFiles.write(conf, uri, 2, Collections.emptyIterator()), "no row, no file");
        assertTrue(out.uncommittedWaves().contains(wave), "not committed before the driver commits it");

        assertTrue(WaveFiles.commit(out, wave, List.of(won0, won1)));
        Path dir = SweepFixtures.local(wave);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(OutputDir.COMMITTED, won0, won1), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the marker and the winning attempts' files; the lost attempt's file and " + WaveFiles.ATTEMPTS + "/ are gone");
        }
        assertFalse(lost.equals(won0));
        assertEquals(List.of(wave), out.committedWaves());
        assertEquals(TableBuilderParityTest.footers(bySpark).get(""), TableBuilderParityTest.footers(dir).get(""),
                "the Parquet and Spark schemas Spark writes");
        assertEquals(sortedRows(bySpark), sortedRows(dir), "the rows, curves included, as Spark reads them");
    }

    @Test
    void aWaveWithNoFileIsDeleted() throws IOException {
        OutputDir out = new OutputDir(tmp.resolve("out"));
        org.apache.hadoop.fs.Path wave = out.wave(1, 3);
        Files.createDirectories(SweepFixtures.local(wave).resolve(WaveFiles.ATTEMPTS));
        assertFalse(WaveFiles.commit(out, wave, List.of()));
        assertFalse(Files.exists(SweepFixtures.local(wave)));
    }

    /** Spark rows as the wave's writer takes them: the curve, a Seq of Rows, as a list of arrays. */
    private static java.util.Iterator<Object[]> values(List<Row> rows) {
        return rows.stream().map(WaveFilesTest::values).iterator();
    }

    private static Object[] values(Row r) {
        Object[] v = new Object[r.size()];
        for (int i = 0; i < v.length; i++) {
            Object x = r.get(i);
            if (x instanceof scala.collection.Seq<?> seq) {
                List<Object[]> list = new ArrayList<>();
                for (Object e : scala.jdk.javaapi.CollectionConverters.asJava(seq)) {
                    list.add(values((Row) e));
                }
                x = list;
            }
            v[i] = x;
        }
        return v;
    }

    private static List<String> sortedRows(Path dir) {
        List<String> out = new ArrayList<>();
        for (Row r : spark().read().parquet(dir.toString()).collectAsList()) {
            out.add(r.toString());
        }
        out.sort(null);
        return out;
    }
}
