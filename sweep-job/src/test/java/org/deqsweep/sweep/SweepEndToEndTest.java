package org.deqsweep.sweep;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.core.train.Runner;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One local[2] sweep of the 24-point grid, run once for the class through the CLI, then checked:
 * row counts, statuses, run_id uniqueness, the train-once counter, summary and stability against runs,
 * curves, the manifest; then resume, refusal of existing output and of a held lock.
 */
class SweepEndToEndTest extends SparkTestBase {
    static Path shared;
    static Path sweepDir;
    static long trainedBySweep;
    static Cli sweep;

    @BeforeAll
    static void runSweep() throws IOException {
        shared = SweepFixtures.referenceSweep();
        sweepDir = SweepFixtures.referenceDir();
        sweep = SweepFixtures.referenceResult();
        trainedBySweep = SweepFixtures.referenceTrained();
    }

    @Test
    void trainsEachGridPointExactlyOnce() {
        assertEquals(0, sweep.code(), sweep.err());
        assertEquals(SweepFixtures.POINTS, trainedBySweep);
    }

    @Test
    void runsHoldOneRowPerGridPointWithKnownStatuses() {
        SparkSession spark = spark();
        Dataset<Row> runs = SweepFixtures.table(spark, sweepDir, Tables.RUNS);
        assertEquals(SweepFixtures.POINTS, runs.count());
        assertEquals(SweepFixtures.POINTS, runs.select("run_id").distinct().count());
        Set<String> names = new HashSet<>();
        Arrays.stream(Status.values()).forEach(s -> names.add(s.name()));
        for (Row r : runs.select("status").distinct().collectAsList()) {
            assertTrue(names.contains(r.getString(0)), r.getString(0));
        }
        // the config columns carry the spec's names and types
        assertEquals(2, runs.select("d").distinct().count());
        assertEquals(3, runs.select("step_size").distinct().count());
        assertEquals(SweepFixtures.POINTS, runs.filter(col("width").equalTo(4).and(col("n").equalTo(40))).count());
        // the largest step size does not converge
        assertEquals(0, runs.filter(col("step_size").equalTo(20.0).and(col("status").equalTo("CONVERGED"))).count());
        assertTrue(runs.filter(col("status").equalTo("CONVERGED")).count() > 0, "some run converges");
    }

    @Test
    void failuresAreExactlyTheFailedRuns() {
        SparkSession spark = spark();
        Dataset<Row> runs = SweepFixtures.table(spark, sweepDir, Tables.RUNS);
        Dataset<Row> failures = SweepFixtures.table(spark, sweepDir, Tables.FAILURES);
        long failed = runs.filter(col("status").isin(Tables.failureStatuses().toArray())).count();
        assertEquals(failed, failures.count());
        assertTrue(failed > 0, "the step size 20 fails");
        assertTrue(Arrays.asList(failures.columns()).containsAll(List.of("run_id", "d", "activation", "step_size", "seed",
                "status", "step_at_failure", "last_finite_loss", "failure_reason")));
        assertEquals(0, failures.filter(col("failure_reason").equalTo("")).count(), "every failure says why");
    }

    @Test
    void summaryAddsUpToRuns() {
        SparkSession spark = spark();
        Dataset<Row> summary = SweepFixtures.table(spark, sweepDir, Tables.SUMMARY);
        // groups: d x activation x step_size (seed folded in), 2 seeds each
        assertEquals(SweepFixtures.POINTS / 2, summary.count());
        for (Row r : summary.collectAsList()) {
            long runs = r.getLong(r.fieldIndex("runs"));
            assertEquals(2, runs);
            long byStatus = 0;
            for (Status s : Status.values()) {
                byStatus += r.getLong(r.fieldIndex(TableBuilder.statusColumn(s)));
            }
            assertEquals(runs, byStatus);
            double frac = r.getDouble(r.fieldIndex("converged_fraction"));
            assertEquals(r.getLong(r.fieldIndex("n_converged")) / (double) runs, frac, 1e-12);
        }
        Dataset<Row> stability = SweepFixtures.table(spark, sweepDir, Tables.STABILITY);
        assertEquals(4, stability.count(), "d x activation");
        assertEquals(SweepFixtures.POINTS, stability.agg(org.apache.spark.sql.functions.sum("runs")).first().getLong(0));
        assertFalse(Arrays.asList(stability.columns()).contains("step_size"));
        // step size 20 fails for every (d, activation)
        assertEquals(0, stability.filter(col("min_any_failed_step_size").isNull()).count());
        assertFalse(Arrays.asList(stability.columns()).contains("seed"));
        // the theory side: the edge-of-stability step at init, positive and finite in every group
        assertEquals(0, stability.filter(col("step_theory").isNull().or(col("step_theory").leq(0))).count());
    }

