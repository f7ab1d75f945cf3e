package org.deqsweep.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OneRunTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = OneRun.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void dumpHoldsEverythingToReplayAndReplayingItGivesTheSameBits() throws Exception {
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, "family: general_deq\nwidth: 4\nd: 3\nn: 30\nactivation: tanh\nstep_size: 0.3\n"
                + "max_steps: 150\nseed: 9\nforward: {solver: anderson, tol: 1.0e-12}\n");
        Path dump = dir.resolve("out/dump.json");
        Outcome o = run(cfg.toString(), "--dump", dump.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode result = JsonIo.JSON.readTree(o.out());
        assertTrue(result.get("status").asText().matches("CONVERGED|MAX_STEPS"), o.out());
        JsonNode d = JsonIo.JSON.readTree(dump.toFile());
        for (String k : new String[] {"config", "data", "init", "trajectory", "final", "result"}) {
            assertTrue(d.has(k), "dump has " + k);
        }
        assertEquals(30, d.get("data").get("x").size());
        assertEquals(3, d.get("data").get("x").get(0).size());
        assertEquals(30, d.get("data").get("y").size());
        assertEquals(4, d.get("init").get("A").size());
        assertEquals(4, d.get("init").get("A").get(0).size());
        assertEquals(3, d.get("init").get("W").get(0).size());
        long steps = result.get("steps").asLong();
        assertEquals(steps + 1, d.get("trajectory").size(), "one loss per step, 0..steps");
        assertEquals(result.get("loss_final").asDouble(), d.get("trajectory").get((int) steps).get("loss").asDouble());

        // replay from the dump's data and initial parameters: identical final loss, bit for bit
        Outcome again = run(cfg.toString(), "--data", dump.toString(), "--init", dump.toString());
        assertEquals(0, again.code(), again.err());
        JsonNode r2 = JsonIo.JSON.readTree(again.out());
        assertEquals(Double.doubleToLongBits(result.get("loss_final").asDouble()),
                Double.doubleToLongBits(r2.get("loss_final").asDouble()));
        assertEquals(steps, r2.get("steps").asLong());
    }

    @Test
    void csvDataWithTargetLastIsAccepted() throws Exception {
        Path cfg = dir.resolve("lin.json");
        Files.writeString(cfg, "{\"family\": \"linear_deq\", \"d\": 2, \"n\": 4, \"step_size\": 0.05, \"max_steps\": 50}");
        Path csv = dir.resolve("data.csv");
        Files.writeString(csv, "x1,x2,y\n1,0,2\n0,1,-1\n1,1,1\n0.5,0.5,0.5\n");
        Outcome o = run(cfg.toString(), "--data", csv.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode r = JsonIo.JSON.readTree(o.out());
        // initial loss at the drawn init is (1/n) sum (f - y)^2 over these exact targets: finite and positive
        assertTrue(r.get("loss_initial").asDouble() > 0.5, o.out());
    }

    @Test
    void badInputIsExitTwoWithAMessageNamingTheProblem() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, "family: linear_deq\nstep_size: -1\n");
        Outcome o = run(cfg.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("step_size") && o.err().contains("> 0"), o.err());
        assertEquals("", o.out());

        Outcome missing = run(dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.yaml"), missing.err());

        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "family: linear_deq\nd: 3\nn: 5\n");
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "1,2,3\n4,5,6\n");
        Outcome shape = run(good.toString(), "--data", csv.toString());
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("d = 2") && shape.err().contains("d = 3"), shape.err());

        Outcome noArgs = run();
        assertEquals(2, noArgs.code());
        assertTrue(noArgs.err().contains("usage"), noArgs.err());
    }
}
