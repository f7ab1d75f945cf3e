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
 * <p>Workspace: 2 * memory + 2 buffers of n x m, n * memory^2 Gram entries and about 2 n memory^2 for
 * the batched LDL^T of the mixing systems; reallocated only
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
    private DMatrixRMaj[] gh;
    /** beta f_j + (1 - beta) x_j per history slot, computed once when the pair enters the history. */
    private DMatrixRMaj[] yh;
    /**
     * Gram entries, sample innermost: H_ab of sample i at gram[a * memory + b][i] (a, b history slots).
     * One array per entry (and below per factor entry) so the sample loops index every array by
     * i alone, which C2 vectorises without alias analysis.
     */
    private double[][] gram;
    private int[] count;
    /** Batched LDL^T of the samples mixing with the full history (see {@link #weightsAll}): [a * memory + b][i]. */
    private double[][] ldlL;
    private double[][] ldlE;
    /** [a][i] */
    private double[][] ldlDinv;
    private double[][] ldlD;
    private double[][] ldlW;
    private double[] ldlMaxDiag;
    /** Rows mixed by the batched path in the current iteration. */
    private boolean[] batched;
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
        gh = new DMatrixRMaj[memory];
        for (int j = 0; j < memory; j++) {
            gh[j] = new DMatrixRMaj(rows, cols);
        }
        yh = new DMatrixRMaj[memory];
        for (int j = 0; j < memory; j++) {
            yh[j] = new DMatrixRMaj(rows, cols);
        }
        gram = new double[memory * memory][rows];
        count = new int[rows];
        ldlL = new double[memory * memory][rows];
        ldlE = new double[memory * memory][rows];
        ldlDinv = new double[memory][rows];
        ldlD = new double[memory][rows];
        ldlW = new double[memory][rows];
        ldlMaxDiag = new double[rows];
        batched = new boolean[rows];
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
        double[] z = Z.data;
        while (!(res <= tol) && it < maxIter && Double.isFinite(res)) {
            head = (head + 1) % memory;
            filled = Math.min(filled + 1, memory);
            double[] gs = gh[head].data;
            double[] fc = fcur.data;
            double[] ys = yh[head].data;
            double omb = 1 - beta;
            for (int k = 0; k < n * m; k++) {
                gs[k] = fc[k] - z[k];
                ys[k] = beta * fc[k] + omb * z[k];
            }
            for (int b = 0; b < filled; b++) {
                double[] gb = gh[b].data;
                double[] hb = gram[head * memory + b];
                double[] bh = gram[b * memory + head];
                for (int i = 0; i < n; i++) {
                    int off = i * m;
                    double dot = 0;
                    for (int c = 0; c < m; c++) {
                        dot += gs[off + c] * gb[off + c];
                    }
                    hb[i] = dot;
                    bh[i] = dot;
                }
            }
            for (int i = 0; i < n; i++) {
                count[i] = Math.min(count[i] + 1, filled);
            }
            mixAll(head, filled);
            it++;
            map.apply(Z, fcur);
            res = Batch.residual(Z, fcur);
            best.offer(Z, res);
        }
        xOut = null;
        return best.finish(Z, tol, it);
    }

    /**
     * Writes every row of Z from the history ending at {@code head}. The rows whose history is full
     * (count = filled, all but the restarted ones) solve their mixing systems together in
     * {@link #weightsAll}, loops running over the samples so they pipeline and vectorise (one sample
     * at a time, the k x k Cholesky was a chain of dependent square roots and divisions: half a
     * training step at m = 8); a row it refuses restarts (as in {@link #mixRow}), the rows with a
     * shorter history go through {@link #mixRow}.
     */
    private void mixAll(int head, int filled) {
        if (filled < 2) {
            for (int i = 0; i < n; i++) {
                mixRow(i, head);
            }
            return;
        }
        int k = filled;
        for (int j = 0; j < k; j++) {
            slot[j] = (head - j + memory) % memory;
        }
        weightsAll(k);
        double[] z = xOut.data;
        for (int i = 0; i < n; i++) {
            batched[i] = count[i] == k && weightsOk(i, k);
        }
        // z_i = sum_j w_ij y_j,i for all rows (rows not batched are rewritten below)
        for (int j = 0; j < k; j++) {
            double[] wj = ldlW[j];
            double[] yj = yh[slot[j]].data;
            if (j == 0) {
                for (int i = 0; i < n; i++) {
                    double wi = wj[i];
                    for (int c = i * m; c < i * m + m; c++) {
                        z[c] = wi * yj[c];
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    double wi = wj[i];
                    for (int c = i * m; c < i * m + m; c++) {
                        z[c] += wi * yj[c];
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!batched[i]) {
                if (count[i] != k) {
                    // a restarted row (shorter history); mixRow rewrites slot[0 .. count[i]) with the same values
                    mixRow(i, head);
                } else {
                    restartRow(i, head); // refused by weightsOk
                }
                continue;
            }
            for (int c = i * m; c < i * m + m; c++) {
                if (!Double.isFinite(z[c])) {
                    restartRow(i, head);
                    break;
                }
            }
        }
    }

    /**
     * For every sample, the weights w of (H_k + lam' I) w = 1 over the newest k slots ({@code slot}),
     * normalised to sum 1, by LDL^T (the pivots D_a are the Cholesky pivots L_aa^2 of
     * {@link #solveMixing}, so the same safeguards apply: see {@link #weightsOk}). Results in ldlW
     * (w_a of sample i at [a * n + i]), ldlD, ldlMaxDiag. No branches in the sample loops.
     */
    private void weightsAll(int k) {
        double[] maxDiag = ldlMaxDiag;
        double lam = lambda;
        double[] g0 = gram[slot[0] * memory + slot[0]];
        System.arraycopy(g0, 0, maxDiag, 0, n);
        for (int a = 1; a < k; a++) {
            double[] ga = gram[slot[a] * memory + slot[a]];
            for (int i = 0; i < n; i++) {
                maxDiag[i] = Math.max(maxDiag[i], ga[i]);
            }
        }
        // E_ab = H_ab - sum_{q<b} E_aq l_bq, l_ab = E_ab / D_b, D_a = H_aa + lam' - sum_{q<a} E_aq l_aq
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                double[] gab = gram[slot[a] * memory + slot[b]];
                double[] eab = ldlE[a * memory + b];
                System.arraycopy(gab, 0, eab, 0, n);
                for (int q = 0; q < b; q++) {
                    double[] eaq = ldlE[a * memory + q];
                    double[] lbq = ldlL[b * memory + q];
                    for (int i = 0; i < n; i++) {
                        eab[i] -= eaq[i] * lbq[i];
                    }
                }
                double[] lab = ldlL[a * memory + b];
                double[] dinvb = ldlDinv[b];
                for (int i = 0; i < n; i++) {
                    lab[i] = eab[i] * dinvb[i];
                }
            }
            double[] gaa = gram[slot[a] * memory + slot[a]];
            double[] da = ldlD[a];
            for (int i = 0; i < n; i++) {
                da[i] = gaa[i] + lam * maxDiag[i];
            }
            for (int q = 0; q < a; q++) {
                double[] eaq = ldlE[a * memory + q];
                double[] laq = ldlL[a * memory + q];
                for (int i = 0; i < n; i++) {
                    da[i] -= eaq[i] * laq[i];
                }
            }
            double[] dinva = ldlDinv[a];
            for (int i = 0; i < n; i++) {
                dinva[i] = 1.0 / da[i];
            }
        }
        // L y = 1, then L^T w = D^-1 y
        for (int a = 0; a < k; a++) {
            double[] wa = ldlW[a];
            Arrays.fill(wa, 0, n, 1.0);
            for (int q = 0; q < a; q++) {
                double[] laq = ldlL[a * memory + q];
                double[] wq = ldlW[q];
                for (int i = 0; i < n; i++) {
                    wa[i] -= laq[i] * wq[i];
                }
            }
        }
        for (int a = k - 1; a >= 0; a--) {
            double[] wa = ldlW[a];
            double[] dinva = ldlDinv[a];
            for (int i = 0; i < n; i++) {
                wa[i] *= dinva[i];
            }
            for (int q = a + 1; q < k; q++) {
                double[] lqa = ldlL[q * memory + a];
                double[] wq = ldlW[q];
                for (int i = 0; i < n; i++) {
                    wa[i] -= lqa[i] * wq[i];
                }
            }
        }
    }

    /**
     * Sample i's safeguards on the result of {@link #weightsAll}, those of {@link #solveMixing}:
     * positive finite Gram diagonal, positive pivots with min / (max H_aa + lam') &gt;= RCOND_MIN,
     * finite non-zero sum of w; normalises w on success.
     */
    private boolean weightsOk(int i, int k) {
        double maxDiag = ldlMaxDiag[i];
        if (!(maxDiag > 0) || !Double.isFinite(maxDiag)) {
            return false;
        }
        double minPivot = Double.POSITIVE_INFINITY;
        double sum = 0;
        for (int a = 0; a < k; a++) {
            double p = ldlD[a][i];
            if (!(p > 0)) {
                return false;
            }
            minPivot = Math.min(minPivot, p);
            sum += ldlW[a][i];
        }
        if (minPivot < RCOND_MIN * (maxDiag + lambda * maxDiag)) {
            return false;
        }
        if (!Double.isFinite(sum) || sum == 0) {
            return false;
        }
        for (int a = 0; a < k; a++) {
            double v = ldlW[a][i] / sum;
            if (!Double.isFinite(v)) {
                return false;
            }
            ldlW[a][i] = v;
        }
        return true;
    }

    /** Restarts row i's history: a plain damped step from the newest pair. */
    private void restartRow(int i, int head) {
        double[] z = xOut.data;
        int off = i * m;
        restarts++;
        count[i] = 1;
        double[] ys = yh[head].data;
        System.arraycopy(ys, off, z, off, m);
    }

    /** Writes row i of Z from the history ending at {@code head}; restarts the row's history on trouble. */
    private void mixRow(int i, int head) {
        int k = count[i];
        int off = i * m;
        for (int j = 0; j < k; j++) {
            slot[j] = (head - j + memory) % memory;
        }
        boolean ok = k > 1 && solveMixing(i, k);
        if (!ok) {
            if (k > 1) {
                restarts++;
            }
            count[i] = 1;
            k = 1;
            w[0] = 1;
        }
        double[] z = xOut.data;
        // z_c = sum_j w_j y_jc, y_j = beta f_j + (1 - beta) x_j (same bits as computing y_j here)
        for (int c = 0; c < m; c++) {
            z[off + c] = 0.0;
        }
        for (int j = 0; j < k; j++) {
            double wj = w[j];
            double[] yj = yh[slot[j]].data;
            for (int c = off; c < off + m; c++) {
                z[c] += wj * yj[c];
            }
        }
        for (int c = 0; c < m; c++) {
            if (!Double.isFinite(z[off + c])) {
                restartRow(i, head);
                return;
            }
        }
    }

    /** Solves (H_k + lam' I) w = 1 by Cholesky into {@code w}, normalised to sum 1; false when ill-conditioned. */
    private boolean solveMixing(int i, int k) {
        double maxDiag = 0;
        for (int a = 0; a < k; a++) {
            maxDiag = Math.max(maxDiag, gram[slot[a] * memory + slot[a]][i]);
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
            for (int b = 0; b <= a; b++) {
                double v = gram[slot[a] * memory + slot[b]][i] + (a == b ? reg : 0);
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
