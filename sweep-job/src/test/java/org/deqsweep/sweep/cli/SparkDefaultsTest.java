package org.deqsweep.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The properties file of a command started without SparkSubmit, read as SparkSubmit reads it. */
class SparkDefaultsTest {
    @TempDir
    Path tmp;

    @Test
    void readsEverySeparatorTrimsValuesAndKeepsOnlySparkKeys() throws IOException {
        Path f = tmp.resolve("spark-defaults.conf");
        Files.writeString(f, String.join("\n",
                "# a comment",
                "spark.serializer                 org.apache.spark.serializer.KryoSerializer",
                "spark.sql.shuffle.partitions=16",
                "spark.ui.enabled: false",
                "spark.driver.host   127.0.0.1   ",
                "",
                "! another comment",
                "not.spark.key value",
                ""));
        Properties target = new Properties();
        List<String> set = SparkDefaults.apply(f, target);
        assertEquals(4, set.size(), "set " + set);
        assertEquals("org.apache.spark.serializer.KryoSerializer", target.getProperty("spark.serializer"));
        assertEquals("16", target.getProperty("spark.sql.shuffle.partitions"));
        assertEquals("false", target.getProperty("spark.ui.enabled"));
        assertEquals("127.0.0.1", target.getProperty("spark.driver.host"));
        assertNull(target.getProperty("not.spark.key"));
    }

    @Test
    void aSettingAlreadyGivenWins() throws IOException {
        Path f = tmp.resolve("spark-defaults.conf");
        Files.writeString(f, "spark.master local[4]\nspark.sql.shuffle.partitions 16\n");
        Properties target = new Properties();
        target.setProperty("spark.master", "local[2]"); // submit.sh's --master
        assertEquals(List.of("spark.sql.shuffle.partitions"), SparkDefaults.apply(f, target));
        assertEquals("local[2]", target.getProperty("spark.master"));
    }

    @Test
    void theProjectsOwnFileLoads() throws IOException {
        Path f = Path.of("..", "conf", "spark-defaults.conf");
        Properties target = new Properties();
        SparkDefaults.apply(f, target);
        assertEquals("16", target.getProperty("spark.sql.shuffle.partitions"));
        assertEquals("org.apache.spark.serializer.KryoSerializer", target.getProperty("spark.serializer"));
    }

    @Test
    void aMissingFileIsAnError() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SparkDefaults.apply(tmp.resolve("none.conf"), new Properties()));
    }
}
