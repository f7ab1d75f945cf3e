package org.deqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sweep on a real Spark standalone cluster (a Master and two 1-core Workers on 127.0.0.1, started by
 * {@code ./submit.sh cluster start} once for the class) with faults: the cluster's rows equal the local
 * reference sweep's, a second sweep on the same output is refused while the first runs, a killed driver
 * is completed by {@code --resume} without losing or duplicating a run, and a worker killed by SIGKILL
 * mid-sweep does not lose a run; the last two again with the output on an in-process HDFS (MiniDFSCluster on
 * loopback, started and stopped here). Every sweep is a child process through {@code submit.sh}, with an
 * application jar built here from the test classpath (so {@code mvn test} needs no package step).
 * Skip with {@code mvn test -DexcludedGroups=cluster}.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest extends SparkTestBase {
    private static final long WAIT_S = 300;
    /** The fault sweeps cut the 24-point grid into 12 waves of 2, so there is time to strike between commits. */
    private static final int FAULT_WAVE = 2;

    static Path root;
    static Path work;
    static Path spec;
    static Map<String, String> env;
    static String masterUrl;
    /** An in-process HDFS on loopback the cluster's executors write to. */
    static org.apache.hadoop.hdfs.MiniDFSCluster hdfs;
    static String hdfsUri;

    @BeforeAll
    static void startCluster() throws Exception {
        root = Path.of("").toAbsolutePath();
        if (!Files.exists(root.resolve("submit.sh"))) {
            root = root.getParent();
        }
        work = Files.createTempDirectory("deq-cluster-test");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path cpFile = work.resolve("classpath.txt");
        Files.writeString(cpFile, cp.replace(File.pathSeparator, ":"));
        Path jar = appJar(cp, work.resolve("app.jar"));
        env = new HashMap<>();
        env.put("DEQ_APP_JAR", jar.toString());
        env.put("DEQ_CLASSPATH_FILE", cpFile.toString());
        env.put("DEQ_CLUSTER_DIR", work.resolve("cluster").toString());
        env.put("DEQ_SPARK_HOME", work.resolve("spark-home").toString());
        env.put("DEQ_MASTER_PORT", Integer.toString(freePort()));
        env.put("DEQ_MASTER_UI_PORT", Integer.toString(freePort()));
        env.put("DRIVER_MEMORY", "1g");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        // every JVM started here (drivers, daemons, executors) keeps its temp files under work, which stopCluster
        // deletes: a driver this test SIGKILLs cannot remove the spark-* directory SparkSubmit made in java.io.tmpdir
        env.put("JDK_JAVA_OPTIONS", "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")));
        spec = SweepFixtures.writeSpec(work);
        SweepFixtures.referenceSweep(); // the local[2] reference, in this JVM
        org.apache.hadoop.conf.Configuration hconf = new org.apache.hadoop.conf.Configuration();
        hconf.set(org.apache.hadoop.hdfs.MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("hdfs").toString());
        hdfs = new org.apache.hadoop.hdfs.MiniDFSCluster.Builder(hconf).numDataNodes(1).build();
        hdfs.waitActive();
        hdfsUri = hdfs.getURI().toString();
        Path log = work.resolve("cluster-start.log");
        Process p = submit(log, "cluster", "start");
        assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS), "cluster start finished");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        List<String> lines = text.lines().filter(l -> l.startsWith("spark://")).toList();
        masterUrl = lines.get(lines.size() - 1);
        assertEquals("spark://127.0.0.1:" + env.get("DEQ_MASTER_PORT"), masterUrl);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (work == null) {
            return;
        }
        Process p = submit(work.resolve("cluster-stop.log"), "cluster", "stop");
        p.waitFor(60, TimeUnit.SECONDS);
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
        OutputDir.deleteTree(work);
    }

    /** (a) and (d): rows equal to local[2]'s; a second sweep on the same output meanwhile is refused by the lock. */
    @Test
    @Order(1)
    void clusterRunEqualsLocalRunAndRefusesASecondSweep() throws Exception {
        Path out = work.resolve("out-a");
        Path dir = out.resolve("tiny");
        Process first = sweep(work.resolve("a.log"), "--out", out.toString());
        waitFor(() -> Files.exists(dir.resolve(OutputDir.LOCK)), first, "the first sweep takes the lock");

        Path secondLog = work.resolve("a-second.log");
        Process second = sweep(secondLog, "--out", out.toString());
        assertTrue(second.waitFor(WAIT_S, TimeUnit.SECONDS));
        String refusal = Files.readString(secondLog);
        assertEquals(2, second.exitValue(), refusal);
        assertTrue(refusal.contains("Another sweep") && refusal.contains(dir.resolve(OutputDir.LOCK).toString()), refusal);
        Cli resumeToo = cli(spec.toString(), "--out", out.toString(), "--resume");
        assertEquals(2, resumeToo.code(), resumeToo.err());
        assertTrue(resumeToo.err().contains(OutputDir.LOCK), resumeToo.err());
        assertTrue(first.isAlive(), "refused while the first sweep was running");

        String log = finish(first, work.resolve("a.log"));
        assertTrue(log.contains("24 trained (") && log.contains("0 already present"), log);
        assertSameAsReference(dir);
        assertFalse(Files.exists(dir.resolve(OutputDir.LOCK)), "the lock is released");
    }

    /** (c): the driver killed by SIGKILL after a committed wave; --resume trains exactly the rest. */
    @Test
    @Order(2)
    void killedDriverIsCompletedByResume() throws Exception {
        Path out = work.resolve("out-c");
        killDriverAndResume(out.toString(), new OutputDir(out.resolve("tiny")), "c");
    }

    /** The same on HDFS: the sweep writes hdfs://, the driver is killed, --resume completes it. */
    @Test
    @Order(4)
    void killedDriverOnHdfsIsCompletedByResume() throws Exception {
        String out = hdfsUri + "/sweeps/c";
        killDriverAndResume(out, new OutputDir(out + "/tiny", new org.apache.hadoop.conf.Configuration()), "hdfs-c");
    }

    private void killDriverAndResume(String out, OutputDir dir, String name) throws Exception {
        Path log = work.resolve(name + ".log");
        Process driver = sweep(log, "--out", out, "--set", "job.wave_size=" + FAULT_WAVE);
        waitFor(() -> !dir.committedWaves().isEmpty(), driver, "a first committed wave");
        assertTrue(driver.isAlive(), "the driver is still running");
        driver.destroyForcibly(); // SIGKILL: submit.sh execs the driver JVM, so this is its pid
        assertTrue(driver.waitFor(60, TimeUnit.SECONDS));

        List<org.apache.hadoop.fs.Path> waves = dir.committedWaves();
        long committed = 0;
        Set<String> ids = new HashSet<>();
        for (org.apache.hadoop.fs.Path w : waves) {
            for (Row r : spark().read().parquet(w.toString()).select("run_id").collectAsList()) {
                ids.add(r.getString(0));
                committed++;
            }
        }
        assertEquals(committed, ids.size(), "no run twice in the committed waves");
        assertTrue(waves.size() < SweepFixtures.POINTS / FAULT_WAVE, "killed before the last wave: " + waves.size());
        long doneAtKill = lastProgress(Files.readString(log));
        assertTrue(doneAtKill - committed <= FAULT_WAVE,
                "at most one wave lost: " + doneAtKill + " done at the last progress line, " + committed + " committed");
        System.out.printf("killed driver (%s): %d waves committed (%d runs), %d uncommitted left, %d runs done at the last"
                + " progress line%n", out, waves.size(), committed, dir.uncommittedWaves().size(), doneAtKill);

        String resumed = finish(sweep(work.resolve(name + "-resume.log"), "--out", out, "--resume",
                "--set", "job.wave_size=" + FAULT_WAVE), work.resolve(name + "-resume.log"));
        long trained = SweepFixtures.POINTS - committed;
        assertTrue(resumed.contains(trained + " trained (") && resumed.contains(committed + " already present"), resumed);
        System.out.printf("resume (%s): %d trained, %d already present%n", out, trained, committed);
        assertEquals(List.of(), dir.uncommittedWaves(), "the killed driver's uncommitted waves were removed");
        assertSameAsReference(dir);
    }

    /** (b): one worker killed by SIGKILL after a committed wave; the sweep completes on the other. */
    @Test
    @Order(3)
    void killedWorkerLosesNoRun() throws Exception {
        Path out = work.resolve("out-b");
        killWorker(out.toString(), new OutputDir(out.resolve("tiny")), "b");
    }

    /** The same into hdfs://, after the cluster has its two workers again. */
    @Test
    @Order(5)
    void killedWorkerLosesNoRunOnHdfs() throws Exception {
        Process restart = submit(work.resolve("cluster-restart.log"), "cluster", "start");
        assertTrue(restart.waitFor(WAIT_S, TimeUnit.SECONDS), "cluster start finished");
        assertEquals(0, restart.exitValue(), Files.readString(work.resolve("cluster-restart.log")));
        String out = hdfsUri + "/sweeps/b";
        killWorker(out, new OutputDir(out + "/tiny", new org.apache.hadoop.conf.Configuration()), "hdfs-b");
    }

    private void killWorker(String out, OutputDir dir, String name) throws Exception {
        Path log = work.resolve(name + ".log");
        Process driver = sweep(log, "--out", out, "--set", "job.wave_size=" + FAULT_WAVE);
        waitFor(() -> !dir.committedWaves().isEmpty(), driver, "a first committed wave");
        long pid = Long.parseLong(Files.readString(work.resolve("cluster").resolve("worker-1.pid")).trim());
        ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
        int before = dir.committedWaves().size();
        assertTrue(driver.isAlive(), "the sweep is still running");
        assertTrue(worker.destroyForcibly(), "SIGKILL sent to worker-1");
        System.out.printf("killed worker-1 (pid %d) after %d of %d waves, output %s%n", pid, before,
                SweepFixtures.POINTS / FAULT_WAVE, out);
        assertTrue(before < SweepFixtures.POINTS / FAULT_WAVE);

        String text = finish(driver, log);
        assertTrue(text.contains(SweepFixtures.POINTS + " trained ("), text);
        assertSameAsReference(dir);
    }

    // ---- helpers

    private static void assertSameAsReference(Path dir) throws IOException {
        assertSameAsReference(new OutputDir(dir));
    }

    /** Every table of the sweep at {@code dir} (any file system) equals the local reference's. */
    private static void assertSameAsReference(OutputDir dir) throws IOException {
        Dataset<Row> runs = TableBuilder.readRuns(spark(), dir.table(Tables.RUNS));
        assertEquals(SweepFixtures.POINTS, runs.count());
        assertEquals(SweepFixtures.POINTS, runs.select("run_id").distinct().count());
        for (String t : Tables.ALL) {
            Dataset<Row> df = t.equals(Tables.RUNS) ? runs : spark().read().parquet(dir.table(t).toString());
            assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), t)),
                    SweepFixtures.canonicalRows(df), t);
        }
    }

    /** The done count of the last progress line ("[tiny] 7/24 done ..."), 0 when none was printed. */
    private static long lastProgress(String log) {
        Matcher m = Pattern.compile("\\[tiny] (\\d+)/" + SweepFixtures.POINTS + " done").matcher(log);
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, Process p, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!c.ok()) {
            assertTrue(p.isAlive(), "the sweep ended before " + what);
            assertTrue(System.nanoTime() < deadline, "no " + what + " within " + WAIT_S + " s");
            Thread.sleep(100);
        }
    }

    private static String finish(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS), "sweep finished within " + WAIT_S + " s");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static Process sweep(Path log, String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of(spec.toString(), "--master", masterUrl));
        a.addAll(List.of(args));
        return submit(log, a.toArray(String[]::new));
    }

    private static Process submit(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("submit.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("SPARK_HOME");
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The application jar the shade plugin would build, from the test classpath: this module's and
     * solver-core's classes plus EJML and picocli (which the cluster's SPARK_HOME leaves out).
     */
    static Path appJar(String classpath, Path jar) throws IOException {
        Set<String> seen = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String e : classpath.split(Pattern.quote(File.pathSeparator))) {
                Path p = Path.of(e);
                String name = p.getFileName() == null ? "" : p.getFileName().toString();
                if (Files.isDirectory(p) && e.endsWith("classes") && !e.endsWith("test-classes")) {
                    try (Stream<Path> s = Files.walk(p)) {
                        for (Path f : s.filter(Files::isRegularFile).toList()) {
                            add(out, seen, p.relativize(f).toString().replace(File.separatorChar, '/'), Files.newInputStream(f));
                        }
                    }
                } else if (name.endsWith(".jar") && (name.startsWith("solver-core") || name.startsWith("ejml")
                        || name.startsWith("picocli"))) {
                    try (JarFile jf = new JarFile(p.toFile())) {
                        for (JarEntry je : java.util.Collections.list(jf.entries())) {
                            if (!je.isDirectory()) {
                                add(out, seen, je.getName(), jf.getInputStream(je));
                            }
                        }
                    }
                }
            }
        }
        return jar;
    }

    private static void add(JarOutputStream out, Set<String> seen, String name, InputStream in) throws IOException {
        try (in) {
            if (name.startsWith("META-INF/") && (name.endsWith(".SF") || name.endsWith(".DSA") || name.endsWith(".RSA")
                    || name.equals("META-INF/MANIFEST.MF")) || name.endsWith("module-info.class") || !seen.add(name)) {
                return;
            }
            out.putNextEntry(new JarEntry(name));
            in.transferTo(out);
            out.closeEntry();
        }
    }
}
