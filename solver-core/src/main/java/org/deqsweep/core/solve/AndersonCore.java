package org.deqsweep.core.solve;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * Safeguarded Anderson acceleration of a batched fixed point X = T(X), X n x m, one sample per row,
 * each row mixed with its own coefficients (DESIGN 3; TorchDEQ's {@code anderson_solver}). Shared by
 * {@link AndersonSolver} (T the forward map) and {@link IterativeAdjointSolver} (T the adjoint map).
 *
 * <p>Per sample i, with the last k &lt;= memory pairs (x_j, f_j = T(x_j)) and g_j = f_j - x_j:
 * <pre>  alpha = argmin |sum_j alpha_j g_j|^2 + lam' |alpha|^2  s.t. sum_j alpha_j = 1
 *   x_new = beta sum_j alpha_j f_j + (1 - beta) sum_j alpha_j x_j</pre>
 * solved as (H + lam' I) w = 1, alpha = w / sum(w), H_ab = &lt;g_a, g_b&gt; (kept incrementally).
 * lam' = lambda * max_a H_aa: TorchDEQ adds lambda absolutely, which near the solution (|g|^2 below
 * lambda) turns the step into a plain average of the last k f_j, slower than Picard; scaling by
 * the Gram diagonal keeps the regulariser's meaning at every residual level (the two agree at
 * |g| ~ 1).
 *
 * <p>Safeguards: a sample's history restarts (only the newest pair kept, i.e. a plain damped
 * step) when its Cholesky pivot ratio falls below {@value #RCOND_MIN}, when sum(w) or alpha is not
 * finite, or when the mixed row is not finite. If the batch residual becomes non-finite the solve
 * stops. The lowest-residual iterate is always returned.
 *
 * <p>Workspace: 3 * memory + 2 buffers of n x m, an n * memory^2 Gram array; reallocated only
 * when (n, m) change. The loop allocates nothing.
 */
final class AndersonCore {
    /** A row's batched map: out = T(x), both n x m; must not allocate. */
    interface BatchMap {
        void apply(DMatrixRMaj x, DMatrixRMaj out);
    }

    /** Smallest accepted min(L_jj^2) / max(H_jj + lam') of the small mixing system. */
    static final double RCOND_MIN = 1e-12;

    private final int memory;
    private final double beta;
    private final double lambda;

    private int n = -1;
    private int m = -1;
    private DMatrixRMaj[] xh;
    private DMatrixRMaj[] fh;
    private DMatrixRMaj[] gh;
    private double[] gram;
    private int[] count;
    private final DMatrixRMaj fcur = new DMatrixRMaj(0, 0);
    private final BestIterate best = new BestIterate();
    private final double[] h;
    private final double[] w;
    private final double[] hinv;
    private final int[] slot;
    /** The iterate being written (the caller's Z) during a solve. */
    private DMatrixRMaj xOut;
    /** Per-sample history restarts in the last solve (diagnostics and tests). */
    int restarts;

    AndersonCore(int memory, double beta, double lambda) {
        if (memory < 1) {
            throw new IllegalArgumentException("anderson memory must be >= 1, got " + memory);
        }
        if (!(beta > 0 && beta <= 1)) {
            throw new IllegalArgumentException("anderson beta must be in (0, 1], got " + beta);
        }
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("anderson lambda must be finite and >= 0, got " + lambda);
        }
        this.memory = memory;
        this.beta = beta;
        this.lambda = lambda;
        this.h = new double[memory * memory];
        this.w = new double[memory];
        this.hinv = new double[memory];
        this.slot = new int[memory];
    }

    private void configure(int rows, int cols) {
        if (rows == n && cols == m) {
            return;
        }
        n = rows;
        m = cols;
        xh = new DMatrixRMaj[memory];
        fh = new DMatrixRMaj[memory];
        gh = new DMatrixRMaj[memory];
        for (int j = 0; j < memory; j++) {
            xh[j] = new DMatrixRMaj(rows, cols);
            fh[j] = new DMatrixRMaj(rows, cols);
            gh[j] = new DMatrixRMaj(rows, cols);
        }
        gram = new double[rows * memory * memory];
        count = new int[rows];
        fcur.reshape(rows, cols);
    }

    /**
     * @param map T, the batched map
     * @param Z Input/Output: n x m start on entry, the lowest-residual iterate on exit
     * @return converged, map evaluations after the first, residual |Z - T(Z)|_F / |Z|_F of the returned Z
     */
    SolveStats solve(BatchMap map, DMatrixRMaj Z, double tol, int maxIter) {
        configure(Z.numRows, Z.numCols);
        restarts = 0;
        xOut = Z;
        Arrays.fill(count, 0);
        map.apply(Z, fcur);
        double res = Batch.residual(Z, fcur);
        best.start(Z, res);
        int it = 0;
        int head = -1;
        int filled = 0;
        int mm = memory * memory;
        double[] z = Z.data;
        while (!(res <= tol) && it < maxIter && Double.isFinite(res)) {
            head = (head + 1) % memory;
            filled = Math.min(filled + 1, memory);
            double[] xs = xh[head].data;
            double[] fs = fh[head].data;
            double[] gs = gh[head].data;
            double[] fc = fcur.data;
            System.arraycopy(z, 0, xs, 0, n * m);
            System.arraycopy(fc, 0, fs, 0, n * m);
            for (int k = 0; k < n * m; k++) {
                gs[k] = fc[k] - z[k];
            }
            for (int i = 0; i < n; i++) {
                int off = i * m;
                int g0 = i * mm;
                for (int b = 0; b < filled; b++) {
                    double[] gb = gh[b].data;
                    double dot = 0;
                    for (int c = 0; c < m; c++) {
                        dot += gs[off + c] * gb[off + c];
                    }
                    gram[g0 + head * memory + b] = dot;
                    gram[g0 + b * memory + head] = dot;
                }
                count[i] = Math.min(count[i] + 1, filled);
                mixRow(i, head);
            }
            it++;
            map.apply(Z, fcur);
            res = Batch.residual(Z, fcur);
            best.offer(Z, res);
        }
        xOut = null;
        return best.finish(Z, tol, it);
    }

    /** Writes row i of Z from the history ending at {@code head}; restarts the row's history on trouble. */
    private void mixRow(int i, int head) {
        int k = count[i];
        int off = i * m;
        int g0 = i * memory * memory;
        for (int j = 0; j < k; j++) {
            slot[j] = (head - j + memory) % memory;
        }
        boolean ok = k > 1 && solveMixing(g0, k);
        if (!ok) {
            if (k > 1) {
                restarts++;
            }
            count[i] = 1;
            k = 1;
            w[0] = 1;
        }
        double[] z = xOut.data;
        // z_c = sum_j w_j (beta f_jc + (1 - beta) x_jc), summed in j order for each c as before, but
        // with c innermost so the loop runs over contiguous rows (vectorised; same bits)
        double omb = 1 - beta;
        for (int c = 0; c < m; c++) {
            z[off + c] = 0.0;
        }
        for (int j = 0; j < k; j++) {
            double wj = w[j];
            double[] fj = fh[slot[j]].data;
            double[] xj = xh[slot[j]].data;
            for (int c = off; c < off + m; c++) {
                z[c] += wj * (beta * fj[c] + omb * xj[c]);
            }
        }
        for (int c = 0; c < m; c++) {
            if (!Double.isFinite(z[off + c])) {
                restarts++;
                count[i] = 1;
                double[] fs = fh[head].data;
                double[] xs = xh[head].data;
                for (int q = 0; q < m; q++) {
                    z[off + q] = beta * fs[off + q] + (1 - beta) * xs[off + q];
                }
                return;
            }
        }
    }

    /** Solves (H_k + lam' I) w = 1 by Cholesky into {@code w}, normalised to sum 1; false when ill-conditioned. */
    private boolean solveMixing(int g0, int k) {
        double maxDiag = 0;
        for (int a = 0; a < k; a++) {
            maxDiag = Math.max(maxDiag, gram[g0 + slot[a] * memory + slot[a]]);
        }
        if (!(maxDiag > 0) || !Double.isFinite(maxDiag)) {
            return false;
        }
        double reg = lambda * maxDiag;
        // lower Cholesky factor of the k x k system in h (row-major, k columns)
        // the reciprocals of the diagonal are kept in hinv so each division is done once (the profile
        // at m = 8 had this method at a third of a training step, mostly dependent divisions)
        double minPivot = Double.POSITIVE_INFINITY;
        for (int a = 0; a < k; a++) {
            int ga = g0 + slot[a] * memory;
            for (int b = 0; b <= a; b++) {
                double v = gram[ga + slot[b]] + (a == b ? reg : 0);
                for (int q = 0; q < b; q++) {
                    v -= h[a * k + q] * h[b * k + q];
                }
                if (a == b) {
                    if (!(v > 0)) {
                        return false;
                    }
                    minPivot = Math.min(minPivot, v);
                    double sq = Math.sqrt(v);
                    h[a * k + a] = sq;
                    hinv[a] = 1.0 / sq;
                } else {
                    h[a * k + b] = v * hinv[b];
                }
            }
        }
        if (minPivot < RCOND_MIN * (maxDiag + reg)) {
            return false;
        }
        for (int a = 0; a < k; a++) {
            double v = 1;
            for (int q = 0; q < a; q++) {
                v -= h[a * k + q] * w[q];
            }
            w[a] = v * hinv[a];
        }
        for (int a = k - 1; a >= 0; a--) {
            double v = w[a];
            for (int q = a + 1; q < k; q++) {
                v -= h[q * k + a] * w[q];
            }
            w[a] = v * hinv[a];
        }
        double sum = 0;
        for (int a = 0; a < k; a++) {
            sum += w[a];
        }
        if (!Double.isFinite(sum) || sum == 0) {
            return false;
        }
        for (int a = 0; a < k; a++) {
            w[a] /= sum;
            if (!Double.isFinite(w[a])) {
                return false;
            }
        }
        return true;
    }
}
