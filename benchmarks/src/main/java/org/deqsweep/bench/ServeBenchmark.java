package org.deqsweep.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./submit.sh bench-serve [DIR] [--reps R]}: the latency of Spark SQL on a sweep (DESIGN 6.1), as a
 * user meets it. On the quickstart's output (or DIR):
 * <ol>
 *   <li>the whole {@code ./submit.sh query} command with a session of its own ({@code --local}), for a
 *       statement over one table and for one over all five;</li>
 *   <li>then with {@code ./submit.sh serve} running: the whole {@code query} command through the server,
 *       and in one client JVM the Connect session's set-up, its first query and its warm queries.</li>
 * </ol>
 * Commands are timed as this process sees them (JVM start included), interleaved, R of each; medians.
 * Each kind of command runs once first, unmeasured: the first run after a build writes submit.sh's
 * class-data archive. Results replace the "serve" section of BENCHMARKS.md.
 */
public final class ServeBenchmark {
    static final String ONE_TABLE = "SELECT activation, count(*) AS runs FROM runs GROUP BY activation ORDER BY activation";
    static final String FIVE_TABLES = "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM curves) AS curves,"
            + " (SELECT count(*) FROM failures) AS failures, (SELECT count(*) FROM summary) AS summary,"
            + " (SELECT count(*) FROM stability) AS stability";
    static final Map<String, String> WARM = new LinkedHashMap<>();

    static {
        WARM.put("three-row GROUP BY over runs", ONE_TABLE);
        WARM.put("count of curves", "SELECT count(*) FROM curves");
        WARM.put("stability, all rows", "SELECT * FROM stability");
        WARM.put("summary joined with stability", "SELECT s.activation, s.step_size, s.rate_p50, t.step_theory FROM summary s"
                + " JOIN stability t USING (family, d, width, activation) ORDER BY 1, 2");
    }

    private ServeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path root = CoreBenchmark.repoRoot();
        int reps = 5;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--reps")) {
                reps = Integer.parseInt(args[++i]);
            } else {
                dir = Path.of(args[i]).toAbsolutePath();
            }
        }
        Path work = Files.createTempDirectory("deq-bench-serve");
        if (dir == null) {
            System.err.println("bench-serve: the quickstart sweep into " + work);
            run(root, List.of("conf/quickstart.yaml", "--out", work.resolve("out").toString()), work);
            dir = work.resolve("out").resolve("quickstart");
        }
        String load0 = load();
        // 1. without a server
        List<String> local1 = List.of("query", dir.toString(), ONE_TABLE, "--format", "csv", "--local");
        List<String> local5 = List.of("query", dir.toString(), FIVE_TABLES, "--format", "csv", "--local");
        run(root, local1, work); // writes the class-data archive
        double[] tLocal1 = new double[reps]; // then 2 x reps, with those run beside the remote ones
        double[] tLocal5 = new double[reps];
        for (int r = 0; r < reps; r++) {
            tLocal1[r] = run(root, local1, work);
            tLocal5[r] = run(root, local5, work);
        }
        // 2. with a server
        Path log = work.resolve("serve.log");
        Process server = new ProcessBuilder(root.resolve("submit.sh").toString(), "serve", dir.toString(), "--port", "0")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        double[] tRemote = new double[reps];
        double create;
        double first;
        Map<String, double[]> warm = new LinkedHashMap<>();
        String url;
        try {
            url = awaitUrl(server, log);
            List<String> remote = List.of("query", dir.toString(), ONE_TABLE, "--format", "csv");
            run(root, remote, work); // the remote query's own class-data archive
            double[] tLocalAgain = new double[reps];
            for (int r = 0; r < reps; r++) {
                tRemote[r] = run(root, remote, work);
                tLocalAgain[r] = run(root, local1, work);
            }
            // interleaved with the remote commands, the local ones count too (the server idles meanwhile)
            double[] both = Arrays.copyOf(tLocal1, 2 * reps);
            System.arraycopy(tLocalAgain, 0, both, reps, reps);
            tLocal1 = both;
            long t0 = System.nanoTime();
            SparkSession s = SparkSession.builder().connect().remote(url).create();
            String db = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("_serve.json").toFile()).get("database").asText();
            s.sql("USE " + db).collect();
            create = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            s.sql(ONE_TABLE).collectAsList();
            first = (System.nanoTime() - t1) / 1e9;
            int n = Math.max(10, 4 * reps);
            for (Map.Entry<String, String> q : WARM.entrySet()) {
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    long q0 = System.nanoTime();
                    s.sql(q.getValue()).collectAsList();
                    t[i] = (System.nanoTime() - q0) / 1e9;
                }
                warm.put(q.getKey(), t);
            }
        } finally {
            server.destroy(); // SIGTERM: serve removes its files and stops
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        String load1 = load();
        StringBuilder b = new StringBuilder("## SQL on a sweep: a command of its own against `serve`\n\n");
        b.append("- date: ").append(Instant.now()).append("; machine: ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, load average ").append(load0).append(" at the start, ").append(load1).append(" at the end; ")
                .append("`./submit.sh bench-serve` on the quickstart's output (216 runs); ").append(reps)
                .append(" of each command, interleaved, medians; wall time as the calling process sees it, JVM start included\n\n");
        b.append("| what | median s | range s | target |\n|---|---:|---:|---|\n");
        row(b, "`query DIR \"<3-row GROUP BY over runs>\" --local`: a session of its own, one table registered", tLocal1, "as fast as it can be made");
        row(b, "the same, a statement over all five tables (five registered)", tLocal5, "");
        row(b, "`query DIR \"<the same GROUP BY>\"` through `serve` (found from `_serve.json`)", tRemote, "< 2 s");
        b.append(String.format("| in one client JVM: Connect session set-up (create, USE) | %.2f | | |%n", create));
        b.append(String.format("| in one client JVM: its first query (the GROUP BY) | %.3f | | |%n", first));
        for (Map.Entry<String, double[]> e : warm.entrySet()) {
            row(b, "in one client JVM, warm: " + e.getKey(), e.getValue(), "< 0.5 s");
        }
        b.append("\nThe warm rows are ").append(warm.values().iterator().next().length)
                .append(" queries each, one after another, in one Connect session on the server.\n\n");
        Path out = root.resolve("BENCHMARKS.md");
        CoreBenchmark.writeSection(out, "serve", b.toString());
        System.out.print(b);
        System.err.println("bench-serve: wrote the \"serve\" section of " + out);
        System.exit(0);
    }

    private static void row(StringBuilder b, String what, double[] t, String target) {
        double[] s = t.clone();
        Arrays.sort(s);
        double med = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        b.append(String.format("| %s | %.3f | %.3f to %.3f | %s |%n", what, med, s[0], s[s.length - 1], target));
    }

    /** One {@code ./submit.sh ARGS} in its own JVM; its wall time in seconds. */
    private static double run(Path root, List<String> args, Path work) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("submit.sh").toString());
        cmd.addAll(args);
        Path err = work.resolve("last-command.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("bench-serve: " + String.join(" ", cmd) + " exited with " + code + ":\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return wall;
    }

    private static String awaitUrl(Process server, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && server.isAlive()) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("sc://")) {
                    return line.strip();
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("bench-serve: serve printed no URL:\n" + Files.readString(log));
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
