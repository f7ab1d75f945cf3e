package org.deqsweep.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.io.JsonIo;
import org.deqsweep.core.io.OneRun;
import org.deqsweep.core.model.DeqObjective;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.train.RunTrace;
import org.deqsweep.core.train.Trainer;

/**
 * Training-throughput benchmark of the solver core against a NumPy/SciPy peer (issue "Performance:
 * benchmark the solver and the fan-out", first half).
 * <pre>
 *   ./submit.sh bench, or java -cp <runtime classpath>:benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar org.deqsweep.bench.CoreBenchmark
 *        [--quick] [--section NAME] [--out BENCHMARKS.md] [--reps R] [--only SUBSTRING[,SUBSTRING...]] [--no-peer]
 *        [--python python3] [--peer benchmarks/peer/peer_numpy.py] [--work DIR]
 * </pre>
 * For every case of the matrix (d, width m, n, activation, forward solver, gradient mode) it
 * <ol>
 *   <li>writes the config and runs the one-run command with {@code --dump} (also a JIT warm-up);</li>
 *   <li>reads data and initial parameters back from that dump, warms up, then times
 *       {@link Trainer#train()} (full-batch GD, record_points = 2 so diagnostics stay out of the way)
 *       over several repetitions and takes the median;</li>
 *   <li>runs the peer ({@code peer_numpy.py}, single-threaded BLAS) on the same dump, which trains the
 *       same steps with the same algorithm and reports its losses and median time;</li>
 *   <li>compares the loss trajectories (max over steps of |L_java - L_peer| / |L_java|, must be
 *       &lt;= 1e-8) and the solver iteration counts.</li>
 * </ol>
 * The table (with machine, JVM and date) replaces the section {@code NAME} of BENCHMARKS.md, so
 * "before" and "after" tables live side by side. Exit status 1 when a trajectory disagrees or a
 * peer run fails, 2 for bad arguments.
 */
public final class CoreBenchmark {
    /** Largest accepted relative difference between the Java and peer loss trajectories. */
    public static final double AGREE_REL = 1e-8;

    /** One point of the matrix. */
    record Case(int d, int m, int n, String act, String forward, String grad, int steps) {
        String name() {
            return "d" + d + "-m" + m + "-n" + n + "-" + act + "-" + forward + "-" + grad;
        }

        Map<String, Object> config() {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("family", "general_deq");
            c.put("d", d);
            c.put("width", m);
            c.put("n", n);
            c.put("activation", act);
            c.put("forward_solver", forward);
            c.put("grad_mode", grad);
            c.put("step_size", 0.01);
            c.put("max_steps", steps);
            c.put("tol", 0.0);
            c.put("record_points", 2);
            c.put("time_budget_ms", 3_600_000L);
            c.put("seed", 1L);
            return c;
        }

        /** The targets: Java/peer speed-up at least 5 for d &lt;= 100 and m &lt;= 64, 0.5 at m = 512. */
        double target() {
            if (d <= 100 && m <= 64) {
                return 5.0;
            }
            return m == 512 ? 0.5 : Double.NaN;
        }
    }

    /** What one case measured (times are medians over the repetitions, in seconds). */
    record Row(Case c, int steps, double javaCpuS, double javaWallS, double[] javaCpuTimes, long javaFwd, long javaBwd,
               double peerCpuS, double peerWallS, long peerFwd, long peerBwd, double maxRel, double bytesPerStep,
               String note) {
        /** Peer time / Java time, thread CPU time: the figure the targets are judged on. */
        double speedup() {
            return peerCpuS / javaCpuS;
        }

        double speedupWall() {
            return peerWallS / javaWallS;
        }
    }

    private CoreBenchmark() {
    }

