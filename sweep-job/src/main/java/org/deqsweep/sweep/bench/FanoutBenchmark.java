package org.deqsweep.sweep.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.deqsweep.core.Runner;
import org.deqsweep.core.bench.CoreBenchmark;
import org.deqsweep.sweep.Main;
import org.deqsweep.sweep.spec.Grid;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;

/**
 * The fan-out half of the performance issue: the same grid trained by a plain Java loop (one thread,
 * no Spark) and by the sweep job on local[1] and local[2], measured back to back in one JVM, and the
 * driver's heap after planning a 10^6-point grid. Writes section "fanout" of BENCHMARKS.md.
 * <pre>
 *   ./submit.sh bench-fanout [SPEC.yaml] [--set k=v]...     (default conf/quickstart.yaml)
 * </pre>
 * Parallel efficiency = T(loop) / (2 T(local[2])); Spark overhead = T(local[1]) / T(loop) - 1. The sweep
 * times include the table rebuild at the end (reported separately from the sweep's own log line).
 */
public final class FanoutBenchmark {
    private FanoutBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String spec = "conf/quickstart.yaml";
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--set") && i + 1 < args.length) {
                sets.add(args[++i]);
            } else if (!args[i].startsWith("-")) {
                spec = args[i];
            } else {
                System.err.println("usage: bench-fanout [SPEC.yaml] [--set k=v]...");
                System.exit(2);
            }
        }
        Path root = CoreBenchmark.repoRoot();
        SweepSpec s = SpecParser.parse(root.resolve(spec), sets);
        Grid grid = s.toGrid();
        long included = grid.countIncluded();

        // 1. plain loop, one thread, no Spark (warm-up: the first 10 points once)
        for (long i = 0, done = 0; i < grid.size() && done < 10; i++) {
            if (!grid.excluded(i)) {
                Runner.run(grid.config(i));
                done++;
            }
        }
        long t0 = System.nanoTime();
        for (long i = 0; i < grid.size(); i++) {
            if (!grid.excluded(i)) {
                Runner.run(grid.config(i));
            }
        }
        double loop = (System.nanoTime() - t0) / 1e9;
        System.err.printf("bench-fanout: plain loop %d runs in %.1f s%n", included, loop);

        // 2. the sweep job on local[1] and local[2], each in a fresh session (the command builds and stops it)
        double[] spark = new double[2];
        String[] lines = new String[2];
        for (int c = 1; c <= 2; c++) {
            Path out = Files.createTempDirectory("deq-fanout");
            List<String> a = new ArrayList<>(List.of("sweep", root.resolve(spec).toString(), "--out", out.toString(),
                    "--master", "local[" + c + "]"));
            for (String x : sets) {
                a.add("--set");
                a.add(x);
            }
            StringWriter err = new StringWriter();
            long t1 = System.nanoTime();
            int code = Main.run(a.toArray(String[]::new), new PrintWriter(System.out, true), new PrintWriter(err, true));
            spark[c - 1] = (System.nanoTime() - t1) / 1e9;
            if (code != 0) {
                System.err.println(err);
                System.exit(1);
            }
            lines[c - 1] = err.toString().lines().filter(l -> l.contains("tables rebuilt")).findFirst().orElse("").trim();
            System.err.printf("bench-fanout: local[%d] %.1f s (%s)%n", c, spark[c - 1], lines[c - 1]);
        }

        // 3. driver heap after planning a 10^6-point grid (the grid is never materialised)
        SweepSpec big = SpecParser.parse(root.resolve("conf/quickstart.yaml"),
                List.of("grid.seed=range(0, 27778)", "job.max_grid_size=2000000"));
        System.gc();
        long before = usedHeap();
        Grid g = big.toGrid();
        var plan = org.deqsweep.sweep.SweepJob.plan(big, 2);
        System.gc();
        long after = usedHeap();
        String memory = String.format("a %,d-point grid (%d waves planned): driver heap %.1f MB before planning, %.1f MB after",
                g.size(), plan.waves(), before / 1e6, after / 1e6);
        System.err.println("bench-fanout: " + memory);

        double efficiency = loop / (2 * spark[1]);
        double overhead = spark[0] / loop - 1;
        StringBuilder b = new StringBuilder("## Fan-out: plain loop against the sweep job\n\n");
        b.append("- date: ").append(Instant.now()).append("; spec `").append(spec).append("`").append(sets.isEmpty() ? "" : " with " + sets)
                .append(", ").append(included).append(" runs\n");
        b.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs; load average ")
                .append(String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append(" at the end; JVM ").append(System.getProperty("java.vm.version")).append("\n");
        b.append("- one JVM, back to back; the sweep times are wall times of the whole command, table rebuild included\n\n");
        b.append("| how | wall s | runs/s |\n|---|---:|---:|\n");
        b.append(String.format("| plain Java loop, 1 thread | %.1f | %.2f |%n", loop, included / loop));
        b.append(String.format("| sweep job, local[1] | %.1f | %.2f |%n", spark[0], included / spark[0]));
        b.append(String.format("| sweep job, local[2] | %.1f | %.2f |%n", spark[1], included / spark[1]));
        b.append(String.format("%n- parallel efficiency on 2 cores, T(loop) / (2 T(local[2])): **%.0f%%** (target >= 90%%)%n", 100 * efficiency));
        b.append(String.format("- Spark overhead, T(local[1]) / T(loop) - 1: **%.0f%%** (target < 5%%)%n", 100 * overhead));
        b.append("- table rebuilds: local[1] `").append(lines[0]).append("`, local[2] `").append(lines[1]).append("`\n");
        b.append("- ").append(memory).append("\n\n");
        CoreBenchmark.writeSection(root.resolve("BENCHMARKS.md"), "fanout", b.toString());
        System.err.println("bench-fanout: wrote section 'fanout' of BENCHMARKS.md");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
