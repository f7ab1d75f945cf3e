package org.deqsweep.sweep.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sweeps on an S3-compatible store: S3Proxy (org.gaul:s3proxy, its filesystem backend) as a JVM of its own
 * on 127.0.0.1, started and stopped by this class, reached through hadoop-aws (s3a://). A sweep, a resume
 * after a lost wave, and a query. About 3.5 minutes, most of it Spark's commit renaming files, which on S3
 * is a copy (tag {@code s3}: {@code -DexcludedGroups=cluster,s3} skips it while iterating; CI runs it).
 */
@org.junit.jupiter.api.Tag("s3")
class S3StorageTest extends SparkTestBase {
    private static final String BUCKET = "sweeps";
    private static final String ID = "local-identity";
    private static final String SECRET = "local-credential";
    private static Process s3proxy;
    private static Path base;
    private static String endpoint;

    @BeforeAll
    static void startS3() throws Exception {
        base = Files.createTempDirectory("deq-s3proxy");
        Files.createDirectories(base.resolve("data").resolve(BUCKET)); // a bucket of the filesystem backend
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        endpoint = "http://127.0.0.1:" + port;
        Path props = base.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ID,
                "s3proxy.credential=" + SECRET,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + base.resolve("data")) + "\n");
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        assertTrue(Files.exists(jar), "mvn copies S3Proxy to " + jar);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        s3proxy = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(base.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!listening(port)) {
            assertTrue(s3proxy.isAlive(), "S3Proxy exited: " + Files.readString(base.resolve("s3proxy.log")));
            assertTrue(System.nanoTime() < deadline, "S3Proxy not listening within 60 s");
            Thread.sleep(100);
        }
        conf().forEach((k, v) -> spark().sparkContext().hadoopConfiguration().set(k, v));
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3proxy != null) {
            s3proxy.destroy();
            if (!s3proxy.waitFor(20, TimeUnit.SECONDS)) {
                s3proxy.destroyForcibly();
            }
        }
        org.apache.hadoop.fs.FileSystem.closeAll(); // the cached s3a client points at the stopped server
        OutputDir.deleteTree(base);
    }

    /** The s3a settings for S3Proxy (README, "Where the output lives"). */
    static java.util.Map<String, String> conf() {
        java.util.Map<String, String> c = new java.util.LinkedHashMap<>();
        c.put("fs.s3a.endpoint", endpoint);
        c.put("fs.s3a.endpoint.region", "us-east-1");
        c.put("fs.s3a.path.style.access", "true");
        c.put("fs.s3a.connection.ssl.enabled", "false");
        c.put("fs.s3a.access.key", ID);
        c.put("fs.s3a.secret.key", SECRET);
        // S3Proxy answers the SDK's checksummed multi-object delete with 501
        c.put("fs.s3a.multiobjectdelete.enable", "false");
        // the upload buffers in the test JVM's temp directory (the build's), not in hadoop.tmp.dir under /tmp
        c.put("fs.s3a.buffer.dir", java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "s3a").toString());
        return c;
    }

    private static String[] withConf(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        conf().forEach((k, v) -> a.addAll(List.of("--conf", "spark.hadoop." + k + "=" + v)));
        return a.toArray(String[]::new);
    }

    @Test
    void aSweepOnS3HasTheLocalRowsAndAResumeRestoresALostWave() throws IOException {
        Path spec = SweepFixtures.writeSpec(tmp);
        String out = "s3a://" + BUCKET + "/a";
        Cli r = cli(withConf(spec.toString(), "--out", out));
        assertEquals(0, r.code(), r.err());
        Configuration hconf = new Configuration();
        conf().forEach(hconf::set);
        OutputDir dir = new OutputDir(out + "/tiny", hconf);
        assertEquals(3, dir.committedWaves().size());
        Dataset<Row> runs = TableBuilder.readRuns(spark(), dir.table(Tables.RUNS));
        List<String> reference = SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS));
        assertEquals(reference, SweepFixtures.canonicalRows(runs));

        Cli q = cli(withConf("query", out + "/tiny", "SELECT count(DISTINCT run_id) AS n FROM runs", "--format", "csv"));
        assertEquals(0, q.code(), q.err());
        assertEquals("24", q.out().strip().lines().reduce((a, b) -> b).orElse(""));

        // a lost wave (and the tables): --resume trains exactly its points again
        dir.delete(dir.committedWaves().get(1));
        Cli res = cli(withConf(spec.toString(), "--out", out, "--resume"));
        assertEquals(0, res.code(), res.err());
        assertTrue(res.err().contains("16 already present"), res.err());
        Dataset<Row> again = TableBuilder.readRuns(spark(), dir.table(Tables.RUNS));
        assertEquals(SweepFixtures.POINTS, again.select("run_id").distinct().count());
        assertEquals(reference, SweepFixtures.canonicalRows(again));
    }

    @Test
    void aMissingBucketOrAWrongSecretIsOneParagraphAndNothingWritten() throws IOException {
        Path spec = SweepFixtures.writeSpec(tmp);
        Cli missing = cli(withConf(spec.toString(), "--out", "s3a://no-such-bucket/a"));
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("cannot reach the output s3a://no-such-bucket/a: "), missing.err());
        org.junit.jupiter.api.Assertions.assertFalse(missing.err().contains("\tat "), missing.err());

        List<String> args = new ArrayList<>(List.of(withConf(spec.toString(), "--out", "s3a://" + BUCKET + "/denied")));
        args.addAll(List.of("--conf", "spark.hadoop.fs.s3a.secret.key=wrong"));
        Cli denied = cli(args.toArray(String[]::new));
        assertEquals(2, denied.code(), denied.err());
        assertTrue(denied.err().contains("cannot reach the output s3a://" + BUCKET + "/denied: "), denied.err());
        org.junit.jupiter.api.Assertions.assertFalse(Files.exists(base.resolve("data").resolve(BUCKET).resolve("denied")));
    }

    @Test
    void theLockOnS3RefusesASecondSweepAndIsReleased() {
        Configuration hconf = new Configuration();
        conf().forEach(hconf::set);
        OutputDir dir = new OutputDir("s3a://" + BUCKET + "/lock/tiny", hconf);
        org.apache.hadoop.fs.Path lock = new org.apache.hadoop.fs.Path(dir.path(), OutputDir.LOCK);
        try (OutputDir.Lock held = dir.lock()) {
            assertTrue(dir.exists(lock));
            // S3Proxy does not enforce If-None-Match, so this shows the check, not the store's exclusivity
            UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, dir::lock);
            assertTrue(e.getMessage().contains("is writing s3a://" + BUCKET + "/lock/tiny"), e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertFalse(dir.exists(lock), "released on close");
    }
}