    /** The default matrix: ~5-10 minutes on 2 cores with the peer. */
    static List<Case> defaultMatrix() {
        List<Case> l = new ArrayList<>();
        // width sweep, the common setting: tanh, Anderson forward, exact gradient
        l.add(new Case(5, 1, 200, "tanh", "anderson", "exact", 200));
        l.add(new Case(10, 8, 200, "tanh", "anderson", "exact", 100));
        l.add(new Case(20, 32, 200, "tanh", "anderson", "exact", 50));
        l.add(new Case(50, 64, 200, "tanh", "anderson", "exact", 30));
        l.add(new Case(100, 128, 200, "tanh", "anderson", "exact", 10));
        l.add(new Case(100, 512, 200, "tanh", "anderson", "exact", 4));
        // n and d at fixed width
        l.add(new Case(100, 8, 1000, "tanh", "anderson", "exact", 40));
        l.add(new Case(100, 64, 1000, "tanh", "anderson", "exact", 10));
        // linear DEQ (direct forward)
        l.add(new Case(10, 8, 200, "identity", "direct", "exact", 200));
        l.add(new Case(50, 64, 200, "identity", "direct", "exact", 50));
        // solver, activation and gradient-mode variations at a small and a medium width
        for (int[] s : new int[][] {{10, 8, 100}, {50, 64, 30}}) {
            l.add(new Case(s[0], s[1], 200, "tanh", "picard", "exact", s[2]));
            l.add(new Case(s[0], s[1], 200, "relu", "anderson", "exact", s[2]));
            l.add(new Case(s[0], s[1], 200, "tanh", "anderson", "jfb", s[2]));
            l.add(new Case(s[0], s[1], 200, "tanh", "anderson", "neumann-3", s[2]));
            l.add(new Case(s[0], s[1], 200, "tanh", "anderson", "damped", s[2]));
        }
        return l;
    }

