package org.deqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.sweep.serve.Endpoint;
import org.deqsweep.sweep.store.OutputDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code ./submit.sh serve} for real (DESIGN 6.1): a Spark Connect server in its own JVM on 127.0.0.1,
 * serving a finished sweep and a running one, asked by the Spark Connect client in this JVM and by
 * {@code query}, which finds it from the sweep's server file. The running sweep's new wave and then its
 * rebuild reach a client session that stays open. The test stops the server with SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeTest extends SparkTestBase {
    static Path work;
    static Path log;
    static Process server;
    static String url;
    static Path finished;
    static Path running;
    static List<Path> referenceWaves;

    @BeforeAll
    static void startServer() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.exists(root.resolve("submit.sh"))) {
            root = root.getParent();
        }
        work = Files.createTempDirectory("deq-serve-test");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path cpFile = work.resolve("classpath.txt");
        Files.writeString(cpFile, cp.replace(File.pathSeparator, ":"));
        Path jar = ClusterFaultTest.appJar(cp, work.resolve("app.jar"));

        Path reference = SweepFixtures.referenceDir();
        finished = work.resolve("out").resolve("tiny");
        SweepFixtures.copyTree(reference, finished);
        // a sweep still running: its manifest says so, one wave of three is committed, no tables yet
        running = work.resolve("live").resolve("live");
        Files.createDirectories(running.resolve("_waves"));
        ObjectNode m = (ObjectNode) new ObjectMapper().readTree(reference.resolve("_sweep.json").toFile());
        m.put("name", "live");
        m.put("status", "running");
        m.remove("finished");
        Files.write(running.resolve("_sweep.json"), new ObjectMapper().writeValueAsBytes(m));
        referenceWaves = SweepFixtures.local(new OutputDir(reference).committedWaves());
        addWave(referenceWaves.get(0));

        log = work.resolve("serve.log");
        ProcessBuilder pb = new ProcessBuilder(root.resolve("submit.sh").toString(), "serve", finished.toString(), running.toString(),
                "--port", "0", "--poll", "0.5").directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DEQ_APP_JAR", jar.toString());
        pb.environment().put("DEQ_CLASSPATH_FILE", cpFile.toString());
        pb.environment().put("DRIVER_MEMORY", "1g");
        pb.environment().remove("SPARK_HOME");
        pb.environment().remove("SPARK_CONNECT_AUTHENTICATE_TOKEN");
        server = pb.start();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (url == null) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("serve did not print its URL:\n" + Files.readString(log));
            }
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("sc://127.0.0.1:")) {
                    url = line.strip();
                }
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor();
        }
        if (log != null && Files.exists(log)) {
            // the server's own lines, for a failure's report
            Files.readAllLines(log).stream().filter(l -> l.startsWith("serve:") || l.startsWith("sc://")).forEach(System.out::println);
        }
        OutputDir.deleteTree(work);
    }

    /** Commits a wave into the running sweep the way a sweep does: whole, under its final name. */
    static void addWave(Path wave) throws IOException {
        Path tmp = work.resolve("incoming-" + wave.getFileName());
        SweepFixtures.copyTree(wave, tmp);
        Files.move(tmp, running.resolve("_waves").resolve(wave.getFileName()));
    }

    static SparkSession client() {
        return SparkSession.builder().connect().remote(url).create();
    }

    static long count(SparkSession s, String table) {
        return s.sql("SELECT count(*) FROM " + table).first().getLong(0);
    }

    /** The count, or -1 while the table is being registered again (a rebuild drops and recreates it). */
    static long countOrMinus1(SparkSession s, String table) {
        try {
            return count(s, table);
        } catch (Exception e) { // AnalysisException, checked to Java, when the table is not there
            return -1;
        }
    }

    static long rowsOf(Path wave) {
        return spark().read().parquet(wave.toString()).count();
    }

    /** Waits up to 30 s for the value to reach {@code expected}; returns the last value seen. */
    static long await(long expected, LongSupplier value) throws InterruptedException {
        long v = value.getAsLong();
        for (int i = 0; i < 150 && v != expected; i++) {
            Thread.sleep(200);
            v = value.getAsLong();
        }
        return v;
    }

    @Test
    @Order(1)
    void everySweepIsADatabaseOfItsTables() throws IOException {
        try (SparkSession s = client()) {
            List<String> dbs = new ArrayList<>();
            for (Row r : s.sql("SHOW DATABASES").collectAsList()) {
                dbs.add(r.getString(0));
            }
            assertTrue(dbs.containsAll(List.of("tiny", "live")), dbs.toString());
            assertEquals(SweepFixtures.POINTS, count(s, "tiny.runs"));
            for (String t : List.of("curves", "failures", "summary", "stability")) {
                assertEquals(SweepFixtures.table(spark(), finished, t).count(), count(s, "tiny." + t), t);
            }
            // the partitioned runs table with its declared types, filtered on a partition column
            assertEquals(SweepFixtures.table(spark(), finished, "runs").filter("activation = 'tanh'").count(),
                    count(s, "(SELECT * FROM tiny.runs WHERE activation = 'tanh')"));
            assertEquals(rowsOf(referenceWaves.get(0)), count(s, "live.runs"), Files.readString(log));
            assertTrue(count(s, "live.summary") > 0);
        }
        assertTrue(Files.exists(finished.resolve(Endpoint.SERVER_FILE)));
    }

    @Test
    @Order(2)
    void aRunningSweepsWavesAndRebuildReachAnOpenSession() throws Exception {
        try (SparkSession s = client()) {
            long first = rowsOf(referenceWaves.get(0));
            assertEquals(first, countOrMinus1(s, "live.runs"), Files.readString(log));
            addWave(referenceWaves.get(1));
            long two = first + rowsOf(referenceWaves.get(1));
            assertEquals(two, await(two, () -> count(s, "live.runs")), "the second wave: " + Files.readString(log));
            assertEquals(two, s.sql("SELECT sum(runs) FROM live.summary").first().getLong(0), "summary over the committed waves");
            // the sweep finishes: its last wave, the rebuilt tables and a completed manifest
            addWave(referenceWaves.get(2));
            for (String t : org.deqsweep.sweep.store.Tables.ALL) {
                SweepFixtures.copyTree(SweepFixtures.referenceDir().resolve(t), running.resolve(t));
            }
            Files.copy(SweepFixtures.referenceDir().resolve("_sweep.json"), running.resolve("_sweep.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals(SweepFixtures.POINTS, await(SweepFixtures.POINTS, () -> countOrMinus1(s, "live.runs")), Files.readString(log));
            assertEquals("EXTERNAL", s.sql("DESCRIBE TABLE EXTENDED live.runs").filter("col_name = 'Type'").first().getString(1),
                    "a finished sweep's runs are a table over its files");
        }
    }

    @Test
    @Order(3)
    void queryFindsTheServerFromTheSweepsServerFile() throws Exception {
        Cli q = cli("query", finished.toString(), "SELECT count(*) AS n FROM runs", "--format", "csv");
        assertEquals(0, q.code(), q.err());
        assertTrue(q.err().contains("answered by the Spark Connect server at " + url + " (database tiny)"), q.err());
        assertEquals("n\n" + SweepFixtures.POINTS + "\n", q.out());
        Cli own = cli("query", finished.toString(), "SELECT count(*) AS n FROM runs", "--format", "csv", "--local");
        assertEquals(0, own.code(), own.err());
        assertFalse(own.err().contains("answered by"), own.err());
        assertEquals(q.out(), own.out());
        // sweep --overwrite empties the directory, server file and all: the poller writes it again, session and all
        Path file = finished.resolve(Endpoint.SERVER_FILE);
        String written = Files.readString(file);
        Files.delete(file);
        long until = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(file) && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(file), "the poller did not write the server file again:\n" + Files.readString(log));
        assertEquals(written, Files.readString(file));
        Cli bad = cli("query", finished.toString(), "SELECT nosuch FROM runs", "--remote", url);
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("nosuch"), bad.err());
    }

    /** Values of every kind the printers meet, a null among them. */
    static final String TYPED = "SELECT 1 AS i, CAST(2 AS TINYINT) AS b, CAST(3 AS SMALLINT) AS s, 4L AS l, 1.5D AS d,"
            + " 1e-7D AS small, CAST(2.25 AS FLOAT) AS f, CAST(1.10 AS DECIMAL(10,3)) AS dec, 'a,b\"c' AS str, NULL AS n, true AS t,"
            + " DATE'2026-12-01' AS dt, TIMESTAMP'2026-12-01 10:11:12.123456' AS ts, TIMESTAMP_NTZ'2026-12-01 10:11:12' AS ntz,"
            + " array(1.5D, 2D) AS arr, map('k', 1) AS m, named_struct('x', 1, 'y', array('p', 'q')) AS st, X'CAFE' AS bin,"
            + " INTERVAL '2' DAY AS iv, INTERVAL '1-2' YEAR TO MONTH AS ym, map('a', 1, 'b', 2, 'c', 3, 'd', 4, 'e', 5) AS m5,"
            + " TIMESTAMP'1000-01-01 00:00:00' AS old, parse_json('{\"a\":1,\"b\":[2]}') AS v, array(named_struct('k', CAST(NULL AS INT))) AS an";
    /** Numbers of each kind in rows of different widths, so the table's right alignment shows. */
    static final String ALIGNED = "SELECT * FROM VALUES (CAST(1 AS TINYINT), CAST(1 AS SMALLINT), CAST(1.5 AS FLOAT), CAST(1 AS DECIMAL(6,1)), 'x'),"
            + " (CAST(100 AS TINYINT), CAST(1000 AS SMALLINT), CAST(123.25 AS FLOAT), CAST(1234.5 AS DECIMAL(6,1)), 'long text') AS t(b, s, f, dec, str)";

    /**
     * {@code query} through the server ({@code ConnectClient}: the protocol's calls and Arrow batches) prints
     * what a session of the command's own prints, in every format: values of every kind, a sweep's rows, and
     * the table format's cut at 10000 rows. A statement that fails leaves --output as it was.
     */
    @Test
    @Order(4)
    void theServersAnswerPrintsAsASessionOfItsOwn() throws IOException {
        String runs = "SELECT run_id, d, step_size, activation, loss, steps, status FROM runs ORDER BY run_id";
        for (String sql : List.of(TYPED, ALIGNED, runs, "SELECT id FROM range(10005)")) {
            for (String format : List.of("table", "csv", "json")) {
                Cli remote = cli("query", finished.toString(), sql, "--format", format);
                assertEquals(0, remote.code(), remote.err());
                assertTrue(remote.err().contains("answered by the Spark Connect server"), remote.err());
                Cli own = cli("query", finished.toString(), sql, "--format", format, "--local");
                assertEquals(0, own.code(), own.err());
                assertEquals(own.out(), remote.out(), sql + " as " + format);
            }
        }
        Cli typed = cli("query", finished.toString(), TYPED);
        String row = typed.out().lines().skip(2).findFirst().orElseThrow();
        for (String cell : List.of("| 1.5 |", "| 1e-07 |", "| 1.100 |", "| a,b\"c |", "| NULL |", "| 2026-12-01 10:11:12.123456 |",
                "| [1.5, 2.0] |", "| {k=1} |", "| {x=1, y=[p, q]} |", "| X'CAFE' |", "| P1Y2M |", "| {a=1, b=2, c=3, d=4, e=5} |",
                "| 1000-01-01 00:00:00.0 |", "| {\"a\":1,\"b\":[2]} |", "| [{k=null}]")) {
            assertTrue(row.contains(cell), cell + " in " + row);
        }
        assertEquals(List.of("b   | s    | f      | dec    | str", "----+------+--------+--------+----------", "  1 |    1 |    1.5 |    1.0 | x",
                "100 | 1000 | 123.25 | 1234.5 | long text", "(2 rows)"), cli("query", finished.toString(), ALIGNED).out().lines().toList());
        assertTrue(cli("query", finished.toString(), "SELECT id FROM range(10005)").out()
                .endsWith("(10000 rows, more not shown; use --format csv)\n"));

        Path out = work.resolve("answer.csv");
        Files.writeString(out, "earlier\n");
        Cli bad = cli("query", finished.toString(), "SELEC 1", "--output", out.toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'"), bad.err());
        assertEquals("earlier\n", Files.readString(out));
        Cli badOwn = cli("query", finished.toString(), "SELEC 1", "--local", "--output", out.toString());
        assertEquals(2, badOwn.code(), badOwn.err());
        assertTrue(badOwn.err().contains("[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'"), badOwn.err());
        assertEquals("earlier\n", Files.readString(out));
        Cli good = cli("query", finished.toString(), "SELECT count(*) AS n FROM runs", "--output", out.toString(), "--format", "csv");
        assertEquals(0, good.code(), good.err());
        assertEquals("n\n" + SweepFixtures.POINTS + "\n", Files.readString(out));
        try (java.util.stream.Stream<Path> left = Files.list(work)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    /** A client of the released artifact, run by the JDK's source launcher on the client's classpath alone. */
    static final String CLIENT = String.join("\n",
            "import org.apache.spark.sql.SparkSession;",
            "public class Client {",
            "    public static void main(String[] a) {",
            "        SparkSession s = SparkSession.builder().remote(a[0]).getOrCreate();",
            "        System.out.println(\"answer \" + s.sql(a[1]).first().get(0));",
            "        System.exit(0);",
            "    }",
            "}", "");

    /**
     * The released Spark Connect JVM client ({@code spark-connect-client-jvm}, which the connect-client module
     * copies with its dependencies) asks the server from a JVM of its own: with only that client on its
     * classpath, {@code SparkSession.builder()} is the Connect builder.
     */
    @Test
    @Order(5)
    void theReleasedConnectJvmClientAsksTheServer() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.exists(root.resolve("submit.sh"))) {
            root = root.getParent();
        }
        Path lib = root.resolve("connect-client").resolve("target").resolve("lib");
        assertTrue(Files.isRegularFile(lib.resolve("spark-connect-client-jvm_2.13-" + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ".jar")),
                "the connect-client module copies the client: " + lib);
        Path src = work.resolve("Client.java");
        Files.writeString(src, CLIENT);
        String flags = java.util.regex.Pattern.compile("<spark.jvm.flags>(.*)</spark.jvm.flags>").matcher(Files.readString(root.resolve("pom.xml")))
                .results().findFirst().orElseThrow().group(1);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(flags.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", lib + File.separator + "*", src.toString(), url, "SELECT count(*) FROM tiny.runs"));
        Path out = work.resolve("client.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "the client did not finish: " + Files.readString(out));
        assertEquals(0, p.exitValue(), Files.readString(out));
        assertTrue(Files.readAllLines(out).contains("answer " + SweepFixtures.POINTS), Files.readString(out));
    }

    @Test
    @Order(6)
    void badInputIsRefusedWithExitTwo() throws IOException {
        Path empty = Files.createDirectories(work.resolve("empty"));
        Cli notSweep = cli("serve", empty.toString());
        assertEquals(2, notSweep.code(), notSweep.err());
        assertTrue(notSweep.err().contains(empty.toString()), notSweep.err());
        String port = url.substring(url.lastIndexOf(':') + 1);
        Cli taken = cli("serve", finished.toString(), "--port", port);
        assertEquals(2, taken.code(), taken.err());
        assertTrue(taken.err().contains("port " + port + " on 127.0.0.1 is in use"), taken.err());
        Cli noServer = cli("query", finished.toString(), "SELECT 1", "--remote", "sc://127.0.0.1:1");
        assertEquals(2, noServer.code(), noServer.err());
        assertTrue(noServer.err().contains("no Spark Connect server answers at sc://127.0.0.1:1"), noServer.err());
    }

    @Test
    @Order(7)
    void sigtermStopsTheServerAndRemovesItsFiles() throws Exception {
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        server.destroy(); // SIGTERM
        assertTrue(server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "serve did not stop:\n" + Files.readString(log));
        assertTrue(Files.readString(log).contains("serve: stopping"), Files.readString(log));
        // the clients of the earlier tests closed their sessions: no release's error, nor its stack trace, in the log
        assertFalse(Files.readString(log).contains("releaseSession") || Files.readString(log).contains("ConnectHelper"),
                Files.readString(log));
        assertFalse(Files.exists(finished.resolve(Endpoint.SERVER_FILE)));
        assertFalse(Files.exists(running.resolve(Endpoint.SERVER_FILE)));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            throw new AssertionError("port " + port + " still accepts connections");
        } catch (IOException expected) {
            // closed
        }
        Cli q = cli("query", finished.toString(), "SELECT count(*) AS n FROM runs", "--format", "csv");
        assertEquals(0, q.code(), q.err());
        assertFalse(q.err().contains("answered by"), "no server file, so a session of its own: " + q.err());
    }
}