    @Test
    void curvesBelongToRuns() {
        SparkSession spark = spark();
        Dataset<Row> curves = SweepFixtures.table(spark, sweepDir, Tables.CURVES);
        Dataset<Row> runs = SweepFixtures.table(spark, sweepDir, Tables.RUNS);
        assertTrue(curves.count() >= SweepFixtures.POINTS);
        assertEquals(0, curves.join(runs, curves.col("run_id").equalTo(runs.col("run_id")), "left_anti").count());
        assertEquals(Arrays.asList(Tables.CURVES_SCHEMA.fieldNames()), Arrays.asList(curves.columns()));
    }

    @Test
    void manifestRecordsThePlanAndTheOutcome() throws IOException {
        JsonNode m = new ObjectMapper().readTree(sweepDir.resolve(OutputDir.MANIFEST).toFile());
        assertEquals("completed", m.get("status").asText());
        assertEquals(SweepFixtures.POINTS, m.get("grid_size").asLong());
        assertEquals(SweepFixtures.POINTS, m.get("runs").asLong());
        assertEquals(3, m.get("waves").asLong());
        assertTrue(m.get("spec").get("raw").asText().contains("name: tiny"));
        assertEquals(spark().version(), m.get("versions").get("spark").asText());
        assertFalse(Files.exists(sweepDir.resolve(OutputDir.LOCK)), "the lock is released");
        assertTrue(sweep.err().contains(SweepFixtures.POINTS + "/" + SweepFixtures.POINTS + " done"), sweep.err());
    }

    @Test
    void resumeTrainsOnlyTheMissingRuns() throws IOException {
        Path out = tmp.resolve("out");
        SweepFixtures.writeSpec(tmp);
        SweepFixtures.copyTree(shared.resolve("out"), out);
        Path copy = out.resolve("tiny");
        List<Path> waves = SweepFixtures.local(new OutputDir(copy).committedWaves());
        assertEquals(3, waves.size());
        long removed = spark().read().parquet(waves.get(1).toString()).count();
        OutputDir.deleteTree(waves.get(1));
        // the tables still hold the removed runs: resume must not count them as present
        long before = Runner.invocations();
        Cli r = cli(tmp.resolve("tiny.yaml").toString(), "--out", out.toString(), "--resume");
        long trained = Runner.invocations() - before;
        assertEquals(0, r.code(), r.err());
        assertEquals(removed, trained);
        Dataset<Row> runs = SweepFixtures.table(spark(), copy, Tables.RUNS);
        assertEquals(SweepFixtures.POINTS, runs.count());
        assertEquals(SweepFixtures.POINTS, runs.select("run_id").distinct().count());
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), sweepDir, Tables.RUNS)),
                SweepFixtures.canonicalRows(runs));
    }

    @Test
    void refusesExistingOutputWithoutResumeOrOverwrite() throws IOException {
        long before = Runner.invocations();
        long mtime = Files.getLastModifiedTime(sweepDir.resolve(OutputDir.MANIFEST)).toMillis();
        Cli r = cli(shared.resolve("tiny.yaml").toString(), "--out", shared.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume") && r.err().contains("--overwrite"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals(before, Runner.invocations());
        assertEquals(mtime, Files.getLastModifiedTime(sweepDir.resolve(OutputDir.MANIFEST)).toMillis());
    }

    @Test
    void refusesASecondSweepOnTheSameOutput() throws IOException {
        Path spec = SweepFixtures.writeSpec(tmp);
        Path dir = tmp.resolve("out").resolve("tiny");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(OutputDir.LOCK), ProcessHandle.current().pid() + "@" + OutputDir.host() + "\n");
        Cli r = cli(spec.toString(), "--out", tmp.resolve("out").toString(), "--resume");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Another sweep"), r.err());
        assertTrue(Files.exists(dir.resolve(OutputDir.LOCK)), "someone else's lock is left alone");
    }

    @Test
    void refusesABadSpecBeforeWritingAnything() throws IOException {
        Path spec = tmp.resolve("bad.yaml");
        Files.writeString(spec, SweepFixtures.SPEC.replace("activation: [tanh, sigmoid]", "activation: [tanh, nosuch]"));
        Cli r = cli(spec.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("grid.activation"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }
}
