package org.deqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.train.Runner;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.Tables;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;

/**
 * A refinement run by the sweep job (DESIGN 4.7) on the closed-form case of issue 15: the explicit model
 * with the identity activation and mse, whose loss has Hessian (2/n) X^T X, so gradient descent
 * diverges exactly above 2 / lambda_max. Two groups (d = 2 and d = 3), three seeds each; with
 * all_converged a group's boundary is the smallest of its seeds' 2 / lambda_max. The sweep is stopped
 * in its first refinement round by a task failure, resumed, resumed again, and then asked for a
 * tighter target; the run_ids of the interrupted sweep equal those of one run straight through.
 */
class RefineSweepTest extends SparkTestBase {

    static final String SPEC = String.join("\n",
            "name: refine-closed-form",
            "family: explicit",
            "grid:",
            "  d: [2, 3]",
            "  step_size: [0.1, 0.3, 1.0, 3.0, 10.0]",
            "  seed: [0, 1, 2]",
            "fixed: {activation: identity, n: 20, max_steps: 20000, tol: 1.0e-8, record_points: 2}",
            "job: {wave_size: 9}",
            "refine: {key: step_size, target_width: 0.02}",
            "");
    static final Set<Double> GRID_STEPS = Set.of(0.1, 0.3, 1.0, 3.0, 10.0);

    /** Refined runs started so far in this JVM (local mode: the tasks run here); the poisoned one is the 7th. */
    private static final AtomicInteger refinedRuns = new AtomicInteger();

    /** The smallest 2 / lambda_max((2/n) X^T X) over the seeds of group d. */
    static double analytic(int d) {
        double min = Double.POSITIVE_INFINITY;
        for (long seed = 0; seed < 3; seed++) {
            Map<String, Object> m = new TreeMap<>(Map.of("family", "explicit", "activation", "identity", "d", d, "n", 20,
                    "step_size", 0.1, "seed", seed));
            DMatrixRMaj x = new DataFactory(RunConfig.fromMap(m)).dataset().x();
            DMatrixRMaj h = new DMatrixRMaj(d, d);
            CommonOps_DDRM.multTransA(x, x, h);
            CommonOps_DDRM.scale(2.0 / x.numRows, h);
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
            assertTrue(eig.decompose(h));
            double lambdaMax = 0;
            for (int i = 0; i < d; i++) {
                lambdaMax = Math.max(lambdaMax, eig.getEigenvalue(i).getReal());
            }
            min = Math.min(min, 2 / lambdaMax);
        }
        return min;
    }

    private SweepJob.Outcome sweep(SweepSpec spec, OutputDir dir, boolean resume, SweepJob.RunFn fn, StringWriter console) {
        return new SweepJob(spark(), spec, dir, resume, new PrintWriter(console, true), fn).run();
    }

    private static Set<String> runIds(Dataset<Row> runs) {
        Set<String> ids = new TreeSet<>();
        for (Row r : runs.select("run_id").collectAsList()) {
            assertTrue(ids.add(r.getString(0)), "run_id " + r.getString(0) + " twice");
        }
        return ids;
    }

