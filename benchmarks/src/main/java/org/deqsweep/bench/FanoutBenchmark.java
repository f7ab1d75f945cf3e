package org.deqsweep.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deqsweep.core.train.Runner;
import org.deqsweep.sweep.cli.Main;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.spec.Grid;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.OutputDir;

/**
 * The fan-out half of the performance issue: the same grid trained by a plain Java loop (one thread,
 * no Spark) and by the sweep job on local[1] and local[2], measured back to back in one JVM with the
 * session settings of {@code conf/spark-defaults.conf} (what submit.sh passes), and the driver's heap
 * for a 10^6-point grid: planned (dry run), and swept for real with cheap points. Writes section
 * "fanout" (timing) and "fanout-memory" of BENCHMARKS.md.
 * <pre>
 *   ./submit.sh bench-fanout [SPEC.yaml] [--set k=v]... [--big k=v] [--memory N,N,...] [--no-timing]
 * </pre>
 * Each sweep command's wall time is split into start-up (session, spec, plan), waves (the training
 * jobs) and the table rebuild, from the command's own log lines. The grid runs twice, as given and
 * with {@code --big} (default {@code grid.seed=range(0, 24)}, 4x the quickstart), in a JVM warmed by
 * one cold sweep, each in {@link #ROUNDS} rounds between plain loops ({@link Round}): {@code ./submit.sh}
 * in a fresh JVM as a user runs it (the first round's followed by {@code --resume}, which trains nothing
 * and measures a fresh JVM's start-up and table rebuild), then the sweep on local[1] and on local[2] in
 * this JVM. Parallel efficiency T(loop) / (2 T(local[2])), Spark overhead T(local[1]) / T(loop) - 1 and
 * the fresh command's ratio to the loop are taken per round against the loops around it, and given as
 * the median over the rounds; efficiency and overhead also for the difference between the two grids, the job's
 * cost per extra run (session start-up, first-job set-up and rebuild cancel). A sweep of 10^4 cheap runs
 * times the rebuild of a big output. The machine's two-thread capacity (the same training on one thread,
 * then on two side by side) bounds the parallel efficiency any program can reach on it at the time.
 * {@code --memory N,...} writes the dry-run and real-run heap figures to "fanout-memory".
 */
public final class FanoutBenchmark {
    private static final Pattern REBUILT = Pattern.compile("tables rebuilt from \\d+ waves in ([0-9.]+) s");
    private static final Pattern WROTE = Pattern.compile("\\] wrote .*; ([0-9.]+) s$");

    /** Live-heap sampling period of the memory runs. */
    private static final long SAMPLE_MS = 3000;

    private FanoutBenchmark() {
    }

    /** Fresh-JVM --resume runs of a finished output (nothing to train), each part the median of {@value #RESUMES}. */
    private static Timed resumes(Path root, List<String> args, Path out) throws Exception {
        List<Timed> t = new ArrayList<>();
        for (int i = 0; i < RESUMES; i++) {
            t.add(command(root, args, out, true));
        }
        java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Timed>> med = f -> {
            double[] x = t.stream().mapToDouble(f).sorted().toArray();
            return x[x.length / 2];
        };
        return new Timed(med.applyAsDouble(Timed::wall), med.applyAsDouble(Timed::sweep), med.applyAsDouble(Timed::rebuild),
                t.get(0).rebuildLine(), 0);
    }

    /** Fresh-JVM resumes per output: one is noise on a shared machine. */
    static final int RESUMES = 3;

    /** One sweep command's wall time and its parts. */
    record Timed(double wall, double sweep, double rebuild, String rebuildLine, long wavesEndNanos) {
        double startup() {
            return wall - sweep;
        }

        double waves() {
            return sweep - rebuild;
        }
    }

    /** Heap in use after each GC during one real sweep of cheap points. */
    record Heap(long points, long waves, double seconds, double rebuild, int samples, double medianMb, double maxMb,
                double rebuildMaxMb, double firstHalfMb, double secondHalfMb) {
    }

