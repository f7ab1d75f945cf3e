package org.deqsweep.core.train;

import java.util.List;
import java.util.Locale;
import org.deqsweep.core.config.Family;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.solve.AdjointSolvers;

/**
 * The heap one {@link Runner#run} needs at its peak, from the config's sizes alone. The solvers allocate
 * their workspaces once per run, so the peak is a sum of array sizes: data and objective buffers, the
 * forward and adjoint solvers' workspaces (Anderson keeps {@code 2 memory} histories and per-sample
 * {@code memory^2} Gram systems), the diagnostics, the Gram matrix of the runs table's lambda_min (up to
 * five n x n matrices at once, or the n x P Jacobian), the per-step loss history and the recorded curve.
 * The phases do not overlap in full (the Gram at the end runs after the trainer's arrays are garbage), so
 * the peak is the largest phase, plus what every phase holds.
 *
 * <p>An estimate, not a bound: {@code ./submit.sh bench-memory} measures the smallest heap each of a set of
 * real runs completes in and reports the ratio to this estimate.
 *
 * @param bytes        estimated peak live heap of the run, in bytes
 * @param phase        the phase that has the peak (for messages)
 * @param largestArray entries of the largest single array the run allocates
 * @param largestName  what that array is, with its shape
 */
public record MemoryEstimate(long bytes, String phase, double largestArray, String largestName) {

    /** Java's largest array: a few entries below 2^31 - 1 on HotSpot. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Objects of fixed size per run (configs, solver objects, EJML decompositions, strings). */
    static final long FIXED_BYTES = 256 * 1024;

    /** The config keys the estimate reads: points that agree on these need the same memory. */
    public static final List<String> KEYS = List.of("family", "n", "d", "width", "outputs", "data", "feature_map",
            "teacher", "activation", "trainer", "grad_mode", "forward_solver", "backward_solver", "anderson_memory",
            "max_steps", "record_points", "bias", "train_a", "train_w", "train_b", "train_v");

    /** Whether one array of the run would exceed what a Java array can hold. */
    public boolean exceedsArrayLimit() {
        return largestArray > MAX_ARRAY;
    }

    /** The estimate in MiB, as messages print it. */
    public String human() {
        return human(bytes);
    }