    /** The --quick matrix: about a minute. */
    static List<Case> quickMatrix() {
        return List.of(
                new Case(10, 8, 200, "tanh", "anderson", "exact", 50),
                new Case(10, 8, 200, "identity", "direct", "exact", 100),
                new Case(50, 64, 200, "tanh", "anderson", "exact", 15),
                new Case(100, 512, 200, "tanh", "anderson", "exact", 2));
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        boolean quick = false;
        boolean peer = true;
        String section = "results";
        Path out = null;
        int reps = -1;
        String only = null;
        String python = "python3";
        Path peerScript = null;
        Path work = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick": quick = true; break;
                    case "--no-peer": peer = false; break;
                    case "--section": section = arg(args, ++i); break;
                    case "--out": out = Path.of(arg(args, ++i)); break;
                    case "--reps": reps = Integer.parseInt(arg(args, ++i)); break;
                    case "--only": only = arg(args, ++i); break;
                    case "--python": python = arg(args, ++i); break;
                    case "--peer": peerScript = Path.of(arg(args, ++i)); break;
                    case "--work": work = Path.of(arg(args, ++i)); break;
                    case "-h":
                    case "--help":
                        System.out.println(usage());
                        return 0;
                    default: throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("core-benchmark: " + e.getMessage() + "\n" + usage());
            return 2;
        }
        Path root = repoRoot();
        if (out == null) {
            out = root.resolve("BENCHMARKS.md");
        }
        if (peerScript == null) {
            peerScript = root.resolve("benchmarks/peer/peer_numpy.py");
        }
        if (reps < 0) {
            reps = quick ? 3 : 5;
        }
        double warmupS = quick ? 0.3 : 1.0;
        List<Case> cases = new ArrayList<>(quick ? quickMatrix() : defaultMatrix());
        if (only != null) {
            List<String> any = List.of(only.split(","));
            cases.removeIf(c -> any.stream().noneMatch(c.name()::contains));
        }
        try {
            if (work == null) {
                work = Files.createTempDirectory("core-bench");
            }
            Files.createDirectories(work);
            List<Row> rows = new ArrayList<>();
            Map<String, Object> peerInfo = null;
            long t0 = System.nanoTime();
            String loadBefore = loadAverage();
            for (Case c : cases) {
                System.err.printf(Locale.ROOT, "[%5.0fs] %s ...%n", (System.nanoTime() - t0) / 1e9, c.name());
                Row r = measure(c, work, reps, warmupS, peer, python, peerScript);
                rows.add(r);
                System.err.printf(Locale.ROOT, "        java %.1f steps/s, peer %.1f steps/s (CPU), speed-up %.2f (wall %.2f),"
                        + " max rel diff %.2e %s%n", r.steps() / r.javaCpuS(), r.steps() / r.peerCpuS(), r.speedup(),
                        r.speedupWall(), r.maxRel(), r.note());
                if (peer && peerInfo == null) {
                    peerInfo = lastPeerInfo;
                }
            }
            String load = "load average " + loadBefore + " at the start, " + loadAverage() + " at the end";
            String md = table(section, rows, reps, warmupS, quick, peer, peerInfo, (System.nanoTime() - t0) / 1e9, load);
            writeSection(out, section, md);
            System.out.println(md);
            System.err.println("core-benchmark: wrote section '" + section + "' of " + out);
            boolean bad = peer && rows.stream().anyMatch(r -> !(r.maxRel() <= AGREE_REL));
            return bad ? 1 : 0;
        } catch (IOException | InterruptedException e) {
            System.err.println("core-benchmark: " + e);
            return 1;
        }
    }

    private static Map<String, Object> lastPeerInfo;

    static Row measure(Case c, Path work, int reps, double warmupS, boolean peer, String python, Path peerScript)
            throws IOException, InterruptedException {
        Path cfgFile = work.resolve(c.name() + ".config.json");
        Path dump = work.resolve(c.name() + ".dump.json");
        Files.write(cfgFile, JsonIo.JSON.writeValueAsBytes(c.config()));
        PrintStream nul = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        int st = OneRun.run(new String[] {cfgFile.toString(), "--dump", dump.toString()}, nul, System.err);
        if (st != 0) {
            throw new IOException("one-run failed for " + c.name() + " (status " + st + ")");
        }
        Map<String, Object> dm = JsonIo.readMap(dump);
        @SuppressWarnings("unchecked")
        Map<String, Object> cfgMap = (Map<String, Object>) dm.get("config");
        RunConfig cfg = RunConfig.fromMap(cfgMap);
        Dataset data = JsonIo.dataset(dm, dump.toString());
        Params init = JsonIo.params(dm, dump.toString(), cfg.width(), cfg.d());
        double[] dumpLoss = dumpLosses(dm);

        // Java: warm up for warmupS (at least one run)
        long wEnd = System.nanoTime() + (long) (warmupS * 1e9);
        int w = 0;
        do {
            trainOnce(cfg, data, init, null);
            w++;
        } while (System.nanoTime() < wEnd && w < 20);
        double bytesPerStep = bytesPerStep(cfgMap, cfg, data, init);
        Peer p = peer ? Peer.start(python, peerScript, dump, work.resolve(c.name() + ".peer.json"), c.steps()) : null;
        // interleaved: Java run r, then peer run r, so both see the same load on a shared machine
        double[] times = new double[reps];
        double[] cpus = new double[reps];
        double[] peerWall = new double[reps];
        double[] peerCpu = new double[reps];
        double[] loss = null;
        Trainer.Outcome o = null;
        for (int r = 0; r < reps; r++) {
            RunTrace trace = new RunTrace();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            o = trainOnce(cfg, data, init, trace);
            times[r] = (System.nanoTime() - t) / 1e9;
            cpus[r] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
            double[] l = new double[trace.size()];
            for (int i = 0; i < l.length; i++) {
                l[i] = trace.loss(i);
            }
            if (loss != null && !Arrays.equals(loss, l)) {
                throw new IllegalStateException(c.name() + ": two Java runs of the same config differ (determinism)");
            }
            loss = l;
            if (peer) {
                double[] pr = p.run();
                peerWall[r] = pr[0];
                peerCpu[r] = pr[1];
            }
        }
        int steps = (int) o.steps();
        String note = o.status().toString().equals("MAX_STEPS") ? "" : "java status " + o.status() + " ";
        double maxRel = maxRel(loss, dumpLoss);
        if (!(maxRel <= AGREE_REL)) {
            note += "java vs dump " + String.format(Locale.ROOT, "%.1e ", maxRel);
        }
        long peerFwd = -1;
        long peerBwd = -1;
        if (peer) {
            Map<String, Object> pm = p.finish();
            if (pm == null) {
                note += "peer: FAILED (exit " + p.exitValue() + ") ";
                maxRel = Double.NaN;
            } else {
                lastPeerInfo = pm;
                peerFwd = ((Number) pm.get("forward_iters")).longValue();
                peerBwd = ((Number) pm.get("backward_iters")).longValue();
                maxRel = Math.max(maxRel, maxRel(loss, Peer.losses(pm)));
            }
        }
        return new Row(c, steps, median(cpus), median(times), cpus, o.forwardIters(), o.backwardIters(),
                peer ? median(peerCpu) : Double.NaN, peer ? median(peerWall) : Double.NaN, peerFwd, peerBwd, maxRel,
                bytesPerStep, note.trim());
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * Heap bytes allocated per training step in the loop (warmed up): the thread's allocation over
     * Trainer.train() of the case's max_steps minus that of a 1-step training of the same config,
     * over the step difference, so the one-off setup (objective buffers, solver workspaces, the
     * outcome) cancels. NaN when the JVM cannot count allocations per thread.
     */
    static double bytesPerStep(Map<String, Object> cfgMap, RunConfig cfg, Dataset data, Params init) {
        if (!(THREADS instanceof com.sun.management.ThreadMXBean t) || !t.isThreadAllocatedMemorySupported()
                || cfg.train().maxSteps() < 2) {
            return Double.NaN;
        }
        t.setThreadAllocatedMemoryEnabled(true);
        Map<String, Object> one = new LinkedHashMap<>(cfgMap);
        one.put("max_steps", 1);
        RunConfig cfg1 = RunConfig.fromMap(one);
        long tid = Thread.currentThread().getId();
        long full = Long.MAX_VALUE;
        long single = Long.MAX_VALUE;
        long stepsFull = 0;
        long stepsOne = 0;
        // the minimum of 3 runs each, so a lazily initialised JDK path does not count
        for (int r = 0; r < 3; r++) {
            DeqObjective obj = new DeqObjective(cfg, data);
            Trainer tr = new Trainer(cfg, obj, init.copy(), null);
            long a0 = t.getThreadAllocatedBytes(tid);
            stepsFull = tr.train().steps();
            full = Math.min(full, t.getThreadAllocatedBytes(tid) - a0);
            DeqObjective obj1 = new DeqObjective(cfg1, data);
            Trainer tr1 = new Trainer(cfg1, obj1, init.copy(), null);
            a0 = t.getThreadAllocatedBytes(tid);
            stepsOne = tr1.train().steps();
            single = Math.min(single, t.getThreadAllocatedBytes(tid) - a0);
        }
        return stepsFull > stepsOne ? (double) (full - single) / (stepsFull - stepsOne) : Double.NaN;
    }

    /** Asks the serving peer for one training; returns {wall s, thread CPU s}. */
    static double[] peerRun(java.io.Writer to, java.io.BufferedReader from) throws IOException {
        to.write("run\n");
        to.flush();
        String line = from.readLine();
        if (line == null) {
            throw new IOException("the peer exited before answering (see its stderr above)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JsonIo.JSON.readValue(line, Map.class);
        return new double[] {((Number) m.get("wall_s")).doubleValue(), ((Number) m.get("cpu_s")).doubleValue()};
    }

    /** One full GD training from a copy of {@code init}: the work the table times. */
    static Trainer.Outcome trainOnce(RunConfig cfg, Dataset data, Params init, RunTrace trace) {
        DeqObjective obj = new DeqObjective(cfg, data);
        return new Trainer(cfg, obj, init.copy(), trace).train();
    }

    /** max_k |a_k - b_k| / max(|a_k|, 1e-300); NaN when the lengths differ or a value is not finite. */
    static double maxRel(double[] a, double[] b) {
        if (a == null || b == null || a.length != b.length) {
            return Double.NaN;
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double r = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-300);
            if (!(r <= Double.MAX_VALUE)) {
                return Double.NaN;
            }
            worst = Math.max(worst, r);
        }
        return worst;
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int k = s.length;
        return k % 2 == 1 ? s[k / 2] : 0.5 * (s[k / 2 - 1] + s[k / 2]);
    }

    static double[] dumpLosses(Map<String, Object> dm) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> traj = (List<Map<String, Object>>) dm.get("trajectory");
        double[] l = new double[traj.size()];
        for (int i = 0; i < l.length; i++) {
            Object v = traj.get(i).get("loss");
            l[i] = v == null ? Double.NaN : ((Number) v).doubleValue();
        }
        return l;
    }

    // ------------------------------------------------------------------ report

    static String table(String section, List<Row> rows, int reps, double warmupS, boolean quick, boolean peer,
                        Map<String, Object> peerInfo, double wallS, String load) {
        StringBuilder b = new StringBuilder();
        b.append("## Core benchmark: ").append(section).append("\n\n");
        b.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        b.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(cpuModel()).append("; ").append(load).append('\n');
        b.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", flags: `")
                .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append("`, max heap ")
                .append(Runtime.getRuntime().maxMemory() >> 20).append(" MB\n");
        if (peer && peerInfo != null) {
            b.append("- peer: Python ").append(peerInfo.get("python")).append(", NumPy ").append(peerInfo.get("numpy"))
                    .append(", SciPy ").append(peerInfo.get("scipy")).append(", BLAS ").append(peerInfo.get("blas"))
                    .append(" pinned to 1 thread (`benchmarks/peer/peer_numpy.py`)\n");
        }
        b.append("- method: ").append(quick ? "--quick matrix; " : "default matrix; ")
                .append("per case a one-run `--dump`, Java warm-up >= ").append(warmupS)
                .append(" s, peer warm-up 1 run, then ").append(reps).append(" runs each of Java `Trainer.train()` and the"
                        + " peer on the same dump, interleaved (Java, peer, Java, ...) so both see the same load;"
                        + " step_size 0.01, record_points 2, seed 1; ")
                .append(String.format(Locale.ROOT, "%.0f s wall in all", wallS)).append('\n');
        b.append("- bytes alloc / step: heap bytes the training thread allocates per GD step in the loop (ThreadMXBean"
                + " allocated bytes of a warmed-up train() of max_steps minus that of a 1-step train(), over the"
                + " step difference; setup cancels). The issue asks for no allocation in the loop.\n");
        b.append("- times are medians of the **thread CPU time** of the training (Java ThreadMXBean, Python"
                + " time.thread_time; BLAS is single-threaded), because the 2 cores are shared and wall time"
                + " measures the neighbours; the wall-time speed-up is shown too. ns / (step m^2 n) is Java CPU time"
                + " per unit of work.\n");
        b.append("- speed-up = peer time / Java time for the same steps. Targets (issue): >= 5 for d <= 100 and m <= 64,"
                + " >= 0.5 at m = 512, judged on CPU time. Losses must agree to ").append(AGREE_REL)
                .append(" relative at every step (max over steps of |L_java - L_peer| / |L_java|, and Java vs the dump).\n\n");
        b.append("| case | steps | Java steps/s | Java ns / (step m^2 n) | peer steps/s | speed-up | wall speed-up | target"
                + " | fwd iters J / P | bwd iters J / P | max rel diff | agree | Java bytes alloc / step |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|\n");
        int met = 0;
        int targets = 0;
        int agree = 0;
        for (Row r : rows) {
            Case c = r.c();
            double work = (double) c.m() * c.m() * c.n();
            double t = c.target();
            String tgt = "-";
            if (peer && !Double.isNaN(t)) {
                targets++;
                boolean ok = r.speedup() >= t;
                met += ok ? 1 : 0;
                tgt = (ok ? "met" : "**missed**") + " (>= " + fmt(t) + ")";
            }
            boolean ag = r.maxRel() <= AGREE_REL;
            agree += ag ? 1 : 0;
            b.append("| ").append(c.name()).append(" | ").append(r.steps())
                    .append(" | ").append(fmt(r.steps() / r.javaCpuS()))
                    .append(" | ").append(fmt(r.javaCpuS() * 1e9 / (r.steps() * work)))
                    .append(" | ").append(peer ? fmt(r.steps() / r.peerCpuS()) : "-")
                    .append(" | ").append(peer ? fmt(r.speedup()) : "-")
                    .append(" | ").append(peer ? fmt(r.speedupWall()) : "-")
                    .append(" | ").append(tgt)
                    .append(" | ").append(r.javaFwd()).append(" / ").append(peer ? Long.toString(r.peerFwd()) : "-")
                    .append(" | ").append(r.javaBwd()).append(" / ").append(peer ? Long.toString(r.peerBwd()) : "-")
                    .append(" | ").append(Double.isNaN(r.maxRel()) ? "NaN" : String.format(Locale.ROOT, "%.1e", r.maxRel()))
                    .append(" | ").append(!peer ? "-" : ag ? "yes" : "**FAIL**").append(r.note().isEmpty() ? "" : " " + r.note())
                    .append(" | ").append(Double.isNaN(r.bytesPerStep()) ? "n/a" : String.format(Locale.ROOT, "%.0f", r.bytesPerStep()))
                    .append(" |\n");
        }
        if (peer) {
            b.append("\nTargets met: ").append(met).append(" of ").append(targets).append(". Trajectories agree (<= ")
                    .append(AGREE_REL).append("): ").append(agree).append(" of ").append(rows.size()).append(".\n");
        }
        b.append("\nJava CPU times per run (s): ");
        for (Row r : rows) {
            b.append(r.c().name()).append(' ').append(Arrays.toString(Arrays.stream(r.javaCpuTimes())
                    .map(x -> Math.round(x * 1e4) / 1e4).toArray())).append("; ");
        }
        b.append('\n');
        return b.toString();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /** Replaces the block between the section's markers in {@code file}, or appends it. */
    public static void writeSection(Path file, String section, String body) throws IOException {
        String start = "<!-- bench:" + section + ":start -->";
        String end = "<!-- bench:" + section + ":end -->";
        String block = start + "\n" + body + end + "\n";
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
        int i = text.indexOf(start);
        int j = text.indexOf(end);
        if (i >= 0 && j > i) {
            text = text.substring(0, i) + block + text.substring(j + end.length() + (text.startsWith("\n", j + end.length()) ? 1 : 0));
        } else {
            text = text + (text.endsWith("\n\n") ? "" : "\n") + block;
        }
        Files.writeString(file, text);
    }

    /** The directory holding solver-core/ (the repository root), searched upwards from the working directory. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isDirectory(q.resolve("solver-core")) && Files.exists(q.resolve("pom.xml"))) {
                return q;
            }
        }
        return p;
    }

    private static String arg(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static String usage() {
        return "usage: core-benchmark [--quick] [--section NAME] [--out BENCHMARKS.md] [--reps R] [--only SUBSTRING[,SUBSTRING...]]"
                + " [--no-peer] [--python python3] [--peer benchmarks/peer/peer_numpy.py] [--work DIR]";
    }
}
