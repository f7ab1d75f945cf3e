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

    /**
     * Staging files are not compressed, whatever spark.sql.parquet.compression.codec says (the tables keep
     * it), and carry no min/max statistics (they are read whole): Snappy made the quickstart's 864-run
     * staging 8.7 MB instead of 9.2 MB (its numbers are mostly distinct doubles, its strings
     * dictionary-encoded), and a fresh JVM's rebuild of those 112 files spent about 0.3 s of its 1.8 s
     * setting up a decompressor for each of their 60 columns (four interleaved pairs of {@code --resume}:
     * 1.5 to 1.6 s against 1.8 to 2.1 s). Without statistics the staging is 8.5 MB and the footers that
     * each rebuild parses are smaller (1.3 to 1.4 s against 1.3 to 1.5 s, four pairs).
     */
    static final CompressionCodecName CODEC = CompressionCodecName.UNCOMPRESSED;

    private WaveFiles() {
    }

    /**
     * In a task: writes {@code rows} (staging rows, pulled one at a time) into {@code wave}'s
     * {@value #ATTEMPTS}/ and returns the file's name, or null when there was no row (no file then).
     * A task that fails mid-way leaves its file, closed or not, where nothing reads it.
     *
     * @param wave the wave's location as a URI ({@code Path.toUri().toString()}), so escaped characters survive
     */
    public static String write(Configuration conf, String wave, int part, Iterator<Object[]> rows) {
        if (!rows.hasNext()) {
            return null;
        }
        String name = ParquetRows.partName(part, CODEC);
        Path file = new Path(new Path(new Path(URI.create(wave)), ATTEMPTS), name);
        try (ParquetWriter<Object[]> w = ParquetRows.writer(conf, file, Tables.STAGING_SCHEMA, CODEC, false)) {
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
