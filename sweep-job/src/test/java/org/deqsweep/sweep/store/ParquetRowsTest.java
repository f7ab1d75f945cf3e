package org.deqsweep.sweep.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deqsweep.sweep.SparkTestBase;
import org.junit.jupiter.api.Test;

/**
 * {@link ParquetRows}' writer and reader on string columns: the writer reuses a string's UTF-8 bytes
 * while a column's value repeats, and the reader decodes a dictionary entry once; both must give back
 * every value as written, whether the strings of a chunk are dictionary- or plain-encoded.
 */
class ParquetRowsTest extends SparkTestBase {
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("name", DataTypes.StringType, true)
            .add("x", DataTypes.DoubleType, true)
            .add("points", DataTypes.createArrayType(new StructType().add("tag", DataTypes.StringType, true)
                    .add("v", DataTypes.LongType, true), true), true);

    /** Strings that repeat as one instance, repeat as equal copies, change, come back, are null or empty. */
    private static List<Object[]> rows() {
        String tanh = "tanh";
        List<Object[]> rows = new ArrayList<>();
        String[] names = {tanh, tanh, new String("tanh"), "sigmoid", null, tanh, "", "", "gelu é/%", "sigmoid"};
        for (int i = 0; i < names.length; i++) {
            String id = "run-" + (i / 3); // the same run_id on consecutive rows, as down a curve
            List<Object[]> points = new ArrayList<>();
            for (int k = 0; k < i % 4; k++) {
                points.add(new Object[] {k % 2 == 0 ? id : names[i], (long) (10 * i + k)});
            }
            rows.add(new Object[] {id, names[i], i == 4 ? null : i * 0.5, i == 7 ? null : points});
        }
        return rows;
    }

    @Test
    void stringsComeBackAsWrittenWhenTheyRepeatChangeAndReturn() throws IOException {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(tmp.resolve("t.parquet").toUri());
        Configuration conf = new Configuration();
        List<Object[]> written = rows();
        try (ParquetWriter<Object[]> w = ParquetRows.writer(conf, file, SCHEMA, CompressionCodecName.SNAPPY)) {
            for (Object[] r : written) {
                w.write(r);
            }
        }
        assertTrue(encodings(file).contains(Encoding.RLE_DICTIONARY) || encodings(file).contains(Encoding.PLAIN_DICTIONARY),
                "the writer's strings are dictionary-encoded");
        assertRows(written, read(conf, file));
        // and Spark reads the same strings
        List<String> bySpark = spark().read().parquet(file.toString()).collectAsList().stream().map(r -> String.valueOf(r.get(1))).toList();
        assertEquals(written.stream().map(r -> String.valueOf(r[1])).toList(), bySpark);
    }

    @Test
    void plainEncodedStringsAreReadAsWellAsDictionaryOnes() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Object[] r : rows()) {
            @SuppressWarnings("unchecked")
            List<Object[]> points = (List<Object[]>) r[3];
            rows.add(RowFactory.create(r[0], r[1], r[2], points == null ? null : points.stream().map(p -> RowFactory.create(p)).toList()));
        }
        for (boolean dictionary : new boolean[] {false, true}) {
            Path dir = tmp.resolve("spark-" + dictionary);
            spark().createDataFrame(rows, SCHEMA).coalesce(1).write().option("parquet.enable.dictionary", Boolean.toString(dictionary))
                    .parquet(dir.toString());
            org.apache.hadoop.fs.Path file;
            try (Stream<Path> s = Files.list(dir)) {
                file = new org.apache.hadoop.fs.Path(s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow().toUri());
            }
            Set<Encoding> enc = encodings(file);
            assertEquals(dictionary, enc.contains(Encoding.RLE_DICTIONARY) || enc.contains(Encoding.PLAIN_DICTIONARY), "encodings " + enc);
            assertRows(rows(), read(new Configuration(), file));
        }
    }

    @Test
    void stagingFilesAreUncompressedAndCarryNoStatistics() throws IOException {
        OutputDir out = new OutputDir(tmp.resolve("out"));
        String wave = out.wave(1, 0).toUri().toString();
        Row r = TableBuilderParityTest.row("r0", "general_deq", "tanh", 2, 0.1, "CONVERGED", 0.9, 10L, 1e-3, 0.5, 3);
        Object[] v = new Object[r.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i) instanceof scala.collection.Seq<?> ? List.of() : r.get(i);
        }
        String name = WaveFiles.write(new Configuration(), wave, 0, List.<Object[]>of(v).iterator());
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(out.wave(1, 0), WaveFiles.ATTEMPTS), name);
        for (ColumnChunkMetaData c : chunks(file)) {
            assertEquals(CompressionCodecName.UNCOMPRESSED, c.getCodec(), c.getPath().toDotString());
            assertTrue(c.getStatistics() == null || c.getStatistics().isEmpty(), c.getPath().toDotString() + ": " + c.getStatistics());
        }
        // a table's file keeps its statistics (Spark skips row groups by them)
        org.apache.hadoop.fs.Path table = new org.apache.hadoop.fs.Path(tmp.resolve("table.parquet").toUri());
        try (ParquetWriter<Object[]> w = ParquetRows.writer(new Configuration(), table, SCHEMA, CompressionCodecName.SNAPPY)) {
            w.write(rows().get(0));
        }
        assertFalse(chunks(table).get(0).getStatistics().isEmpty(), "the id column's min and max");
    }

    private static List<Object[]> read(Configuration conf, org.apache.hadoop.fs.Path file) {
        List<Object[]> out = new ArrayList<>();
        ParquetRows.read(conf, file, SCHEMA, out::add);
        return out;
    }

    private static void assertRows(List<Object[]> expected, List<Object[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Object[] e = expected.get(i);
            Object[] a = actual.get(i);
            assertArrayEquals(new Object[] {e[0], e[1], e[2]}, new Object[] {a[0], a[1], a[2]}, "row " + i);
            @SuppressWarnings("unchecked")
            List<Object[]> ep = (List<Object[]>) e[3];
            @SuppressWarnings("unchecked")
            List<Object[]> ap = (List<Object[]>) a[3];
            if (ep == null) {
                assertNull(ap, "row " + i + ": no list");
                continue;
            }
            assertEquals(ep.size(), ap.size(), "row " + i);
            for (int k = 0; k < ep.size(); k++) {
                assertArrayEquals(ep.get(k), ap.get(k), "row " + i + " point " + k);
            }
        }
    }

    private static List<ColumnChunkMetaData> chunks(org.apache.hadoop.fs.Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
            return r.getFooter().getBlocks().get(0).getColumns();
        }
    }

    private static Set<Encoding> encodings(org.apache.hadoop.fs.Path file) throws IOException {
        for (ColumnChunkMetaData c : chunks(file)) {
            if (c.getPath().toDotString().equals("name")) {
                return c.getEncodings();
            }
        }
        throw new AssertionError("no column name in " + file);
    }
}
