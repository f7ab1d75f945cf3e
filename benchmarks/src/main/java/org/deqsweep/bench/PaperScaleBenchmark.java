package org.deqsweep.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.io.JsonIo;
import org.deqsweep.core.io.OneRun;
import org.deqsweep.core.model.DeqObjective;
import org.deqsweep.core.model.Objective;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.model.ScalarDeqObjective;
import org.deqsweep.core.train.RunTrace;
import org.deqsweep.core.train.Trainer;

/**
 * The seed papers' width-1 protocols on the scalar path, with the general matrix path and (where it
 * mirrors the solver) the NumPy peer beside it, on the same dump (issue 14's targets):
 * <ul>
 *   <li>the linear protocol: d = 1, n = 1000, x ~ U[0,1], target 2x, eta = 0.01, 200 steps (target &lt; 10 ms,
 *       and at least 10x the peer);</li>
 *   <li>the single-index far-init run: sigmoid, n = 1000, (20, 0), eta = 2, 40000 steps (target &lt; 1 s);</li>
 *   <li>the cost per step and sample at n = 1000 for tanh, sigmoid, relu and gelu (near init, eta = 0.1).</li>
 * </ul>
 * Each case is warmed up, then timed {@code --reps} times interleaved (general, scalar, peer), as median
 * thread CPU time. The two Java paths must give the same loss at every step (1e-10 relative), and the peer
 * within {@link CoreBenchmark#AGREE_REL}. Writes the section "paper" of BENCHMARKS.md.
 *
 * <pre>  ./submit.sh bench-paper [--reps R] [--no-peer] [--out FILE]</pre>
 */
