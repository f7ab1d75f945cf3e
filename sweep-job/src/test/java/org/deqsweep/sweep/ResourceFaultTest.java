package org.deqsweep.sweep;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.core.train.MemoryEstimate;
import org.deqsweep.core.train.Runner;
import org.deqsweep.sweep.engine.SweepFailure;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.engine.SweepLog;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.Test;

/**
 * Resource faults (DESIGN 5): a point too large for a task's heap is refused before any work; a run that
 * still runs out of heap is an ERROR row, not a dead executor; a storage failure ends the command with one
 * paragraph and a --resume line that continues it.
 */
class ResourceFaultTest extends SparkTestBase {

    private Path spec(String yaml) throws IOException {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void aPointTooLargeForATaskIsRefusedBeforeAnyWork() throws IOException {
        Path f = spec("""
                name: big
                family: general_deq
                grid:
                  width: [8, 20000]
                  seed: [0, 1]
                fixed: {n: 100, d: 4, max_steps: 10}
                """);
        Path out = tmp.resolve("out");
        Cli r = cli(f.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        String msg = r.err();
        assertTrue(msg.contains("grid point {width=20000, seed=0}"), msg);
        assertTrue(msg.matches("(?s).*needs about [0-9.]+ GiB of heap for one run.*"), msg);
        assertTrue(msg.contains("a task has") && msg.contains("the driver heap of"), msg);
        assertTrue(msg.contains("DRIVER_MEMORY=") && msg.contains("spark.memory.fraction"), msg);
        assertFalse(msg.contains("\tat "), "a stack trace: " + msg);
        assertFalse(Files.exists(out), "nothing is written for a refused spec");

        // --dry-run names the largest run and refuses the same way
        Cli dry = cli(f.toString(), "--out", out.toString(), "--dry-run");
        assertEquals(2, dry.code(), dry.err());
        assertTrue(dry.out().contains("memory:     largest run ~") && dry.out().contains("{width=20000, seed=0}")
                && dry.out().contains("does not fit"), dry.out());
        assertFalse(Files.exists(out));

        // one task at a time on a cluster whose executors have 200 GiB: fits
        Cli fits = cli(f.toString(), "--out", out.toString(), "--dry-run", "--master", "spark://127.0.0.1:1",
                "--conf", "spark.executor.memory=200g", "--conf", "spark.executor.cores=1");
        assertEquals(0, fits.code(), fits.err());
        assertFalse(fits.out().contains("does not fit"), fits.out());
    }

    @Test
    void aPointNoJavaArrayCanHoldIsRefusedWhateverTheHeap() throws IOException {
        Path f = spec("""
                name: huge
                family: general_deq
                fixed: {width: 50000, n: 100, d: 4, max_steps: 10}
                """);
        Cli r = cli(f.toString(), "--out", tmp.resolve("out").toString(), "--master", "spark://127.0.0.1:1",
                "--conf", "spark.executor.memory=100000g");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("A (width x width = 50000 x 50000) would hold 2.50e+09 entries, more than a Java array can"),
                r.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aRunOutOfHeapIsAnErrorRowAndTheSweepCompletes() throws IOException {
        // a width whose A alone (width^2 doubles) is more than this JVM's whole heap, yet a legal Java array:
        // the allocation fails at once with "Java heap space", without starving the JVM's other threads
        long heap = Runtime.getRuntime().maxMemory();
        int width = (int) Math.ceil(Math.sqrt(heap / 8.0 * 1.25));
        assertTrue((long) width * width < MemoryEstimate.MAX_ARRAY, "this JVM's heap is too large for the test: " + heap);
        SweepSpec spec = SpecParser.parse("""
                name: oom
                family: general_deq
                grid:
                  width: [4, %d]
                  seed: [0, 1, 2]
                fixed: {n: 40, d: 2, max_steps: 20}
                """.formatted(width), "oom.yaml", List.of());
        OutputDir dir = new OutputDir(tmp.resolve("oom"));
        Files.createDirectories(SweepFixtures.local(dir.path()));
        StringWriter console = new StringWriter();
        // the admission is the command's; the job alone meets the run that does not fit
        SweepJob.Outcome o = new SweepJob(spark(), spec, dir, false, new PrintWriter(console, true)).run();
        assertEquals(6, o.trained());
        assertEquals("completed", new ObjectMapper().readTree(SweepFixtures.local(dir.manifest()).toFile()).get("status").asText());
        Dataset<Row> runs = SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS);
        Dataset<Row> oom = runs.filter(col("width").equalTo(width));
        assertEquals(3, oom.filter(col("status").equalTo("ERROR")
                .and(col("failure_reason").startsWith(Runner.OUT_OF_MEMORY + " (Java heap space): this run needs about"))).count(),
                oom.select("status", "failure_reason").collectAsList().toString());
        assertEquals(0, runs.filter(col("width").equalTo(4).and(col("status").equalTo("ERROR"))).count());
        assertEquals(3, SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.FAILURES).filter(col("status").equalTo("ERROR")).count());
    }

    @Test
    void aStorageFailureIsOneParagraphAndItsResumeLineContinues() throws IOException {
        Path f = SweepFixtures.writeSpec(tmp);
        Path root = tmp.resolve("out");
        Path dir = root.resolve("tiny");
        Files.createDirectories(dir);
        // a real file-system error: the waves' directory is a file, so no wave can be written
        Files.writeString(dir.resolve(OutputDir.WAVES), "in the way\n");
        Cli r = cli(f.toString(), "--out", root.toString());
        assertEquals(1, r.code(), r.err());
        String msg = r.err();
        assertTrue(msg.contains("deq-sweep sweep: could not write the sweep's output: a directory of the output is missing"
                + " or not a directory"), msg);
        assertTrue(msg.contains(dir.resolve(OutputDir.WAVES).toString()), "names the path: " + msg);
        assertTrue(msg.contains("No committed wave is kept (none is in " + dir.resolve(OutputDir.WAVES) + ")"), msg);
        String resume = "./submit.sh " + f + " --out " + root + " --resume";
        assertTrue(msg.contains("continue with:\n  " + resume + "\n"), msg);
        Path log = dir.resolve(SweepLog.FILE);
        assertTrue(msg.contains("The stack trace is in " + log), msg);
        assertFalse(msg.contains("\tat "), "a stack trace on the terminal: " + msg);
        assertEquals(3, msg.substring(msg.indexOf("deq-sweep sweep:")).lines().count(), "a paragraph, the command, the log: " + msg);
        // the cause as the file system gave it: a wave's directory (either of the two in flight) cannot be made under a file
        assertTrue(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(dir.resolve(OutputDir.WAVES).toString())
                + "/a001-w0000[01]: Not a directory\\)").matcher(msg).find(), msg);
        String logged = Files.readString(log);
        assertTrue(logged.contains("the sweep failed") && logged.contains("\tat "), logged);
        assertEquals("failed", new ObjectMapper().readTree(dir.resolve(OutputDir.MANIFEST).toFile()).get("status").asText());

        // the fault mended, the printed command continues the sweep to the reference rows
        Files.delete(dir.resolve(OutputDir.WAVES));
        String[] words = resume.substring("./submit.sh ".length()).split(" ");
        Cli resumed = cli(words);
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(SweepFixtures.table(spark(), dir, Tables.RUNS)));
    }

    @Test
    void committedWavesThatVanishMidSweepFailItInsteadOfShrinkingItsTables() throws IOException {
        SweepSpec spec = SpecParser.parse(SweepFixtures.SPEC, "tiny.yaml", List.of());
        OutputDir dir = new OutputDir(tmp.resolve("tiny"));
        Files.createDirectories(SweepFixtures.local(dir.path()));
        // wave 2 starts only once wave 0 or 1 has committed; its first run removes what is committed, as a
        // user who deletes the output directory of a running sweep does (the next write recreates it)
        Set<String> wave2 = SweepFixtures.runIdsAt(spec, 16, 24);
        Path waves = SweepFixtures.local(dir.wavesDir());
        String wavesDir = waves.toString(); // the function is serialized: no Path in it
        SweepJob.RunFn removing = cfg -> {
            if (wave2.contains(cfg.runId())) {
                removeCommitted(Path.of(wavesDir));
            }
            return Runner.run(cfg);
        };
        SweepJob job = new SweepJob(spark(), spec, dir, false, new PrintWriter(new StringWriter(), true), removing);
        RuntimeException e = assertThrows(RuntimeException.class, job::run);
        SweepFailure f = SweepFailure.of(e, dir, 0, "./submit.sh tiny.yaml --out x --resume", SweepFixtures.local(dir.path()).resolve(SweepLog.FILE));
        assertEquals(SweepFailure.Kind.VANISHED, f.kind(), f.getMessage());
        // usually the next commit finds a committed wave gone; when the removal meets the other wave's job
        // commit in its last step, that job fails on the missing marker instead: the same fault, found earlier
        assertTrue(f.getMessage().contains("a committed wave vanished: the output directory was removed or replaced while"
                + " the sweep ran") || f.getMessage().contains("No such file or directory"), f.getMessage());
        assertTrue(f.getMessage().contains(waves.toString()), f.getMessage());
        for (String t : List.of(Tables.RUNS, Tables.SUMMARY)) {
            assertFalse(Files.exists(SweepFixtures.local(dir.table(t))), t + " written from what was left");
        }
        // --resume trains what vanished and completes the sweep
        new SweepJob(spark(), spec, dir, true, new PrintWriter(new StringWriter(), true)).run();
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS)));
    }

    /**
     * Each of wave 2's runs calls this, in tasks running side by side (one JVM: local mode). Unlocked, two of them
     * could delete the same wave, and the loser's NoSuchFileException escaped its run as an ERROR row, which the resume
     * then kept as committed (seen once in a full suite).
     */
    private static synchronized void removeCommitted(Path waves) {
        try (java.util.stream.Stream<Path> s = Files.list(waves)) {
            // only committed waves: a wave being written is the job's, and removing it fails that job instead
            for (Path w : s.filter(p -> Files.exists(p.resolve(OutputDir.COMMITTED))).toList()) {
                OutputDir.deleteTree(w);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
