package org.deqsweep.sweep.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * A wave's staging files (DESIGN 5.2, 5.5), without a Spark SQL plan: each task writes its rows with
 * parquet-mr into the wave's {@value #ATTEMPTS}/ under a name of its own attempt, and the driver, once the
 * wave's job has succeeded, moves the one file of each partition's successful attempt into the wave and
 * writes the marker. A failed or lost attempt's file stays in {@value #ATTEMPTS}/, which readers skip
 * (its name starts with _) and the commit removes. In a cold JVM, planning, optimising and generating
 * code for the first wave's SQL plan took about 4 s before its first task started.
 */
public final class WaveFiles {
    /** The directory of a wave's task attempts' files, until the commit. */
    static final String ATTEMPTS = "_attempts";

    private WaveFiles() {
    }

    /**
     * In a task: writes {@code rows} (staging rows, pulled one at a time) into {@code wave}'s
     * {@value #ATTEMPTS}/ and returns the file's name, or null when there was no row (no file then).
     * A task that fails mid-way leaves its file, closed or not, where nothing reads it.
     *
     * @param wave the wave's location as a URI ({@code Path.toUri().toString()}), so escaped characters survive
     * @param codec a spark.sql.parquet.compression.codec value
     */
    public static String write(Configuration conf, String wave, int part, String codec, Iterator<Object[]> rows) {
        if (!rows.hasNext()) {
            return null;
        }
        CompressionCodecName cc = ParquetRows.codec(codec);
        String name = ParquetRows.partName(part, cc);
        Path file = new Path(new Path(new Path(URI.create(wave)), ATTEMPTS), name);
        try (ParquetWriter<Object[]> w = ParquetRows.writer(conf, file, Tables.STAGING_SCHEMA, cc)) {
            while (rows.hasNext()) {
                w.write(rows.next());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + OutputDir.show(file), e);
        }
        return name;
    }

    /**
     * On the driver, after the wave's job succeeded: moves {@code files} (one per partition that had rows,
     * as {@link #write} named them) into the wave, removes {@value #ATTEMPTS}/ and writes the marker. With
     * no file, the wave held no row (every point excluded or already present): it is deleted and this
     * returns false.
     */
    public static boolean commit(OutputDir out, Path wave, List<String> files) {
        if (files.isEmpty()) {
            out.delete(wave);
            return false;
        }
        FileSystem fs = out.fs();
        Path attempts = new Path(wave, ATTEMPTS);
        for (String f : files) {
            ParquetRows.move(fs, new Path(attempts, f), new Path(wave, f));
        }
        out.delete(attempts);
        ParquetRows.mark(fs, wave);
        return true;
    }
}
