package org.deqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.deqsweep.sweep.cli.QueryCommand;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;
import org.deqsweep.sweep.store.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of sweep-job that need no Spark. */
class UnitTest {
    @TempDir
    Path tmp;

    @Test
    void interleaveIsAPermutation() {
        for (long n : new long[] {1, 2, 3, 24, 36, 216, 1000, 4096}) {
            long a = SweepJob.Interleave.multiplier(n);
            BitSet seen = new BitSet();
            for (long pos = 0; pos < n; pos++) {
                long i = SweepJob.Interleave.index(pos, a, n);
                assertTrue(i >= 0 && i < n);
                assertFalse(seen.get((int) i), "n=" + n + " index " + i + " twice");
                seen.set((int) i);
            }
        }
    }

    @Test
    void lockIsExclusiveAndStaleLocksAreReplaced() throws IOException {
        OutputDir dir = new OutputDir(tmp.resolve("s"));
        try (OutputDir.Lock lock = dir.lock()) {
            assertThrows(UsageException.class, dir::lock);
        }
        assertFalse(Files.exists(tmp.resolve("s").resolve(OutputDir.LOCK)));
        // a dead pid on this host: stale
        Files.writeString(tmp.resolve("s").resolve(OutputDir.LOCK), "999999999@" + OutputDir.host() + "\n");
        try (OutputDir.Lock lock = dir.lock()) {
            assertTrue(Files.readString(tmp.resolve("s").resolve(OutputDir.LOCK)).startsWith(ProcessHandle.current().pid() + "@"));
        }
        assertFalse(OutputDir.isStale(ProcessHandle.current().pid() + "@" + OutputDir.host()));
        assertFalse(OutputDir.isStale("1@some-other-host"), "another host's lock cannot be checked, so it holds");
    }

    @Test
    void summaryGroupsByTheVaryingKeysExceptSeed() {
        List<String> keys = TableBuilder.summaryKeys(List.of("d", "seed", "init_scale"));
        assertEquals(List.of("family", "d", "width", "activation", "init_scale", "step_size"), keys);
    }

    @Test
    void tableCellsAreShortAndNullsShow() {
        assertEquals("NULL", QueryCommand.cell(null));
        assertEquals("0.0398107", QueryCommand.cell(0.0398107170553));
        assertEquals("10", QueryCommand.cell(10.0));
        assertEquals("1.5e-07", QueryCommand.cell(1.5e-7));
    }

    @Test
    void schemasHaveEveryConfigKeyAndResultColumn() {
        List<String> runs = List.of(Tables.RUNS_SCHEMA.fieldNames());
        assertTrue(runs.containsAll(Tables.configColumns()));
        assertTrue(runs.containsAll(List.of("run_id", "status", "steps", "loss_initial", "loss_final", "rate", "rate_fit_r2",
                "kappa", "rate_theory", "conservation_drift", "distance_growth_min", "sigma_min_min", "sigma_min_max",
                "contraction_max", "lambda_min_cov", "grad_norm_final", "forward_iters", "backward_iters", "wall_ms",
                "failure_reason", "step_at_failure", "last_finite_loss")));
        assertEquals(runs.size(), runs.stream().distinct().count());
    }
}
