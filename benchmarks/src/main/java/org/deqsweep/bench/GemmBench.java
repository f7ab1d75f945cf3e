package org.deqsweep.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import org.deqsweep.core.solve.RowGemm;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Micro-benchmark of the GEMM kernels (not a test): GFLOP/s of thread CPU time for C = B R at the
 * shapes of a training step (n = 200 samples; the forward map n x m x m, the injection n x d x m,
 * the gradients m x n x m and m x n x d), for {@link RowGemm} and EJML's mult.
 * Usage: {@code java -cp ... org.deqsweep.bench.GemmBench [seconds per shape, default 1]}.
 */
public final class GemmBench {
    private GemmBench() {
    }

    public static void main(String[] args) {
        double secs = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int[][] shapes = {{200, 512, 512}, {512, 200, 512}, {512, 200, 100}, {200, 100, 512}, {200, 128, 128},
            {128, 200, 128}, {200, 64, 64}, {64, 200, 64}, {200, 50, 64}, {200, 32, 32}, {200, 8, 8}};
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Random rnd = new Random(1);
        for (int round = 0; round < 2; round++) {
            for (int[] s : shapes) {
                int n = s[0];
                int k = s[1];
                int m = s[2];
                DMatrixRMaj b = new DMatrixRMaj(n, k);
                DMatrixRMaj r = new DMatrixRMaj(k, m);
                for (int i = 0; i < b.data.length; i++) {
                    b.data[i] = rnd.nextGaussian();
                }
                for (int i = 0; i < r.data.length; i++) {
                    r.data[i] = rnd.nextGaussian();
                }
                DMatrixRMaj c = new DMatrixRMaj(n, m);
                RowGemm g = new RowGemm();
                g.setRight(r, false);
                double flop = 2.0 * n * k * m;
                double gRow = rate(mx, secs, flop, () -> g.mult(b, c));
                double gEjml = rate(mx, secs, flop, () -> CommonOps_DDRM.mult(b, r, c));
                System.out.printf("%s n=%4d k=%4d m=%4d  RowGemm %6.2f  EJML mult %6.2f GFLOP/s%n",
                        round == 0 ? "warm" : "    ", n, k, m, gRow, gEjml);
            }
        }
    }

    private static double rate(ThreadMXBean mx, double secs, double flop, Runnable op) {
        long t0 = mx.getCurrentThreadCpuTime();
        long reps = 0;
        long budget = (long) (secs * 1e9);
        while (mx.getCurrentThreadCpuTime() - t0 < budget) {
            op.run();
            reps++;
        }
        double el = (mx.getCurrentThreadCpuTime() - t0) * 1e-9;
        return reps * flop / el * 1e-9;
    }

}