    /** Bytes as a person reads them: 850 KiB, 42.0 MiB, 3.20 GiB. */
    public static String human(double bytes) {
        if (bytes < 1 << 20) {
            return String.format(Locale.ROOT, "%.0f KiB", bytes / 1024);
        }
        if (bytes < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1L << 30));
    }

    /** The estimate for a resolved config (see the class comment for what it counts). */
    public static MemoryEstimate of(RunConfig cfg) {
        return cfg.family() == Family.IMPLICIT_LAYER ? implicitLayer(cfg) : deq(cfg);
    }

    /** In doubles (8 bytes). */
    private static MemoryEstimate deq(RunConfig cfg) {
        double n = cfg.n();
        double d = cfg.d();
        double m = cfg.width();
        double mem = cfg.anderson().memory();
        boolean trainA = cfg.model().trainA();
        boolean trainW = cfg.model().trainW();
        double p = (trainA ? m * m : 0) + (trainW ? m * d : 0) + (cfg.model().trainB() ? m : 0)
                + (cfg.model().trainV() ? m : 0);
        String gradMode = cfg.backward().gradMode();
        boolean adjointTrains = gradMode.equals("exact") || gradMode.equals("damped");
        boolean neumannGemm = gradMode.startsWith("neumann-") && Integer.parseInt(gradMode.substring(8)) >= 2;

        // data, objective buffers (9 n x m, f, r2c, mu^T, the gradient, X packed by rows with row headers)
        double base = 2 * n * d + 10 * n * m + 3 * n + 2 * m * m + 2 * m * d + 4 * m + 2 * d + 2 * n;
        double packed = m * d + m * m + 4 * m; // W^T and A^T packed for the row GEMM
        double z = trainA ? n * m + 2 * m + 2 * n : 0;
        double neumann = neumannGemm ? m * m : 0;
        double forward = forwardSolver(cfg, n, m, mem);
        double adjoint = adjointSolver(cfg, n, m, mem);
        boolean gram = Math.min(n, p) <= Runner.GRAM_MAX && p > 0;
        double gramPhase = !gram ? 0 : n <= p ? (4 + (trainW ? 1 : 0)) * n * n + n * n + 9 * n
                : n * p + 2 * p * p + 9 * p;
        double eigenvalues = gram ? Math.min(n, p) : 0;
        double covariance = 2 * d * d + 190 * d;
        double diagnostics = 4 * m * m + 4 * m;
        double curve = curve(cfg);
        double history = lossHistory(cfg.train().maxSteps());
        double train = history + curve + (cfg.family() == Family.LINEAR_DEQ ? 3 * m * m : 0)
                + (cfg.train().trainer().equals("flow") ? 10 * (m * m + m * d + 2 * m) : 0);
        double teacher = cfg.data().teacher().equals("deq") ? n * d + n + 5 * (m * m) + m * d + 2 * m + 3 * n * m : 0;
        double adjointIfGram = gram || adjointTrains ? adjoint : 0;

        double[] phases = {
            covariance + teacher,
            packed + forward + (gram ? adjoint : 0) + gramPhase,
            packed + z + neumann + forward + adjointIfGram + diagnostics + train,
            packed + z + neumann + forward + adjointIfGram + curve + gramPhase,
        };
        String[] names = {"data and covariance", "Gram matrix at initialisation", "training", "Gram matrix at the end"};
        int peak = argMax(phases);
        double doubles = base + eigenvalues + phases[peak];

        double[] arrays = {m * m, n * d, n * m, gram && n > p ? n * p : 0, gram && n <= p ? n * n : 0,
                historyCapacity(cfg.train().maxSteps())};
        String[] arrayNames = {"A (width x width = " + fmt(m) + " x " + fmt(m) + ")",
            "X (n x d = " + fmt(n) + " x " + fmt(d) + ")", "Z (n x width = " + fmt(n) + " x " + fmt(m) + ")",
            "the Jacobian (n x P = " + fmt(n) + " x " + fmt(p) + ")", "the Gram matrix (n x n = " + fmt(n) + " x " + fmt(n) + ")",
            "the loss history (max_steps " + cfg.train().maxSteps() + ")"};
        int big = argMax(arrays);
        return new MemoryEstimate(toBytes(doubles), names[peak], arrays[big], arrayNames[big]);
    }

    private static MemoryEstimate implicitLayer(RunConfig cfg) {
        double n = cfg.n();
        double d = cfg.d();
        double m = cfg.width();
        double k = cfg.model().outputs();
        double base = n * d + 3 * n * k + 0.5 * n + 6 * n * m + 10 * m * m + 2 * k * m;
        double load = cfg.data().kind().equals("idx") ? 1.5 * n * d + 2 * n + n * k + 0.5 * n : 0;
        double projection = cfg.model().featureMap().equals("projection") ? m * d : 0;
        double covariance = 2 * d * d + 190 * d;
        double train = lossHistory(cfg.train().maxSteps()) + curve(cfg);
        double[] phases = {load, base - 4 * m * m + projection, base - 4 * m * m + covariance,
            base + 2 * m * m + 4 * m * m + 4 * m + train};
        String[] names = {"reading the IDX files", "building the feature map", "data and covariance", "training"};
        int peak = argMax(phases);
        double[] arrays = {m * m, n * d, n * m, n * k};
        String[] arrayNames = {"A (width x width = " + fmt(m) + " x " + fmt(m) + ")",
            "X (n x d = " + fmt(n) + " x " + fmt(d) + ")", "Z (n x width = " + fmt(n) + " x " + fmt(m) + ")",
            "the outputs (n x outputs = " + fmt(n) + " x " + fmt(k) + ")"};
        int big = argMax(arrays);
        return new MemoryEstimate(toBytes(phases[peak]), names[peak], arrays[big], arrayNames[big]);
    }

    private static double forwardSolver(RunConfig cfg, double n, double m, double mem) {
        String kind = cfg.forward().solver();
        if (kind.equals("auto")) {
            kind = cfg.model().activation() == Activation.IDENTITY ? "direct" : "anderson";
        }
        return switch (kind) {
            case "direct" -> n * m + 4 * m * m;
            case "picard" -> 2 * n * m + m * m;
            case "newton" -> 2 * n * m + 2 * m * m + 8 * m;
            default -> anderson(n, m, mem) + m * m;
        };
    }

    private static double adjointSolver(RunConfig cfg, double n, double m, double mem) {
        String kind = cfg.backward().solver();
        if (kind.equals("auto")) {
            kind = cfg.width() <= AdjointSolvers.AUTO_DIRECT_MAX_WIDTH ? "direct" : "iterative";
        }
        return kind.equals("direct") ? 2 * n * m + 5 * m * m : anderson(n, m, mem) + n * m + m * m;
    }

    /** Anderson's workspace: 2 memory histories and 2 iterates of n x m, and per-sample memory^2 systems. */
    private static double anderson(double n, double m, double mem) {
        return (2 * mem + 2) * n * m + (3 * mem * mem + 3 * mem + 1) * n + 0.625 * n + mem * mem + 3 * mem;
    }

    /** The trainer's curve: up to record_points + 2 points of 96 bytes and their list slot. */
    private static double curve(RunConfig cfg) {
        double points = Math.min(cfg.train().recordPoints(), cfg.train().maxSteps()) + 2;
        return points * 12.75 + points;
    }

    /**
     * The per-step loss history (steps and values), doubled as it grows: while it grows, the old and the
     * new arrays are both live; at the end the excess-rate fit adds two arrays of the steps taken.
     */
    private static double lossHistory(long maxSteps) {
        double c = historyCapacity(maxSteps);
        return Math.max(3 * c, 2 * c + 2 * (maxSteps + 1));
    }

    /** The loss history's array length at the end: 256 doubled until it holds every step. */
    private static double historyCapacity(long maxSteps) {
        double c = 256;
        while (c < maxSteps + 1) {
            c *= 2;
        }
        return c;
    }

    private static long toBytes(double doubles) {
        double b = doubles * 8 + FIXED_BYTES;
        return b >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(b);
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String fmt(double v) {
        return Long.toString((long) v);
    }
}
