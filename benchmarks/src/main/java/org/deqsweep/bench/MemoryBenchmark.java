package org.deqsweep.bench;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.io.JsonIo;
import org.deqsweep.core.train.MemoryEstimate;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.Runner;
import org.deqsweep.core.train.Status;

/**
 * How close {@link MemoryEstimate} is to what real runs need. For each case it finds, by bisection over
 * child JVMs, the smallest {@code -Xmx} at which {@link Runner#run} completes without running out of
 * heap; subtracts the same for a trivial run (the JVM's and the classes' own heap); and sets that
 * against the estimate. The default collector (G1) is used, as on an executor.
 * <pre>
 *   ./submit.sh bench-memory [--only SUBSTRING] [--resolution 0.02]
 * </pre>
 * Prints a Markdown table: case, estimate, measured need, measured / estimate, the estimate's peak phase.
 */
public final class MemoryBenchmark {
    /** A child JVM's exit status when its run ran out of heap. */
    static final int OUT_OF_HEAP = 3;

    private MemoryBenchmark() {
    }

    record Case(String name, Map<String, Object> config) {
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("general m=1200 n=200 (A and the solvers' m x m)", cfg("general_deq", 200, 10, 1200, "tanh", Map.of())));
        c.add(new Case("general m=40 n=1400 (Gram n x n)", cfg("general_deq", 1400, 5, 40, "tanh", Map.of())));
        c.add(new Case("general m=16 n=5000 anderson memory 40", cfg("general_deq", 5000, 5, 16, "tanh",
                Map.of("anderson_memory", 40))));
        c.add(new Case("general m=64 n=20000 picard jfb", cfg("general_deq", 20000, 20, 64, "tanh",
                Map.of("forward_solver", "picard", "grad_mode", "jfb"))));
        c.add(new Case("linear_deq n=10^6 d=20 (data, Jacobian n x P)", cfg("linear_deq", 1_000_000, 20, 1, "identity", Map.of())));
        c.add(new Case("overparam m=512 n=300", cfg("overparam_deq", 300, 10, 512, "relu", Map.of())));
        c.add(new Case("implicit_layer m=600 n=4000 k=10", cfg("implicit_layer", 4000, 50, 600, "identity",
                Map.of("outputs", 10))));
        c.add(new Case("general m=8 max_steps 4e6 (loss history)", cfg("general_deq", 20, 2, 8, "tanh",
                Map.of("max_steps", 4_000_000, "tol", 0.0, "rel_tol", 0.0, "step_size", 1e-9))));
        return c;
    }

    private static Map<String, Object> cfg(String family, int n, int d, int width, String act, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", family);
        m.put("n", n);
        m.put("d", d);
        m.put("width", width);
        m.put("activation", act);
        m.put("max_steps", 3);
        m.put("time_budget_ms", 3_600_000L);
        m.putAll(extra);
        return m;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--probe")) {
            System.exit(probe(args[1]));
        }
        String only = null;
        double resolution = 0.02;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> only = args[++i];
                case "--resolution" -> resolution = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("bench-memory: unknown argument '" + args[i] + "'; allowed: --only SUBSTRING, --resolution R");
                    System.exit(2);
                }
            }
        }
        Case trivial = new Case("trivial", cfg("general_deq", 10, 1, 1, "tanh", Map.of()));
        long floor = smallestHeapMiB(trivial, 4, 512, 1);
        System.out.printf(Locale.ROOT, "JVM heap floor (trivial run): %d MiB; %s, %d cores%n%n", floor,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| case | estimate | measured need | measured / estimate | estimate's peak phase |");
        System.out.println("|---|---:|---:|---:|---|");
        for (Case c : cases()) {
            if (only != null && !c.name().contains(only)) {
                continue;
            }
            MemoryEstimate e = MemoryEstimate.of(RunConfig.fromMap(c.config()));
            double estMiB = e.bytes() / (double) (1 << 20);
            long hi = Math.max(64, (long) (estMiB * 3) + floor + 64);
            long step = Math.max(2, (long) (estMiB * resolution));
            long heap = smallestHeapMiB(c, floor, hi, step);
            double need = heap - floor;
            System.out.printf(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.2f | %s |%n", c.name(), estMiB, need, need / estMiB,
                    e.phase());
        }
    }

    /** Bisection over -Xmx in MiB: the smallest heap in (lo, hi] at which the run completes, to {@code step}. */
    private static long smallestHeapMiB(Case c, long lo, long hi, long step) throws IOException, InterruptedException {
        if (!completes(c, hi)) {
            throw new IllegalStateException(c.name() + " does not complete even with -Xmx" + hi + "m");
        }
        while (hi - lo > step) {
            long mid = (lo + hi) / 2;
            if (completes(c, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static boolean completes(Case c, long heapMiB) throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heapMiB + "m", "-Xms" + Math.min(heapMiB, 8) + "m",
                "-cp", System.getProperty("java.class.path"), MemoryBenchmark.class.getName(), "--probe",
                JsonIo.JSON.writeValueAsString(c.config()));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(c.name() + ": a probe took over 30 min");
        }
        int rc = p.exitValue();
        if (rc != 0 && rc != OUT_OF_HEAP && rc != 1) {
            throw new IllegalStateException(c.name() + ": probe exit status " + rc + " at -Xmx" + heapMiB + "m");
        }
        return rc == 0;
    }

    /** In the child JVM: one run; exit 0 when it completed, {@link #OUT_OF_HEAP} when it ran out of heap. */
    private static int probe(String json) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JsonIo.JSON.readValue(json, Map.class);
        try {
            RunResult r = Runner.run(RunConfig.fromMap(map));
            boolean oom = r.status() == Status.ERROR && r.failureReason() != null
                    && r.failureReason().startsWith(Runner.OUT_OF_MEMORY);
            return oom ? OUT_OF_HEAP : 0;
        } catch (OutOfMemoryError e) {
            return OUT_OF_HEAP;
        }
    }
}
