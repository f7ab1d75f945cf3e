package org.deqsweep.sweep.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.junit.jupiter.api.Test;

/** Output URIs the sweep cannot use: one paragraph naming the URI and the cause, exit status 2, nothing written. */
class OutputUriTest extends SparkTestBase {

    @Test
    void anUnknownSchemeIsRefused() throws IOException {
        Path spec = SweepFixtures.writeSpec(tmp);
        Cli r = cli(spec.toString(), "--out", "nosuchfs://host/sweeps");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("the output nosuchfs://host/sweeps has the scheme 'nosuchfs', which no file system on the"
                + " classpath serves"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Cli q = cli("query", "nosuchfs://host/sweeps/tiny", "SELECT 1");
        assertEquals(2, q.code(), q.err());
        // a scheme configured with a file system class that is not on the classpath
        Cli absent = cli(spec.toString(), "--out", "gone://bucket/sweeps", "--conf",
                "spark.hadoop.fs.gone.impl=org.example.NoSuchFileSystem");
        assertEquals(2, absent.code(), absent.err());
        assertTrue(absent.err().contains("the output gone://bucket/sweeps needs the file system for 'gone', whose class is"
                + " not on the classpath (Class org.example.NoSuchFileSystem not found)"), absent.err());
        assertFalse(absent.err().contains("\tat "), absent.err());
    }

    @Test
    void anUnreachableNamenodeIsRefusedAtOnce() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed below: nothing listens there
        }
        Path spec = SweepFixtures.writeSpec(tmp);
        String out = "hdfs://127.0.0.1:" + port + "/sweeps";
        long t0 = System.nanoTime();
        Cli r = cli(spec.toString(), "--out", out);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("cannot reach the output " + out + ": "), r.err());
        assertTrue(r.err().contains("Connection refused"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(seconds < 60, "a dead namenode must not be retried for minutes: " + seconds + " s");
        assertFalse(Files.exists(Path.of("hdfs:")), "no local directory named after the URI");
        Cli q = cli("query", out + "/tiny", "SELECT 1");
        assertEquals(2, q.code(), q.err());
        assertTrue(q.err().contains("cannot reach the output " + out + "/tiny"), q.err());
    }
}