    @Test
    void aKilledRefinementResumesAndItsBracketsHoldTwoOverLambdaMax() throws IOException {
        SweepSpec spec = SpecParser.parse(SPEC, "refine.yaml", List.of());
        StringWriter console = new StringWriter();

        // straight through
        OutputDir straight = new OutputDir(tmp.resolve("straight"));
        Files.createDirectories(SweepFixtures.local(straight.path()));
        SweepJob.Outcome whole = sweep(spec, straight, false, Runner::run, console);
        assertTrue(console.toString().contains("refine round 1:"), console.toString());
        // the uniform grid of the same resolution: ceil(ln(10 / 0.1) / ln(1.02)) + 1 = 234 values, x 6 bases
        assertTrue(console.toString().contains("refinement of step_size done: 2 groups (2 TARGET_REACHED), " + whole.refinedRuns()
                + " runs at refined values; a uniform grid of relative width 0.02 over [0.1, 10.0] would take 234 values, 1404 runs"),
                console.toString());
        Dataset<Row> wholeRuns = SweepFixtures.table(spark(), SweepFixtures.local(straight.path()), Tables.RUNS);
        Set<String> wholeIds = runIds(wholeRuns);
        assertEquals(30 + whole.refinedRuns(), wholeIds.size(), "the grid's 30 runs and the refined ones");
        assertTrue(whole.refinedRuns() > 0 && whole.refinedRuns() % 3 == 0, "every seed of a refined value: " + whole);

        List<Row> stability = SweepFixtures.table(spark(), SweepFixtures.local(straight.path()), Tables.STABILITY)
                .orderBy("d").collectAsList();
        assertEquals(2, stability.size());
        long refinedInTable = 0;
        for (Row r : stability) {
            int d = r.getInt(r.fieldIndex("d"));
            double c = analytic(d);
            double lower = r.getDouble(r.fieldIndex("refined_lower"));
            double upper = r.getDouble(r.fieldIndex("refined_upper"));
            String what = "d " + d + ": 2/lambda_max " + c + ", row " + r;
            assertTrue(lower <= c && c < upper, what);
            assertTrue(r.getDouble(r.fieldIndex("refined_relative_width")) <= 0.02, what);
            assertTrue(upper / lower - 1 <= 0.02, what);
            assertEquals("TARGET_REACHED", r.getString(r.fieldIndex("refine_state")), what);
            // the grid alone brackets it only to [1, 3]; the plain stability columns now see the refined values
            assertEquals(lower, r.getDouble(r.fieldIndex("max_all_converged_step_size")), what);
            assertEquals(upper, r.getDouble(r.fieldIndex("min_any_failed_step_size")), what);
            int rounds = r.getInt(r.fieldIndex("refine_rounds"));
            assertEquals(rounds * 3L * 3, r.getLong(r.fieldIndex("refine_runs")), "k values x 3 seeds per round: " + what);
            refinedInTable += r.getLong(r.fieldIndex("refine_runs"));
        }
        assertEquals(whole.refinedRuns(), refinedInTable);
        JsonNode manifest = new ObjectMapper().readTree(SweepFixtures.local(straight.manifest()).toFile());
        JsonNode refinement = manifest.get("refinement");
        assertNotNull(refinement, manifest.toString());
        assertEquals(2, refinement.get("groups_done").asInt(), refinement.toString());
        assertEquals(whole.refinedRuns(), refinement.get("runs").asLong());

        // the report draws the refined brackets against step_theory and lists each group's
        java.nio.file.Path to = tmp.resolve("report");
        Cli rep = cli("report", SweepFixtures.local(straight.path()).toString(), "--to", to.toString());
        assertEquals(0, rep.code(), rep.err());
        assertTrue(Files.size(to.resolve("refined-boundary.png")) > 0);
        String html = Files.readString(to.resolve("report.html"));
        assertTrue(html.contains("Refined stability boundary"), html);
        assertEquals(2, html.split("bracket / theory", -1).length - 1, "a line per group with its bracket: " + html);

        // stopped in the first refinement round by a task failure (as when an executor dies), then resumed
        OutputDir dir = new OutputDir(tmp.resolve("killed"));
        Files.createDirectories(SweepFixtures.local(dir.path()));
        refinedRuns.set(0);
        SweepJob.RunFn poisoned = cfg -> {
            if (!GRID_STEPS.contains(cfg.train().stepSize()) && refinedRuns.incrementAndGet() == 7) {
                throw new AssertionError("stopped in the first refinement round");
            }
            return Runner.run(cfg);
        };
        assertThrows(RuntimeException.class, () -> sweep(spec, dir, false, poisoned, console));
        Set<String> beforeResume = runIds(spark().read().parquet(dir.committedWaves().stream().map(Object::toString)
                .toArray(String[]::new)));
        assertTrue(beforeResume.size() >= 30 && beforeResume.size() < wholeIds.size(),
                beforeResume.size() + " runs committed before the stop");
        SweepJob.Outcome resumed = sweep(spec, dir, true, Runner::run, console);
        // already present counts the points a wave skipped; a refined value whose runs were all committed is
        // not placed again at all, so only the trained count says that every committed run was reused
        assertEquals(wholeIds.size() - beforeResume.size(), resumed.trained(), "only the missing runs trained: " + resumed);
        assertTrue(resumed.alreadyPresent() >= 30, "the grid's waves skipped: " + resumed);
        Dataset<Row> runs = SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS);
        assertEquals(wholeIds, runIds(runs), "the same points as the sweep run straight through");
        assertEquals(SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.local(straight.path()), Tables.STABILITY)),
                SweepFixtures.canonicalRows(SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.STABILITY)));

        // a finished refinement run again does nothing
        SweepJob.Outcome again = sweep(spec, dir, true, Runner::run, console);
        assertEquals(0, again.trained(), again.toString());
        assertEquals(wholeIds, runIds(SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS)));

        // a tighter target continues the same sequence: every earlier run is reused
        SweepSpec tighter = SpecParser.parse(SPEC, "refine.yaml", List.of("refine.target_width=0.005"));
        SweepJob.Outcome more = sweep(tighter, dir, true, Runner::run, console);
        Set<String> finerIds = runIds(SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.RUNS));
        assertTrue(finerIds.containsAll(wholeIds), "every earlier run kept");
        assertEquals(finerIds.size() - wholeIds.size(), more.trained(), "only new values trained: " + more);
        assertTrue(more.trained() > 0, more.toString());
        List<Row> finer = SweepFixtures.table(spark(), SweepFixtures.local(dir.path()), Tables.STABILITY).orderBy("d").collectAsList();
        List<String> widths = new ArrayList<>();
        for (Row r : finer) {
            double c = analytic(r.getInt(r.fieldIndex("d")));
            assertTrue(r.getDouble(r.fieldIndex("refined_lower")) <= c && c < r.getDouble(r.fieldIndex("refined_upper")), r.toString());
            assertTrue(r.getDouble(r.fieldIndex("refined_relative_width")) <= 0.005, r.toString());
            widths.add(String.valueOf(r.getDouble(r.fieldIndex("refined_relative_width"))));
        }
        assertEquals(2, widths.size());
    }
}
