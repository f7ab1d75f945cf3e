package org.deqsweep.sweep;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.Test;

/**
 * The per-run limits inside a real sweep: a run out of its time_budget_ms is a TIMEOUT row and a run whose
 * loss blows past diverge_factor is a DIVERGED row stopped early; neither fails a task or the command.
 */
class SweepLimitsTest extends SparkTestBase {
    /** 3 seeds x (a slow step with a 1 ms budget, a far too large step): 3 TIMEOUT, 3 DIVERGED. */
    static final String SPEC = """
            name: limits
            family: explicit
            grid:
              seed: range(0, 3)
            zip:
              - step_size: [0.0001, 5.0]
                time_budget_ms: [1, 120000]
            fixed:
              activation: identity
              d: 5
              n: 200
              max_steps: 1000000
            """;

    @Test
    void timeoutAndDivergedAreRowsNotFailures() throws IOException {
        Path spec = tmp.resolve("limits.yaml");
        Files.writeString(spec, SPEC);
        Cli r = cli(spec.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("6 trained (6 failed)"), r.err());
        Path dir = tmp.resolve("out").resolve("limits");
        Dataset<Row> runs = SweepFixtures.table(spark(), dir, Tables.RUNS);
        assertEquals(6, runs.count());

        Dataset<Row> timeout = runs.filter(col("time_budget_ms").equalTo(1));
        assertEquals(3, timeout.filter(col("status").equalTo("TIMEOUT")).count(), rows(timeout));
        assertEquals(3, timeout.filter(col("failure_reason").contains("time_budget_ms")
                .and(col("steps").lt(1_000_000))).count(), rows(timeout));

        Dataset<Row> diverged = runs.filter(col("step_size").equalTo(5.0));
        assertEquals(3, diverged.filter(col("status").equalTo("DIVERGED")).count(), rows(diverged));
        // aborted early: the loss passed diverge_factor x the initial loss within a few dozen steps
        assertEquals(3, diverged.filter(col("failure_reason").contains("diverge_factor")
                .and(col("step_at_failure").lt(100))).count(), rows(diverged));

        assertEquals(6, SweepFixtures.table(spark(), dir, Tables.FAILURES).count());
    }

    private static String rows(Dataset<Row> df) {
        return df.select("status", "steps", "step_at_failure", "wall_ms", "failure_reason").collectAsList().toString();
    }
}
