package org.deqsweep.sweep;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.train.Runner;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.Test;

/**
 * The table rebuild's duplicate handling (the run_id shuffle runs only when two attempts' waves are
 * committed) and the sweep's waves in flight: a wave whose job fails stops the sweep, the waves committed
 * before it stay, no table is written, and --resume completes the output.
 */
class WaveAndRebuildTest extends SparkTestBase {

    @Test
    void rebuildDropsARunIdCommittedByTwoAttempts() throws IOException {
        Path out = tmp.resolve("out");
        SweepFixtures.copyTree(SweepFixtures.referenceSweep().resolve("out"), out);
        OutputDir dir = new OutputDir(out.resolve("tiny"));
        assertFalse(TableBuilder.mayHoldDuplicates(dir, false), "one attempt, distinct grid points");
        assertTrue(TableBuilder.mayHoldDuplicates(dir, true), "a grid that repeats a point");
        // a second attempt that committed a wave of the first again (what the dedup guards against)
        Path first = SweepFixtures.local(dir.committedWaves().get(0));
        long repeated = spark().read().parquet(first.toString()).count();
        assertTrue(repeated > 0);
        SweepFixtures.copyTree(first, SweepFixtures.local(dir.wave(2, 0)));
        assertTrue(TableBuilder.mayHoldDuplicates(dir, false));

        List<String> varying = SpecParser.parse(SweepFixtures.SPEC, "tiny.yaml", List.of()).varyingKeys();
        TableBuilder.rebuild(spark(), dir, varying, false);
        assertEquals(SweepFixtures.POINTS + repeated, SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS).count(),
                "without the dedup the repeated wave shows twice");
        TableBuilder.rebuild(spark(), dir, varying, TableBuilder.mayHoldDuplicates(dir, false));
        Dataset<Row> runs = SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS);
        assertEquals(SweepFixtures.POINTS, runs.count());
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(runs));
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.SUMMARY)),
                SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.SUMMARY)));
    }

    /** Released when the partner wave has started a run; the poisoned point waits for it (same JVM: local mode). */
    private static volatile CountDownLatch partnerStarted;

    @Test
    void aFailedWaveStopsTheSweepAndResumeCompletesIt() throws Exception {
        SweepSpec spec = SpecParser.parse(SweepFixtures.SPEC, "tiny.yaml", List.of());
        OutputDir dir = new OutputDir(tmp.resolve("tiny"));
        Files.createDirectories(SweepFixtures.local(dir.path()));
        // 3 waves of 8, two in flight. A point of wave 1 throws an Error: not a run's failure, which would be
        // a row, but a task failure, as when an executor dies for good. It throws only once wave 2 (started
        // when wave 0 committed) is running, so the failure always meets a partner wave in flight, whose
        // runs take a while: without the cancel, that partner would go on writing after the sweep returned.
        String poisoned = SweepFixtures.runIdsAt(spec, 12, 13).iterator().next();
        Set<String> partner = SweepFixtures.runIdsAt(spec, 16, 24);
        partnerStarted = new CountDownLatch(1);
        SweepJob.RunFn failing = cfg -> {
            if (partner.contains(cfg.runId())) {
                partnerStarted.countDown();
                sleep(300);
            } else if (cfg.runId().equals(poisoned)) {
                await(partnerStarted);
                throw new AssertionError("poisoned point " + poisoned);
            }
            return Runner.run(cfg);
        };
        StringWriter console = new StringWriter();
        SweepJob job = new SweepJob(spark(), spec, dir, false, new PrintWriter(console, true), failing);
        RuntimeException e = assertThrows(RuntimeException.class, job::run);
        assertTrue(String.valueOf(e.getMessage()).contains("poisoned") || String.valueOf(e.getCause()).contains("poisoned"),
                String.valueOf(e));
        assertEquals(0, partnerStarted.getCount(), "the partner wave was in flight when the failure came");
        com.fasterxml.jackson.databind.JsonNode manifest = new ObjectMapper().readTree(SweepFixtures.local(dir.manifest()).toFile());
        assertEquals("failed", manifest.get("status").asText());
        assertTrue(manifest.get("failure").asText().contains("poisoned point " + poisoned), manifest.toString());
        assertEquals(List.of(dir.wave(1, 0)), dir.committedWaves(), "only wave 0 ended before the failure");
        for (String t : List.of(Tables.RUNS, Tables.SUMMARY)) {
            assertFalse(Files.exists(SweepFixtures.local(dir.table(t))), t + " written after a failed wave");
        }
        // the partner was cancelled and awaited: no uncommitted wave now, and nothing appears later
        List<String> after = tree(SweepFixtures.local(dir.path()));
        assertEquals(List.of(), dir.uncommittedWaves(), "uncommitted waves left: " + after);
        Thread.sleep(1500);
        assertEquals(after, tree(SweepFixtures.local(dir.path())), "something wrote into the output after the sweep returned");

        SweepJob resumed = new SweepJob(spark(), spec, dir, true, new PrintWriter(console, true));
        SweepJob.Outcome o = resumed.run();
        assertEquals(SweepFixtures.POINTS - o.alreadyPresent(), o.trained());
        assertEquals(8, o.alreadyPresent(), "the committed wave was kept");
        Dataset<Row> runs = SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS);
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(runs));
        assertEquals(List.of(), dir.uncommittedWaves(), "uncommitted waves left");
        RunConfig any = spec.toGrid().config(0);
        assertEquals(1, runs.filter(runs.col("run_id").equalTo(any.runId())).count());

        // a resume of the complete output: nothing trained, and no wave job at all (the driver sees every
        // wave's points committed); the rebuild's jobs, later on the same ordered bus, show the count is complete
        java.util.List<String> jobs = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
                jobs.add(start.properties().getProperty("spark.job.description", ""));
            }
        };
        spark().sparkContext().addSparkListener(listener);
        try {
            SweepJob.Outcome again = new SweepJob(spark(), spec, dir, true, new PrintWriter(console, true)).run();
            spark().sparkContext().listenerBus().waitUntilEmpty(60_000);
            assertEquals(0, again.trained());
            assertEquals(SweepFixtures.POINTS, again.alreadyPresent());
            assertTrue(jobs.stream().anyMatch(d -> d.startsWith("rebuild")), "the rebuild's jobs were seen: " + jobs);
            assertEquals(List.of(), jobs.stream().filter(d -> d.startsWith("wave")).toList(), "wave jobs of a complete output");
        } finally {
            spark().sparkContext().removeSparkListener(listener);
        }
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.referenceDir(), Tables.RUNS)),
                SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS)));
    }

    /** While set, the test's poisoned point fails its task (read in the executor's thread: same JVM, local mode). */
    private static volatile String poisonedOnce;

    @Test
    void automaticWavesGrowAndAResumeAcrossOtherWaveBoundariesKeepsEachRunOnce() throws Exception {
        // 1500 cheap points (about a millisecond each): the first waves have 8 points per task, and a wave of them
        // takes far less than the 10 s the later waves are sized to, so each later wave grows, up to 8x
        SweepSpec spec = SpecParser.parse(String.join("\n", "name: grow", "family: general_deq", "grid:",
                "  seed: range(0, 30)", "  step_size: logspace(0.001, 0.1, 50)",
                "fixed: {d: 2, width: 2, n: 10, max_steps: 20}", "job: {record_curves: false}", ""), "grow.yaml", List.of());
        org.deqsweep.sweep.spec.DryRunPlan plan = SweepJob.plan(spec, spark().sparkContext().defaultParallelism());
        assertTrue(plan.wavesGrow(), plan.describe());
        assertEquals(8L * plan.partitions(), plan.waveSize());
        StringWriter console = new StringWriter();

        OutputDir clean = new OutputDir(tmp.resolve("clean"));
        Files.createDirectories(SweepFixtures.local(clean.path()));
        SweepJob.Outcome o = new SweepJob(spark(), spec, clean, false, new PrintWriter(console, true)).run();
        assertEquals(1500, o.trained());
        assertTrue(o.waves() <= plan.waves() / 2, o.waves() + " waves, " + plan.waves() + " at the first size");
        assertEquals(o.waves(), clean.committedWaves().size());
        com.fasterxml.jackson.databind.JsonNode manifest = new ObjectMapper().readTree(SweepFixtures.local(clean.manifest()).toFile());
        assertEquals(o.waves(), manifest.get("waves_run").asLong());
        assertEquals(plan.waves(), manifest.get("waves").asLong());
        List<Long> sizes = new java.util.ArrayList<>();
        for (org.apache.hadoop.fs.Path w : clean.committedWaves()) {
            sizes.add(spark().read().parquet(w.toString()).count());
        }
        assertEquals(List.of(plan.waveSize(), plan.waveSize()), sizes.subList(0, 2), "the two first waves: " + sizes);
        assertTrue(sizes.get(2) > plan.waveSize() && sizes.get(2) <= 8 * plan.waveSize(), "the third wave grew: " + sizes);

        // a sweep that fails in a grown wave keeps its first waves; the resume starts again at the first size, so
        // its waves cut the range elsewhere, and still trains each missing point once
        OutputDir dir = new OutputDir(tmp.resolve("resumed"));
        Files.createDirectories(SweepFixtures.local(dir.path()));
        poisonedOnce = SweepFixtures.runIdsAt(spec, 1400, 1401).iterator().next();
        SweepJob.RunFn failing = cfg -> {
            if (cfg.runId().equals(poisonedOnce)) {
                throw new AssertionError("poisoned point " + cfg.runId());
            }
            return Runner.run(cfg);
        };
        assertThrows(RuntimeException.class, new SweepJob(spark(), spec, dir, false, new PrintWriter(console, true), failing)::run);
        poisonedOnce = null;
        int kept = dir.committedWaves().size();
        assertTrue(kept >= 2, "the first waves committed before the failure: " + kept);
        SweepJob.Outcome resumed = new SweepJob(spark(), spec, dir, true, new PrintWriter(console, true)).run();
        assertTrue(resumed.alreadyPresent() >= 2 * plan.waveSize(), String.valueOf(resumed));
        assertEquals(1500, resumed.trained() + resumed.alreadyPresent());
        Dataset<Row> runs = SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS);
        assertEquals(1500, runs.select("run_id").distinct().count());
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.local(clean.path()), Tables.RUNS)),
                SweepFixtures.canonicalRows(runs));
    }

    /** Every file and directory under {@code root}, relative, sorted. */
    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the partner wave never started");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
