package org.deqsweep.sweep.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code conf/spark-defaults.conf} for a command that {@code submit.sh} starts without SparkSubmit (a
 * local master or a remote query; DESIGN 6): it names the file in the system property {@link #PROPERTY},
 * and {@link Main#main} loads it the way SparkSubmit loads {@code --properties-file}, so both paths read
 * the same file the same way: Java properties syntax ({@code key value}, {@code key=value} or
 * {@code key: value}), keys starting with {@code spark.} only, values trimmed, and a setting already
 * given as a system property (the master, from {@code --master}) kept. SparkConf reads the result.
 */
final class SparkDefaults {
    /** The system property that names the file. */
    static final String PROPERTY = "deq.spark.defaults";

    private SparkDefaults() {
    }

    /**
     * Sets the file's {@code spark.*} settings in {@code target} where it has none of its own.
     *
     * @return the keys it set, in the file's order of iteration
     */
    static List<String> apply(Path file, Properties target) throws IOException {
        Properties fromFile = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            fromFile.load(r);
        }
        List<String> set = new ArrayList<>();
        for (String k : fromFile.stringPropertyNames()) {
            if (k.startsWith("spark.") && target.getProperty(k) == null) {
                target.setProperty(k, fromFile.getProperty(k).trim());
                set.add(k);
            }
        }
        return set;
    }
}