    public static void main(String[] args) throws Exception {
        String spec = "conf/quickstart.yaml";
        List<String> sets = new ArrayList<>();
        List<Long> memoryPoints = new ArrayList<>();
        boolean timing = true;
        String bigSet = "grid.seed=range(0, 24)";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--set") && i + 1 < args.length) {
                sets.add(args[++i]);
            } else if (args[i].equals("--memory") && i + 1 < args.length) {
                for (String x : args[++i].split(",")) {
                    long n;
                    try {
                        n = Long.parseLong(x.trim());
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 1 || (n > 1000 && n % 1000 != 0)) {
                        System.err.println("bench-fanout: --memory takes grid sizes: positive integers, multiples of 1000 above "
                                + "1000 (seeds x 1000 step sizes); got '" + x.trim() + "'");
                        System.exit(2);
                    }
                    memoryPoints.add(n);
                }
            } else if (args[i].equals("--big") && i + 1 < args.length) {
                bigSet = args[++i];
            } else if (args[i].equals("--no-timing")) {
                timing = false;
            } else if (!args[i].startsWith("-")) {
                spec = args[i];
            } else {
                System.err.println("usage: bench-fanout [SPEC.yaml] [--set k=v]... [--big k=v] [--memory N,N,...] [--no-timing]");
                System.exit(2);
            }
        }
        Path root = CoreBenchmark.repoRoot();
        applySparkDefaults(root.resolve("conf/spark-defaults.conf"));
        String jit = org.deqsweep.sweep.cli.JitPolicy.apply(); // as a command's JVM: C2 for the numerics only
        String header = "- date: " + Instant.now() + "; machine: " + Runtime.getRuntime().availableProcessors() + " CPUs; JVM "
                + System.getProperty("java.vm.version") + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20)
                + " MB; session settings from `conf/spark-defaults.conf`; JIT policy of a command (DESIGN 5.6): " + jit + "\n";
        if (timing) {
            StringBuilder b = new StringBuilder("## Fan-out: plain loop against the sweep job\n\n").append(header);
            timing(root, spec, sets, bigSet, b);
            CoreBenchmark.writeSection(root.resolve("BENCHMARKS.md"), "fanout", b.toString());
            System.err.println("bench-fanout: wrote section 'fanout' of BENCHMARKS.md");
        }
        if (!memoryPoints.isEmpty()) {
            StringBuilder m = new StringBuilder("## Fan-out: driver memory\n\n").append(header).append("\n");
            memory(root, memoryPoints, m);
            CoreBenchmark.writeSection(root.resolve("BENCHMARKS.md"), "fanout-memory", m.toString());
            System.err.println("bench-fanout: wrote section 'fanout-memory' of BENCHMARKS.md");
        }
    }

    /**
     * Rounds per grid. A minute of CPU-bound work on these shared machines drifts by up to a fifth within one
     * run (a loop of the 864 runs took 71.1 s and, 4 minutes later in the same JVM, 83.3 s), so one sample of
     * each, set against the faster loop, can read the machine's drift as the sweep's cost.
     */
    static final int ROUNDS = 3;

    /**
     * One round of a grid: the fresh command, local[1] and local[2], between two loops of the same grid; each
     * ratio is taken against the mean of the two loops around it, so the machine's drift cancels as far as it
     * is steady over a round.
     */
    record Round(double loopBefore, double loopAfter, Timed fresh, Timed local1, Timed local2) {
        double loop() {
            return (loopBefore + loopAfter) / 2;
        }

        double efficiency() {
            return loop() / (2 * local2.wall());
        }

        double wavesEfficiency() {
            return loop() / (2 * local2.waves());
        }

        double overhead() {
            return local1.wall() / loop() - 1;
        }

        double freshRatio() {
            return fresh.wall() / loop();
        }
    }

    /** The median of the rounds' values, and their range, as "M (lo to hi)" with {@code fmt} for each. */
    private static String med(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f, String fmt) {
        double[] x = rounds.stream().mapToDouble(f).sorted().toArray();
        return String.format(fmt + " (" + fmt + " to " + fmt + ")", x[x.length / 2], x[0], x[x.length - 1]);
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
        double[] x = rounds.stream().mapToDouble(f).sorted().toArray();
        return x[x.length / 2];
    }

    private static void timing(Path root, String spec, List<String> sets, String bigSet, StringBuilder b) throws Exception {
        double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<String> bigSets = new ArrayList<>(sets);
        bigSets.add(bigSet);
        Path coldDir = Files.createTempDirectory("deq-fanout-cold");
        Path archive = root.resolve("sweep-job/target/deq-sweep-classes-sweep.jsa");
        Path appJar = root.resolve("sweep-job/target/sweep-job-0.1.0-SNAPSHOT-app.jar");
        if (!Files.exists(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(appJar)) < 0) {
            // the first sweep after a build writes submit.sh's class-data archive for sweeps as it exits: not measured
            Timed first = command(root, sweepArgs(root, spec, sets, 2), coldDir.resolve("first"), false);
            System.err.printf("bench-fanout: first command after the build (writes the class-data archive) %.1f s%n", first.wall);
        }
        // 1. the rebuild of a 10^4-run sweep in a fresh JVM: cheap runs with curves, swept, then resumed
        Path cheapSpec = coldDir.resolve("cheap.yaml");
        Files.writeString(cheapSpec, String.join("\n", "name: cheap",
                "description: 10^4 cheap runs with curves, for the fresh-JVM rebuild of bench-fanout",
                "family: general_deq", "grid:", "  seed: range(0, 10)", "  step_size: logspace(0.001, 0.1, 1000)",
                "fixed: {d: 2, width: 2, n: 10, max_steps: 20}", ""));
        Timed cheap = command(root, List.of("sweep", cheapSpec.toString(), "--master", "local[2]"), coldDir.resolve("cheap"), false);
        Timed cheapResume = resumes(root, List.of("sweep", cheapSpec.toString(), "--master", "local[2]"), coldDir.resolve("cheap"));
        System.err.printf("bench-fanout: 10^4 cheap runs: command %.1f s (rebuild %.1f), --resume %.1f s (rebuild %.1f)%n", cheap.wall,
                cheap.rebuild, cheapResume.wall, cheapResume.rebuild);

        // 2. the machine: the same CPU-bound work on one thread, then on two side by side
        Capacity cap = capacity(root.resolve(spec));
        System.err.printf("bench-fanout: two-thread capacity %.2f of 2 (solo %.2f s, pair %.2f / %.2f s)%n", cap.cores(), cap.solo(),
                cap.pair()[0], cap.pair()[1]);

        // 3. this JVM warmed by a cold sweep (class loading, code generation); then per grid ROUNDS rounds of: a
        // plain loop; ./submit.sh in a fresh JVM on local[2], as a user runs it (in the first round followed by
        // --resume on its output, which trains nothing: a fresh JVM's start-up and table rebuild); the sweep in
        // this JVM on local[1] and on local[2]; and a last loop, so that every round lies between two loops
        Timed warmUp = sweep(sweepArgs(root, spec, sets, 2));
        System.err.printf("bench-fanout: in-JVM warm-up sweep on local[2] %.1f s%n", warmUp.wall);
        long[] runs = new long[2];
        double[][] loops = new double[2][ROUNDS + 1];
        List<List<Round>> rounds = List.of(new ArrayList<>(), new ArrayList<>());
        Timed[] coldResume = new Timed[2];
        for (int g = 0; g < 2; g++) {
            List<String> gs = g == 0 ? sets : bigSets;
            Grid grid = SpecParser.parse(root.resolve(spec), gs).toGrid();
            runs[g] = grid.countIncluded();
            loops[g][0] = loop(grid);
            System.err.printf("bench-fanout: plain loop %d runs in %.1f s%n", runs[g], loops[g][0]);
            for (int r = 0; r < ROUNDS; r++) {
                Path out = coldDir.resolve("g" + g + "r" + r);
                Timed fresh = command(root, sweepArgs(root, spec, gs, 2), out, false);
                System.err.printf("bench-fanout: fresh JVM, %d runs: command %.1f s (start-up %.1f, waves %.1f, rebuild %.1f)%n", runs[g],
                        fresh.wall, fresh.startup(), fresh.waves(), fresh.rebuild);
                if (r == 0) {
                    coldResume[g] = resumes(root, sweepArgs(root, spec, gs, 2), out);
                    System.err.printf("bench-fanout: fresh JVM, %d runs: --resume %.1f s (rebuild %.1f)%n", runs[g], coldResume[g].wall,
                            coldResume[g].rebuild);
                }
                OutputDir.deleteTree(out);
                Timed[] t = new Timed[2];
                for (int c = 1; c <= 2; c++) {
                    t[c - 1] = sweep(sweepArgs(root, spec, gs, c));
                    System.err.printf("bench-fanout: %d runs on local[%d] %.1f s (start-up %.1f, waves %.1f, rebuild %.1f)%n", runs[g], c,
                            t[c - 1].wall, t[c - 1].startup(), t[c - 1].waves(), t[c - 1].rebuild);
                }
                loops[g][r + 1] = loop(grid);
                System.err.printf("bench-fanout: plain loop %d runs in %.1f s%n", runs[g], loops[g][r + 1]);
                rounds.get(g).add(new Round(loops[g][r], loops[g][r + 1], fresh, t[0], t[1]));
            }
        }
        OutputDir.deleteTree(coldDir);
        double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        b.append("\n### Throughput: spec `").append(spec).append("`").append(sets.isEmpty() ? "" : " with " + sets).append(" (")
                .append(runs[0]).append(" runs), and with `").append(bigSet).append("` (").append(runs[1]).append(" runs)\n\n");
        b.append(String.format("- load average %.2f at the start, %.2f at the end. In this JVM, warmed by one sweep of the small grid "
                + "(%.1f s), each grid in " + ROUNDS + " rounds: a plain loop; `./submit.sh` in a fresh JVM on local[2], as a user runs it "
                + "(in the first round followed by the same command with `--resume`, which trains nothing, " + RESUMES + " times, medians); "
                + "the sweep in this JVM on local[1], then on local[2]; then the loop again, which closes the round and opens the next. "
                + "Each round's ratios are taken against the mean of the two loops around it, so the machine's drift over a run cancels; "
                + "the tables give the median over the rounds, and their range in brackets. Sweep parts from the command's own log "
                + "lines.%n", load0, load1, warmUp.wall));
        b.append(String.format("- machine: the same CPU-bound training on one thread took %.2f s, on two threads side by side %.2f s "
                + "and %.2f s (the median of three interleaved rounds): the two cores give **%.2f cores** of one thread's "
                + "speed today (2.00 on an idle machine), so the best parallel efficiency this machine allows is %.0f%%.%n%n", cap.solo(), cap.pair()[0], cap.pair()[1],
                cap.cores(), 50 * cap.cores()));
        b.append("| runs | how | wall s | start-up s | waves s | rebuild s |\n|---:|---|---:|---:|---:|---:|\n");
        for (int g = 0; g < 2; g++) {
            List<Round> rs = rounds.get(g);
            StringBuilder ls = new StringBuilder();
            for (double l : loops[g]) {
                ls.append(ls.length() == 0 ? "" : ", ").append(String.format("%.1f", l));
            }
            b.append(String.format("| %d | plain Java loop, 1 thread, warm JVM (the %d loops: %s) | %s | | | |%n", runs[g], ROUNDS + 1,
                    ls, med(rs, Round::loop, "%.1f")));
            for (int c = 1; c <= 2; c++) {
                java.util.function.Function<Round, Timed> x = c == 1 ? Round::local1 : Round::local2;
                b.append(String.format("| %d | sweep job, local[%d], warm JVM | %s | %.1f | %.1f | %.1f |%n", runs[g], c,
                        med(rs, r -> x.apply(r).wall(), "%.1f"), median(rs, r -> x.apply(r).startup()), median(rs, r -> x.apply(r).waves()),
                        median(rs, r -> x.apply(r).rebuild())));
            }
            b.append(String.format("| %d | `./submit.sh` on local[2], fresh JVM | %s | %.1f | %.1f | %.1f |%n", runs[g],
                    med(rs, r -> r.fresh().wall(), "%.1f"), median(rs, r -> r.fresh().startup()), median(rs, r -> r.fresh().waves()),
                    median(rs, r -> r.fresh().rebuild())));
            Timed x = coldResume[g];
            b.append(String.format("| %d | `./submit.sh` on local[2], fresh JVM, `--resume` (nothing to train) | %.1f | %.1f | %.1f | %.1f |%n",
                    runs[g], x.wall, x.startup(), x.waves(), x.rebuild));
        }
        b.append(String.format("| %d | `./submit.sh` on local[2], fresh JVM: cheap runs with curves | %.1f | %.1f | %.1f | %.1f |%n",
                10_000, cheap.wall, cheap.startup(), cheap.waves(), cheap.rebuild));
        b.append(String.format("| %d | the same, `--resume` (nothing to train) | %.1f | %.1f | %.1f | %.1f |%n", 10_000,
                cheapResume.wall, cheapResume.startup(), cheapResume.waves(), cheapResume.rebuild));
        // marginal: what the extra runs of the big grid cost; fixed costs (session, first job, rebuild) cancel
        List<Round> small = rounds.get(0);
        List<Round> big = rounds.get(1);
        double dLoop = median(big, Round::loop) - median(small, Round::loop);
        double d1 = median(big, r -> r.local1().wall()) - median(small, r -> r.local1().wall());
        double d2 = median(big, r -> r.local2().wall()) - median(small, r -> r.local2().wall());
        double capPct = 50 * cap.cores();
        b.append("\n| measure | small grid | big grid | marginal (big - small) | target | best this machine allows |\n"
                + "|---|---:|---:|---:|---|---:|\n");
        b.append(String.format("| parallel efficiency on 2 cores, T(loop) / (2 T(local[2])), warm | %s | %s | %.0f%% | >= 90%% | %.0f%% |%n",
                med(small, r -> 100 * r.efficiency(), "%.0f%%"), med(big, r -> 100 * r.efficiency(), "%.0f%%"), 100 * dLoop / (2 * d2), capPct));
        b.append(String.format("| the same, waves only, T(loop) / (2 T(waves on local[2])) | %s | %s | | | %.0f%% |%n",
                med(small, r -> 100 * r.wavesEfficiency(), "%.0f%%"), med(big, r -> 100 * r.wavesEfficiency(), "%.0f%%"), capPct));
        b.append(String.format("| Spark overhead, T(local[1]) / T(loop) - 1, warm | %s | %s | %.0f%% | < 5%% | |%n",
                med(small, r -> 100 * r.overhead(), "%.0f%%"), med(big, r -> 100 * r.overhead(), "%.0f%%"), 100 * (d1 / dLoop - 1)));
        b.append(String.format("| fresh-JVM command on local[2] / warm loop | %s | %s | | <= 1.0x small, <= 0.6x big | %.2fx / %.2fx |%n",
                med(small, Round::freshRatio, "%.2fx"), med(big, Round::freshRatio, "%.2fx"), 1 / cap.cores(), 1 / cap.cores()));
        b.append(String.format("| rebuild in a fresh JVM (`--resume`), s | %.1f | %.1f | | < 2 s up to 10^4 runs (10^4 cheap runs: %.1f) | |%n",
                coldResume[0].rebuild, coldResume[1].rebuild, cheapResume.rebuild));
        b.append("\n");
    }

    /** Two-thread capacity of the machine: one thread's time solo, then two threads' times side by side. */
    record Capacity(double solo, double[] pair) {
        double cores() {
            return solo / pair[0] + solo / pair[1];
        }
    }

    /**
     * The spec's first included config, trained repeatedly for about 2 s: solo, then on two threads at once,
     * three times; the median round.
     */
    private static Capacity capacity(Path spec) throws Exception {
        Grid grid = SpecParser.parse(spec, List.of()).toGrid();
        long first = 0;
        while (grid.excluded(first)) {
            first++;
        }
        var cfg = grid.config(first);
        long t0 = System.nanoTime();
        int reps = 0;
        while (System.nanoTime() - t0 < 2e9) { // warm-up, and the repetition count of about 2 s
            Runner.run(cfg);
            reps++;
        }
        int n = Math.max(1, reps);
        java.util.function.DoubleSupplier work = () -> {
            long s = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Runner.run(cfg);
            }
            return (System.nanoTime() - s) / 1e9;
        };
        // three rounds of solo then pair, interleaved so both see the same neighbours; the round of median capacity
        List<Capacity> rounds = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            double solo = work.getAsDouble();
            double[] pair = new double[2];
            Thread other = new Thread(() -> pair[1] = work.getAsDouble(), "bench-fanout-capacity");
            other.start();
            pair[0] = work.getAsDouble();
            other.join();
            rounds.add(new Capacity(solo, pair));
        }
        rounds.sort(java.util.Comparator.comparingDouble(Capacity::cores));
        return rounds.get(1);
    }

    /**
     * One command as a user runs it: {@code ./submit.sh ARGS --out OUT [--resume]} in its own JVM, its wall time
     * as this process sees it, and its parts from its log lines.
     */
    private static Timed command(Path root, List<String> args, Path out, boolean resume) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("submit.sh").toString());
        cmd.addAll(args.subList(1, args.size())); // submit.sh takes the spec first, without "sweep"
        cmd.add("--out");
        cmd.add(out.toString());
        if (resume) {
            cmd.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t1 = System.nanoTime();
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int code = p.waitFor();
        double wall = (System.nanoTime() - t1) / 1e9;
        if (code != 0) {
            System.err.println(err);
            throw new IllegalStateException("bench-fanout: " + String.join(" ", cmd) + " exited with " + code);
        }
        return parse(err, wall, 0);
    }

    /** A sweep command's parts from its stderr: the "wrote ...; S s" line and the "tables rebuilt ... in S s" line. */
    private static Timed parse(String err, double wall, long wavesEnd) {
        String rebuilt = err.lines().filter(l -> REBUILT.matcher(l).find()).findFirst().orElseThrow().trim();
        String wrote = err.lines().filter(l -> WROTE.matcher(l).find()).findFirst().orElseThrow().trim();
        Matcher r = REBUILT.matcher(rebuilt);
        Matcher w = WROTE.matcher(wrote);
        r.find();
        w.find();
        return new Timed(wall, Double.parseDouble(w.group(1)), Double.parseDouble(r.group(1)), rebuilt, wavesEnd);
    }

    private static List<String> sweepArgs(Path root, String spec, List<String> sets, int cores) {
        List<String> a = new ArrayList<>(List.of("sweep", root.resolve(spec).toString(), "--master", "local[" + cores + "]"));
        for (String x : sets) {
            a.add("--set");
            a.add(x);
        }
        return a;
    }

    /** Seconds to train every included point of {@code grid} in this thread, one after the other. */
    private static double loop(Grid grid) {
        long t0 = System.nanoTime();
        for (long i = 0; i < grid.size(); i++) {
            if (!grid.excluded(i)) {
                Runner.run(grid.config(i));
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Runs one sweep command into a fresh temp directory and splits its wall time into its parts. */
    private static Timed sweep(List<String> args) throws IOException {
        Path out = Files.createTempDirectory("deq-fanout");
        List<String> a = new ArrayList<>(args);
        a.add("--out");
        a.add(out.toString());
        LineClock err = new LineClock();
        long t1 = System.nanoTime();
        int code = Main.run(a.toArray(String[]::new), new PrintWriter(System.out, true), new PrintWriter(err, true));
        double wall = (System.nanoTime() - t1) / 1e9;
        if (code != 0) {
            System.err.println(err);
            System.exit(1);
        }
        org.deqsweep.sweep.store.OutputDir.deleteTree(out);
        return parse(err.toString(), wall, err.wavesEnd);
    }

    /** The command's stderr, noting when the progress line's final form (no ETA: the waves are over) is written. */
    static final class LineClock extends java.io.Writer {
        private final StringBuilder text = new StringBuilder();
        private int lineStart;
        volatile long wavesEnd;

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                text.append(buf[i]);
                if (buf[i] == '\n') {
                    String line = text.substring(lineStart);
                    lineStart = text.length();
                    if (line.contains(" done") && line.contains(" tasks") && !line.contains("ETA")) {
                        wavesEnd = System.nanoTime();
                    }
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public synchronized String toString() {
            return text.toString();
        }
    }

    private static void memory(Path root, List<Long> points, StringBuilder b) throws Exception {
        // a 10^6-point grid planned: the grid is never materialised
        SweepSpec big = SpecParser.parse(root.resolve("conf/quickstart.yaml"),
                List.of("grid.seed=range(0, 27778)", "job.max_grid_size=2000000"));
        System.gc();
        long before = usedHeap();
        Grid g = big.toGrid();
        var plan = org.deqsweep.sweep.engine.SweepJob.plan(big, 2);
        System.gc();
        long after = usedHeap();
        b.append(String.format("- dry run: a %,d-point grid (%d waves planned): driver heap %.1f MB before planning, %.1f MB after%n",
                g.size(), plan.waves(), before / 1e6, after / 1e6));
        if (points.isEmpty()) {
            b.append("\n");
            return;
        }
        // real sweeps of cheap points (d = width = n = 1, one step, no curves) in waves of at most WAVE points on
        // local[2]; local mode runs the executors in the driver's JVM, so this is the whole process's heap
        long wave = 50_000;
        List<Heap> heaps = new ArrayList<>();
        for (long n : points) {
            if (n > 1000 && n % 1000 != 0) {
                throw new IllegalArgumentException("--memory sizes above 1000 must be multiples of 1000 (seeds x 1000 step sizes), got " + n);
            }
            Path dir = Files.createTempDirectory("deq-fanout-mem");
            Path specFile = dir.resolve("cheap.yaml");
            Files.writeString(specFile, String.join("\n", "name: cheap",
                    "description: cheap points for the driver-memory check of bench-fanout",
                    "family: general_deq", "grid:", "  seed: range(0, " + Math.max(1, n / 1000) + ")",
                    "  step_size: logspace(0.001, 0.1, " + Math.min(n, 1000) + ")",
                    "fixed: {d: 1, width: 1, n: 1, max_steps: 1}",
                    "job: {wave_size: " + Math.min(n, wave) + ", record_curves: false, max_grid_size: " + Math.max(n, 1000) + "}", ""));
            // the live heap: a full GC every SAMPLE_MS, then the heap in use (young GCs leave old garbage counted)
            List<long[]> live = new ArrayList<>(); // {nanoTime, bytes}
            Thread sampler = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(SAMPLE_MS);
                        System.gc();
                        long[] sample = {System.nanoTime(), usedHeap()};
                        synchronized (live) {
                            live.add(sample);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-fanout-heap");
            sampler.setDaemon(true);
            long t0 = System.nanoTime();
            sampler.start();
            Timed t = sweep(List.of("sweep", specFile.toString(), "--master", "local[2]"));
            sampler.interrupt();
            sampler.join();
            double secs = (System.nanoTime() - t0) / 1e9;
            org.deqsweep.sweep.store.OutputDir.deleteTree(dir);
            // the rebuild starts when the waves end: when the progress line's final form was printed
            long rebuildStart = t.wavesEndNanos();
            List<Long> waves = new ArrayList<>();
            List<Long> rebuild = new ArrayList<>();
            synchronized (live) {
                for (long[] x : live) {
                    (x[0] < rebuildStart ? waves : rebuild).add(x[1]);
                }
            }
            // flat = the second half of the waves holds no more than the first half
            double firstHalf = median(waves.subList(0, waves.size() / 2)) / 1e6;
            double secondHalf = median(waves.subList(waves.size() / 2, waves.size())) / 1e6;
            waves.sort(null);
            double med = waves.isEmpty() ? Double.NaN : waves.get(waves.size() / 2) / 1e6;
            double max = waves.isEmpty() ? Double.NaN : waves.get(waves.size() - 1) / 1e6;
            double rmax = rebuild.stream().mapToLong(Long::longValue).max().orElse(-1) / 1e6;
            heaps.add(new Heap(n, (n + wave - 1) / wave, secs, t.rebuild, waves.size(), med, max, rmax, firstHalf, secondHalf));
            System.err.printf("bench-fanout: %,d cheap points in %.0f s (rebuild %.1f s): live heap during the waves median %.0f MB, "
                    + "max %.0f MB over %d samples (median of the first half %.0f MB, second half %.0f MB); during the rebuild max %.0f MB%n",
                    n, secs, t.rebuild, med, max, waves.size(), firstHalf, secondHalf, rmax);
        }
        b.append(String.format("- real sweeps of cheap points (general_deq, d = width = n = 1, one step, no curves; grid = N/1000 "
                + "seeds x 1000 step sizes), local[2], "
                + "waves of at most %,d points; live heap = heap in use after a full GC, sampled every %d s during the "
                + "command (local mode: driver and executors share the JVM, so this bounds the driver's heap). Samples "
                + "before the waves end count as waves, later ones as rebuild; the rebuild's sorts and Parquet buffers "
                + "live in Spark's execution memory, which is capped by spark.memory.fraction and spills beyond it.%n%n",
                wave, SAMPLE_MS / 1000));
        b.append("| grid points | waves | wall s | rebuild s | samples in waves | live heap in waves, median MB "
                + "| first half / second half of the waves, median MB | max MB | max MB in rebuild |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Heap h : heaps) {
            b.append(String.format("| %,d | %d | %.0f | %.1f | %d | %.0f | %.0f / %.0f | %.0f | %s |%n", h.points(), h.waves(), h.seconds(),
                    h.rebuild(), h.samples(), h.medianMb(), h.firstHalfMb(), h.secondHalfMb(), h.maxMb(),
                    h.rebuildMaxMb() < 0 ? "-" : String.format("%.0f", h.rebuildMaxMb())));
        }
        b.append("\n");
    }

    /** The session settings submit.sh passes with --properties-file, as system properties (SparkConf reads spark.*). */
    private static void applySparkDefaults(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("spark.") && System.getProperty(k) == null) {
                System.setProperty(k, p.getProperty(k).trim());
            }
        }
    }

    private static double median(List<Long> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Long> s = xs.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
