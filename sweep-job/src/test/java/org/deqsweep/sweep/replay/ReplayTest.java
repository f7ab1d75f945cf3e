package org.deqsweep.sweep.replay;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.report.FixtureSweep;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayTest extends SparkTestBase {
    @TempDir
    static Path fixtures;

    static Path sweep;

    @BeforeAll
    void buildFixture() throws IOException {
        List<Map<String, Object>> points = new ArrayList<>();
        points.addAll(FixtureSweep.grid(Map.of("family", "linear_deq", "n", 50, "max_steps", 200),
                Map.of("d", List.of(2), "step_size", List.of(0.01, 0.5), "seed", List.of(0, 1))));
        points.addAll(FixtureSweep.grid(Map.of("family", "general_deq", "width", 4, "n", 40, "max_steps", 100),
                Map.of("activation", List.of("tanh"), "step_size", List.of(0.1, 50.0), "seed", List.of(3))));
        sweep = fixtures.resolve("rep");
        FixtureSweep.write(spark(), sweep, "rep", points, true);
    }

    static Cli replay(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli(all);
    }

    List<Row> rows(Path dir) {
        return spark().read().parquet(dir.resolve("runs").toString()).select("run_id", "family", "status", "steps")
                .orderBy("run_id").collectAsList();
    }

    @Test
    void everyRowIsReproducedBitForBitAndTheDumpHoldsTheFullTrace() throws IOException {
        for (Row r : rows(sweep)) {
            String id = r.getString(0);
            Path dump = tmp.resolve(id + ".json");
            Cli run = replay(sweep.toString(), id, "--dump", dump.toString());
            assertEquals(0, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("replay: OK"), run.out());
            JsonNode d = new ObjectMapper().readTree(dump.toFile());
            assertEquals(r.getString(2), d.path("result").path("status").asText(), id);
            assertEquals(r.getString(1), d.path("config").path("family").asText());
            // one trajectory point per step, plus the initial one (fewer when a run fails before stepping)
            long steps = r.getLong(3);
            int traj = d.path("trajectory").size();
            assertTrue(traj == steps + 1 || traj == steps, id + ": " + traj + " trace points for " + steps + " steps");
        }
    }

    @Test
    void aTamperedRowIsAMismatchWithExitStatus1() throws IOException {
        Row target = rows(sweep).get(0);
        String id = target.getString(0);
        Dataset<Row> runs = spark().read().parquet(sweep.resolve("runs").toString());
        double loss = runs.filter(col("run_id").equalTo(id)).select("loss_final").first().getDouble(0);
        Path bad = tmp.resolve("tampered");
        // the smallest possible change: the next double up
        runs.withColumn("loss_final", when(col("run_id").equalTo(id), lit(Math.nextUp(loss))).otherwise(col("loss_final")))
                .write().mode(SaveMode.Overwrite).partitionBy("family", "activation").parquet(bad.resolve("runs").toString());
        Files.copy(sweep.resolve("_sweep.json"), bad.resolve("_sweep.json"));
        Cli run = replay(bad.toString(), id);
        assertEquals(1, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("MISMATCH"), run.err());
        String lossLine = run.err().lines().filter(l -> l.startsWith("loss_final")).findFirst().orElse("");
        assertTrue(lossLine.endsWith("DIFFERS"), run.err());
        assertTrue(run.err().lines().filter(l -> l.startsWith("status")).findFirst().orElse("").endsWith("ok"), run.err());
    }

    @Test
    void anUnknownRunIdIsAUsageError() {
        Cli run = replay(sweep.toString(), "0123456789abcdef");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("is not in"), run.err());
    }
}