public final class PaperScaleBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final double PATHS_REL = 1e-10;

    /** One case: its config, the target on the scalar path (ms, or NaN), and whether the peer mirrors it. */
    record Case(String name, Map<String, Object> config, double targetMs, boolean peer) {
    }

    /** What one case measured. */
    record Result(Case c, long steps, int n, double generalMs, double scalarMs, double peerMs, double pathsRel,
                  double peerRel, String status) {
    }

    private PaperScaleBenchmark() {
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        Map<String, Object> lin = new LinkedHashMap<>();
        lin.put("family", "linear_deq");
        lin.put("d", 1);
        lin.put("n", 1000);
        lin.put("data", "uniform");
        lin.put("teacher", "linear");
        lin.put("teacher_norm", 2.0);
        lin.put("step_size", 0.01);
        lin.put("max_steps", 200);
        lin.put("tol", 0.0);
        lin.put("record_points", 2);
        out.add(new Case("linear protocol (d 1, n 1000, U[0,1], 2x, eta 0.01, 200 steps)", lin, 10.0, true));
        Map<String, Object> far = singleIndex("sigmoid", 20.0, 2.0, 40000);
        out.add(new Case("single-index far init (sigmoid, n 1000, (20, 0), eta 2, 40000 steps)", far, 1000.0, false));
        for (String act : new String[] {"tanh", "sigmoid", "relu", "gelu"}) {
            out.add(new Case("single-index " + act + " (near init, eta 0.1, 2000 steps)", singleIndex(act, -0.1, 0.1, 2000),
                    Double.NaN, false));
        }
        return out;
    }

    private static Map<String, Object> singleIndex(String act, double w, double eta, int steps) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("family", "single_index_deq");
        c.put("activation", act);
        c.put("d", 1);
        c.put("n", 1000);
        c.put("teacher", "single_index");
        c.put("link", "same");
        c.put("teacher_norm", 2.0);
        c.put("init_scale", 0.01);
        c.put("w_center", w);
        c.put("step_size", eta);
        c.put("max_steps", steps);
        c.put("tol", 0.0);
        c.put("record_points", 2);
        c.put("forward_solver", "newton");
        c.put("forward_tol", 1e-13);
        c.put("forward_max_iter", 200);
        return c;
    }

    public static void main(String[] args) throws Exception {
        int reps = 5;
        boolean peer = true;
        Path root = CoreBenchmark.repoRoot();
        Path out = root.resolve("BENCHMARKS.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--no-peer" -> peer = false;
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("bench-paper: unknown argument '" + args[i] + "'; allowed: --reps R, --no-peer, --out FILE");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory("bench-paper");
        String load = CoreBenchmark.loadAverage();
        List<Result> results = new ArrayList<>();
        try {
            for (Case c : cases()) {
                System.err.println("bench-paper: " + c.name() + " ...");
                Result r = measure(c, work, reps, peer, root.resolve("benchmarks/peer/peer_numpy.py"));
                System.err.printf(Locale.ROOT, "  general %.2f ms, scalar %.2f ms, peer %s; paths differ by %.1e%n", r.generalMs(),
                        r.scalarMs(), Double.isNaN(r.peerMs()) ? "-" : String.format(Locale.ROOT, "%.2f ms", r.peerMs()), r.pathsRel());
                results.add(r);
            }
        } finally {
            org.deqsweep.sweep.store.OutputDir.deleteTree(work); // the dumps the two paths and the peer read (about 230 KB a run)
        }
        String md = table(results, reps, load + " at the start, " + CoreBenchmark.loadAverage() + " at the end");
        CoreBenchmark.writeSection(out, "paper", md);
        System.out.println(md);
        boolean bad = false;
        for (Result r : results) {
            bad |= !(r.pathsRel() <= PATHS_REL) || !Double.isNaN(r.peerMs()) && !(r.peerRel() <= CoreBenchmark.AGREE_REL);
        }
        System.exit(bad ? 1 : 0);
    }

    static Result measure(Case c, Path work, int reps, boolean withPeer, Path peerScript) throws IOException, InterruptedException {
        Path cfgFile = work.resolve("case.config.json");
        Path dump = work.resolve("case.dump.json");
        Files.write(cfgFile, JsonIo.JSON.writeValueAsBytes(c.config()));
        PrintStream nul = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        if (OneRun.run(new String[] {cfgFile.toString(), "--dump", dump.toString()}, nul, System.err) != 0) {
            throw new IOException("one-run failed for " + c.name());
        }
        Map<String, Object> dm = JsonIo.readMap(dump);
        @SuppressWarnings("unchecked")
        RunConfig cfg = RunConfig.fromMap((Map<String, Object>) dm.get("config"));
        Dataset data = JsonIo.dataset(dm, dump.toString());
        Params init = JsonIo.params(dm, dump.toString(), cfg.width(), cfg.d());
        // warm-up: about a second of each path
        for (boolean scalar : new boolean[] {false, true}) {
            long end = System.nanoTime() + 1_000_000_000L;
            int w = 0;
            do {
                train(cfg, data, init, scalar, null);
                w++;
            } while (System.nanoTime() < end && w < 50);
        }
        boolean peer = withPeer && c.peer();
        Peer p = peer ? Peer.start("python3", peerScript, dump, work.resolve("case.peer.json"), cfg.train().maxSteps()) : null;
        double[] general = new double[reps];
        double[] scalar = new double[reps];
        double[] peerCpu = new double[reps];
        double pathsRel = 0;
        double[] scalarLoss = null;
        Trainer.Outcome o = null;
        for (int r = 0; r < reps; r++) {
            RunTrace tg = new RunTrace();
            RunTrace ts = new RunTrace();
            long t0 = THREADS.getCurrentThreadCpuTime();
            train(cfg, data, init, false, tg);
            general[r] = (THREADS.getCurrentThreadCpuTime() - t0) / 1e6;
            t0 = THREADS.getCurrentThreadCpuTime();
            o = train(cfg, data, init, true, ts);
            scalar[r] = (THREADS.getCurrentThreadCpuTime() - t0) / 1e6;
            scalarLoss = losses(ts);
            pathsRel = Math.max(pathsRel, CoreBenchmark.maxRel(losses(tg), scalarLoss));
            if (peer) {
                peerCpu[r] = p.run()[1] * 1e3;
            }
        }
        double peerRel = Double.NaN;
        if (peer) {
            Map<String, Object> pm = p.finish();
            if (pm == null) {
                throw new IOException("the peer failed on " + c.name() + " (exit " + p.exitValue() + ")");
            }
            peerRel = CoreBenchmark.maxRel(scalarLoss, Peer.losses(pm));
        }
        return new Result(c, o.steps(), data.n(), CoreBenchmark.median(general), CoreBenchmark.median(scalar),
                peer ? CoreBenchmark.median(peerCpu) : Double.NaN, pathsRel, peerRel, o.status().name());
    }

    /** One training from a copy of init, on the scalar path or the general matrix path. */
    static Trainer.Outcome train(RunConfig cfg, Dataset data, Params init, boolean scalar, RunTrace trace) {
        Objective obj = scalar ? new ScalarDeqObjective(cfg, data) : new DeqObjective(cfg, data);
        return new Trainer(cfg, obj, init.copy(), trace).train();
    }

    private static double[] losses(RunTrace t) {
        double[] l = new double[t.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = t.loss(i);
        }
        return l;
    }

    static String table(List<Result> rows, int reps, String load) {
        StringBuilder b = new StringBuilder("## Paper scale: the width-1 protocols on the scalar path\n\n");
        b.append("- date: ").append(java.time.ZonedDateTime.now().format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("; machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(CoreBenchmark.cpuModel()).append("; ").append(load).append('\n');
        b.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append("; thread CPU time, median of ").append(reps).append(" runs interleaved (general, scalar, peer) after about 1 s of warm-up per path\n");
        b.append("- peer: `benchmarks/peer/peer_numpy.py` on the same dump, single-threaded BLAS; it mirrors the direct, "
                + "Picard and Anderson solvers, not Newton, so it runs only the linear protocol\n\n");
        b.append("| case | steps | general path ms | scalar path ms | peer ms | scalar vs general | scalar vs peer | ns per step and sample (scalar) | target | paths differ by |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (Result r : rows) {
            boolean hasPeer = !Double.isNaN(r.peerMs());
            String target = Double.isNaN(r.c().targetMs()) ? "" : String.format(Locale.ROOT, "< %.0f ms: %s", r.c().targetMs(),
                    r.scalarMs() < r.c().targetMs() ? "met" : "not met");
            if (hasPeer) {
                target += String.format(Locale.ROOT, "; >= 10x peer: %s", r.peerMs() / r.scalarMs() >= 10 ? "met" : "not met");
            }
            b.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %s | %.1fx | %s | %.1f | %s | %.1e |%n", r.c().name(),
                    r.steps(), r.generalMs(), r.scalarMs(), hasPeer ? String.format(Locale.ROOT, "%.2f", r.peerMs()) : "-",
                    r.generalMs() / r.scalarMs(), hasPeer ? String.format(Locale.ROOT, "%.1fx", r.peerMs() / r.scalarMs()) : "-",
                    r.scalarMs() * 1e6 / (r.steps() * (double) r.n()), target, r.pathsRel()));
        }
        b.append("\nThe two Java paths are the same arithmetic (ScalarPathTest: bit-identical trajectories); the last column is "
                + "the largest relative difference of their losses over the run.\n");
        return b.toString();
    }
}
