package org.deqsweep.sweep.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rows of the tables' Parquet files read and written with parquet-mr alone, for {@link SmallRebuild}:
 * no Spark SQL plan, no code generation, so a small sweep's tables cost what their bytes cost.
 *
 * <p>Rows are {@code Object[]} in schema order, holding Integer, Long, Double, String, Boolean or null,
 * and for an array of structs a {@code List<Object[]>}. Written files are what Spark writes for the
 * same {@link StructType}: the same Parquet types (a nullable field is optional, a string is UTF-8
 * binary) and Spark's schema in the footer ({@value #SPARK_SCHEMA_KEY}), so Spark reads back the same
 * schema, nullability included.
 */
final class ParquetRows {
    /** The footer key under which Spark keeps a file's Spark schema (ParquetReadSupport.SPARK_METADATA_KEY). */
    static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

    private ParquetRows() {
    }

    /** The data files of a directory written by Spark or by {@link #writer}: every name not starting with _ or . */
    static List<Path> dataFiles(FileSystem fs, Path dir) {
        List<Path> out = new ArrayList<>();
        for (FileStatus s : dataFileStatuses(fs, dir)) {
            out.add(s.getPath());
        }
        out.sort(null);
        return out;
    }

    /** The same files' statuses, in the file system's order. */
    static List<FileStatus> dataFileStatuses(FileSystem fs, Path dir) {
        try {
            List<FileStatus> out = new ArrayList<>();
            for (FileStatus s : fs.listStatus(dir)) {
                String n = s.getPath().getName();
                if (s.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
                    out.add(s);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + OutputDir.show(dir), e);
        }
    }

    /**
     * Calls {@code each} with every row of {@code file}, read as {@code schema}: a column the file lacks is
     * null, as when Spark reads it with that schema; columns the schema does not name are not read.
     * Flat types and arrays of flat structs only (the staging table's shape). Each row is an array of its own.
     */
    static void read(Configuration conf, Path file, StructType schema, Consumer<Object[]> each) {
        try (ParquetReader<Object[]> reader = new ReaderBuilder(inputFile(conf, file), conf, new Projection(schema)).build()) {
            for (Object[] row = reader.read(); row != null; row = reader.read()) {
                each.accept(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + OutputDir.show(file), e);
        }
    }

    /**
     * {@link #read} of several files on {@code threads} threads, the rows handed to {@code each} on the
     * calling thread in file order (so the first of two equal run_ids stays the first). At most
     * {@code threads + 1} files are held at once, the one being handed on included: a file's rows as
     * objects take some ten times its bytes.
     */
    static void readInOrder(Configuration settings, List<Path> files, StructType schema, int threads, Consumer<Object[]> each) {
        Configuration conf = readSettings(settings);
        if (threads <= 1 || files.size() <= 1) {
            for (Path f : files) {
                read(conf, f, schema, each);
            }
            return;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "deq-sweep-rebuild-read");
            t.setDaemon(true);
            return t;
        });
        try {
            java.util.ArrayDeque<java.util.concurrent.Future<List<Object[]>>> ahead = new java.util.ArrayDeque<>();
            int next = 0;
            while (next < files.size() || !ahead.isEmpty()) {
                while (next < files.size() && ahead.size() < threads + 1) {
                    Path f = files.get(next++);
                    ahead.add(pool.submit(() -> {
                        List<Object[]> rows = new ArrayList<>();
                        read(conf, f, schema, rows::add);
                        return rows;
                    }));
                }
                List<Object[]> rows;
                try {
                    rows = ahead.poll().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading the committed waves", e);
                }
                rows.forEach(each);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The settings for reading: the session's, with a 4 KiB buffer for Hadoop's decompressor streams.
     * Parquet opens one per page, and each allocates io.file.buffer.size, which Spark sets to 64 KiB: 40%
     * of a rebuild's reading time was spent zeroing those buffers (112 files of 60 columns, JFR).
     */
    private static Configuration readSettings(Configuration settings) {
        Configuration conf = new Configuration(settings);
        conf.setInt("io.file.buffer.size", 4096);
        return conf;
    }

    private static final class ReaderBuilder extends ParquetReader.Builder<Object[]> {
        private final Projection projection;

        /** With the caller's settings: the plain constructor of a non-Hadoop file parses Hadoop's default XML files again. */
        ReaderBuilder(InputFile file, Configuration conf, Projection projection) {
            super(file, new org.apache.parquet.conf.HadoopParquetConfiguration(conf));
            this.projection = projection;
        }

        @Override
        protected ReadSupport<Object[]> getReadSupport() {
            return projection;
        }
    }

    /**
     * Whether {@code p} is on the local file system, which these files then reach through java.nio:
     * without libhadoop, Hadoop's local file system forks chmod for every file and directory it
     * creates and readlink for every rename, 10 to 30 ms each in a JVM of a few GB.
     */
    static boolean isLocal(Path p) {
        return "file".equals(p.toUri().getScheme());
    }

    static java.nio.file.Path nio(Path p) {
        return java.nio.file.Path.of(p.toUri());
    }

    private static InputFile inputFile(Configuration conf, Path file) throws IOException {
        return isLocal(file) ? new LocalInputFile(nio(file)) : HadoopInputFile.fromPath(file, conf);
    }

    private static OutputFile outputFile(Configuration conf, Path file) throws IOException {
        if (isLocal(file)) {
            java.nio.file.Files.createDirectories(nio(file).getParent());
            return new LocalOutputFile(nio(file));
        }
        return HadoopOutputFile.fromPath(file, conf);
    }

    /** Reads only the file's columns that the schema names (Parquet skips the others' pages). */
    private static final class Projection extends ReadSupport<Object[]> {
        private final StructType schema;

        Projection(StructType schema) {
            this.schema = schema;
        }

        @Override
        public ReadContext init(InitContext context) {
            MessageType file = context.getFileSchema();
            List<Type> kept = file.getFields().stream().filter(f -> Arrays.asList(schema.fieldNames()).contains(f.getName())).toList();
            return new ReadContext(new MessageType(file.getName(), kept));
        }

        @Override
        public RecordMaterializer<Object[]> prepareForRead(Configuration conf, Map<String, String> meta, MessageType file,
                                                           ReadContext context) {
            StructConverter root = new StructConverter(context.getRequestedSchema(), schema, null);
            return new RecordMaterializer<>() {
                @Override
                public Object[] getCurrentRecord() {
                    return root.values;
                }

                @Override
                public GroupConverter getRootConverter() {
                    return root;
                }
            };
        }
    }

    /**
     * Fills a new {@code Object[]} in the order of a Spark struct from a Parquet group with some of its
     * fields (the others stay null), and hands it to {@code done} at the group's end (null: the record).
     */
    private static final class StructConverter extends GroupConverter {
        private final Converter[] children;
        private final int size;
        private final Consumer<Object[]> done;
        Object[] values;

        StructConverter(GroupType group, StructType struct, Consumer<Object[]> done) {
            this.size = struct.size();
            this.done = done;
            this.children = new Converter[group.getFieldCount()];
            for (int i = 0; i < children.length; i++) {
                Type t = group.getType(i);
                int k = struct.fieldIndex(t.getName());
                DataType dt = struct.fields()[k].dataType();
                children[i] = dt instanceof ArrayType a ? new ListConverter(t.asGroupType(), (StructType) a.elementType(), v -> values[k] = v)
                        : primitive(dt, k);
            }
        }

        /** A flat column into values[k]: Parquet calls the add method of the column's physical type. */
        private Converter primitive(DataType t, int k) {
            if (!List.of(DataTypes.StringType, DataTypes.IntegerType, DataTypes.LongType, DataTypes.DoubleType, DataTypes.BooleanType)
                    .contains(t)) {
                throw new IllegalArgumentException("no reader for " + t.simpleString());
            }
            if (t.equals(DataTypes.StringType)) {
                return new StringConverter(k);
            }
            return new PrimitiveConverter() {

                @Override
                public void addInt(int v) {
                    values[k] = v;
                }

                @Override
                public void addLong(long v) {
                    values[k] = v;
                }

                @Override
                public void addDouble(double v) {
                    values[k] = v;
                }

                @Override
                public void addBoolean(boolean v) {
                    values[k] = v;
                }
            };
        }

        /**
         * A string column into values[k]. A dictionary-encoded chunk (every string the writer writes) is
         * decoded once per dictionary entry, not once per value: the same config value on every row of a
         * file, as one String.
         */
        private final class StringConverter extends PrimitiveConverter {
            private final int k;
            private String[] dictionary;

            StringConverter(int k) {
                this.k = k;
            }

            @Override
            public boolean hasDictionarySupport() {
                return true;
            }

            @Override
            public void setDictionary(Dictionary d) {
                dictionary = new String[d.getMaxId() + 1];
                for (int id = 0; id < dictionary.length; id++) {
                    dictionary[id] = d.decodeToBinary(id).toStringUsingUTF8();
                }
            }

            @Override
            public void addValueFromDictionary(int id) {
                values[k] = dictionary[id];
            }

            @Override
            public void addBinary(Binary v) {
                values[k] = v.toStringUsingUTF8();
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return children[fieldIndex];
        }

        @Override
        public void start() {
            values = new Object[size];
        }

        @Override
        public void end() {
            if (done != null) {
                done.accept(values);
            }
        }
    }

    /**
     * An array of structs as a {@code List<Object[]>}: the standard three-level list (repeated group list
     * { element }) or the legacy two-level one, whose repeated group is the element.
     */
    private static final class ListConverter extends GroupConverter {
        private final Converter repeated;
        private final Consumer<Object> done;
        private List<Object[]> list;

        ListConverter(GroupType listGroup, StructType element, Consumer<Object> done) {
            this.done = done;
            GroupType rep = listGroup.getType(0).asGroupType();
            if (rep.getFieldCount() == 1 && !rep.getType(0).isPrimitive()) {
                StructConverter e = new StructConverter(rep.getType(0).asGroupType(), element, v -> list.add(v));
                this.repeated = new GroupConverter() {
                    @Override
                    public Converter getConverter(int fieldIndex) {
                        return e;
                    }

                    @Override
                    public void start() {
                    }

                    @Override
                    public void end() {
                    }
                };
            } else {
                this.repeated = new StructConverter(rep, element, v -> list.add(v));
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return repeated;
        }

        @Override
        public void start() {
            list = new ArrayList<>();
        }

        @Override
        public void end() {
            done.accept(list);
        }
    }

    /**
     * The Parquet schema Spark writes for {@code schema} (ParquetSchemaConverter, non-legacy): flat fields,
     * and arrays of flat structs as the standard three-level list (the staging table's curve).
     */
    static MessageType parquetSchema(StructType schema) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (StructField f : schema.fields()) {
            b.addField(parquetType(f.name(), f.dataType(), f.nullable()));
        }
        return b.named("spark_schema");
    }

    private static Type parquetType(String name, DataType t, boolean nullable) {
        Type.Repetition rep = nullable ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
        if (t.equals(DataTypes.StringType)) {
            return Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
        } else if (t.equals(DataTypes.IntegerType)) {
            return Types.primitive(PrimitiveTypeName.INT32, rep).named(name);
        } else if (t.equals(DataTypes.LongType)) {
            return Types.primitive(PrimitiveTypeName.INT64, rep).named(name);
        } else if (t.equals(DataTypes.DoubleType)) {
            return Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(name);
        } else if (t.equals(DataTypes.BooleanType)) {
            return Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
        } else if (t instanceof ArrayType a && a.elementType() instanceof StructType st && flat(st)) {
            Types.GroupBuilder<GroupType> element = Types.buildGroup(a.containsNull() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED);
            for (StructField f : st.fields()) {
                element.addField(parquetType(f.name(), f.dataType(), f.nullable()));
            }
            return Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
                    .addField(Types.repeatedGroup().addField(element.named("element")).named("list")).named(name);
        }
        throw new IllegalArgumentException("no writer for " + name + " " + t.simpleString() + " (flat fields and arrays of flat structs only)");
    }

    private static boolean flat(StructType st) {
        return Arrays.stream(st.fields()).noneMatch(f -> f.dataType() instanceof StructType || f.dataType() instanceof ArrayType);
    }

    /** The parquet-mr codec of a spark.sql.parquet.compression.codec value. */
    static CompressionCodecName codec(String spark) {
        String c = spark == null ? "snappy" : spark.toLowerCase(Locale.ROOT);
        return "none".equals(c) ? CompressionCodecName.UNCOMPRESSED : CompressionCodecName.valueOf(c.toUpperCase(Locale.ROOT));
    }

    /**
     * A new data file in {@code dir}, named as Spark names its part files, for rows of {@code schema}.
     * A null value of a non-nullable field is refused by the writer.
     */
    static ParquetWriter<Object[]> writer(Configuration conf, Path dir, int part, StructType schema, CompressionCodecName codec) {
        return writer(conf, new Path(dir, partName(part, codec)), schema, codec);
    }

    /** A data file's name as Spark gives it: part number, a UUID of its own, the codec's extension. */
    static String partName(int part, CompressionCodecName codec) {
        return String.format("part-%05d-%s-c000%s.parquet", part, UUID.randomUUID(), codec.getExtension());
    }

    /** A new data file {@code file} for rows of {@code schema}, with min/max statistics (a table's: Spark skips row groups by them). */
    static ParquetWriter<Object[]> writer(Configuration conf, Path file, StructType schema, CompressionCodecName codec) {
        return writer(conf, file, schema, codec, true);
    }

    /**
     * {@link #writer}, with or without min/max statistics. Without, a file's footer and page headers carry no
     * Statistics for its columns: what a staging file needs, which is read whole.
     */
    static ParquetWriter<Object[]> writer(Configuration conf, Path file, StructType schema, CompressionCodecName codec,
                                          boolean statistics) {
        try {
            Builder b = new Builder(outputFile(conf, file), schema).withConf(conf).withCompressionCodec(codec)
                    .withWriteMode(ParquetFileWriter.Mode.CREATE).withSizeStatisticsEnabled(false).withStatisticsEnabled(statistics);
            // dictionaries for the strings (run_id repeats down a curve); numbers are mostly distinct, and
            // a dictionary that overflows is encoded twice
            for (StructField f : schema.fields()) {
                b.withDictionaryEncoding(f.name(), f.dataType().equals(DataTypes.StringType));
            }
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + OutputDir.show(file), e);
        }
    }

    /** Writes the commit marker ({@value OutputDir#COMMITTED}, empty) into {@code dir}. */
    static void mark(FileSystem fs, Path dir) {
        try {
            if (isLocal(dir)) {
                java.nio.file.Files.createDirectories(nio(dir));
                java.nio.file.Files.write(nio(new Path(dir, OutputDir.COMMITTED)), new byte[0]);
                return;
            }
            fs.create(new Path(dir, OutputDir.COMMITTED), true).close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + OutputDir.show(dir), e);
        }
    }

    /** Renames {@code from} to {@code to}, which must not exist; on the local file system through java.nio. */
    static void move(FileSystem fs, Path from, Path to) {
        try {
            if (isLocal(from)) {
                java.nio.file.Files.move(nio(from), nio(to), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            if (!fs.rename(from, to)) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not move " + OutputDir.show(from) + " to " + OutputDir.show(to), e);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
        private final StructType schema;

        Builder(OutputFile file, StructType schema) {
            super(file);
            this.schema = schema;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
            return new RowWriteSupport(schema);
        }
    }

    private static final class RowWriteSupport extends WriteSupport<Object[]> {
        private final StructType schema;
        private final MessageType parquet;
        private final Fields fields;
        private RecordConsumer consumer;

        RowWriteSupport(StructType schema) {
            this.schema = schema;
            this.parquet = parquetSchema(schema);
            this.fields = new Fields(schema);
        }

        @Override
        public WriteContext init(Configuration conf) {
            Map<String, String> meta = new HashMap<>();
            meta.put(SPARK_SCHEMA_KEY, schema.json());
            return new WriteContext(parquet, meta);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Object[] row) {
            consumer.startMessage();
            writeFields(fields, row);
            consumer.endMessage();
        }

        /** A null value is an absent field; an array of structs is written as Spark writes it (an empty one has no "list" field). */
        private void writeFields(Fields f, Object[] row) {
            for (int i = 0; i < f.names.length; i++) {
                Object v = row[i];
                if (v == null) {
                    continue;
                }
                String name = f.names[i];
                consumer.startField(name, i);
                switch (f.kinds[i]) {
                    case STRING -> consumer.addBinary(f.binary(i, (String) v));
                    case INT -> consumer.addInteger((Integer) v);
                    case LONG -> consumer.addLong((Long) v);
                    case DOUBLE -> consumer.addDouble((Double) v);
                    case BOOLEAN -> consumer.addBoolean((Boolean) v);
                    default -> {
                        Fields element = f.elements[i];
                        @SuppressWarnings("unchecked")
                        List<Object[]> list = (List<Object[]>) v;
                        consumer.startGroup();
                        if (!list.isEmpty()) {
                            consumer.startField("list", 0);
                            for (Object[] e : list) {
                                consumer.startGroup();
                                if (e != null) {
                                    consumer.startField("element", 0);
                                    consumer.startGroup();
                                    writeFields(element, e);
                                    consumer.endGroup();
                                    consumer.endField("element", 0);
                                }
                                consumer.endGroup();
                            }
                            consumer.endField("list", 0);
                        }
                        consumer.endGroup();
                    }
                }
                consumer.endField(name, i);
            }
        }
    }

    private static final int STRING = 0;
    private static final int INT = 1;
    private static final int LONG = 2;
    private static final int DOUBLE = 3;
    private static final int BOOLEAN = 4;
    private static final int ARRAY = 5;

    /**
     * A struct's fields as the writer walks them: names, kinds and, per string field, the last value and its
     * UTF-8 bytes. A string repeats down a column (run_id on every point of its curve, a config value over
     * a wave), and encoding it again was a fifth of a 10^4-run rebuild's writing (JFR).
     */
    private static final class Fields {
        final String[] names;
        final int[] kinds;
        final Fields[] elements;
        private final String[] lastString;
        private final Binary[] lastBinary;

        Fields(StructType struct) {
            StructField[] fs = struct.fields();
            names = new String[fs.length];
            kinds = new int[fs.length];
            elements = new Fields[fs.length];
            lastString = new String[fs.length];
            lastBinary = new Binary[fs.length];
            for (int i = 0; i < fs.length; i++) {
                DataType t = fs[i].dataType();
                names[i] = fs[i].name();
                if (t.equals(DataTypes.StringType)) {
                    kinds[i] = STRING;
                } else if (t.equals(DataTypes.IntegerType)) {
                    kinds[i] = INT;
                } else if (t.equals(DataTypes.LongType)) {
                    kinds[i] = LONG;
                } else if (t.equals(DataTypes.DoubleType)) {
                    kinds[i] = DOUBLE;
                } else if (t.equals(DataTypes.BooleanType)) {
                    kinds[i] = BOOLEAN;
                } else if (t instanceof ArrayType a && a.elementType() instanceof StructType st) {
                    kinds[i] = ARRAY;
                    elements[i] = new Fields(st);
                } else {
                    throw new IllegalArgumentException("no writer for " + names[i] + " " + t.simpleString());
                }
            }
        }

        /** The UTF-8 bytes of {@code s}, encoded again only when field i's value changes (a Binary is immutable). */
        Binary binary(int i, String s) {
            if (!s.equals(lastString[i])) {
                lastString[i] = s;
                lastBinary[i] = Binary.fromString(s);
            }
            return lastBinary[i];
        }
    }
}
