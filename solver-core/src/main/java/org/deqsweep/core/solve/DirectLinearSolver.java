package org.deqsweep.core.solve;

import org.deqsweep.core.Activation;
import org.ejml.data.DMatrixRMaj;

/**
 * Direct solve of the linear DEQ fixed point (identity activation; DESIGN 2.1, 2.2, 3):
 * <pre>  Z = Z A^T + U   &lt;=&gt;   (I - A) Z^T = U^T,   Z = U (I - A^T)^{-1}</pre>
 * one LU of I - A per call, then a solve with the n columns of U^T, all n at once. When I - A is numerically
 * singular (LU reports failure, or the pivot ratio min |u_ii| / max |u_ii|, a cheap estimate of
 * its reciprocal condition, is below {@value #RCOND_MIN}) it returns singular = true,
 * converged = false, and leaves Z as it was. Otherwise converged means the relative residual
 * |Z - (Z A^T + U)|_F / |Z|_F of the result is at most {@code tol} (it is round-off times the
 * condition of I - A).
 *
 * <p>Workspace: the LU factors of I - A, an m x n buffer for Z^T, the map value and A^T packed for
 * the residual's GEMM, reallocated only when (n, m) change. Not thread-safe.
 */
public final class DirectLinearSolver implements ForwardSolver {
    static final double RCOND_MIN = 1e-14;

    private final double tol;
    private int m = -1;
    private int n = -1;
    /** LU factors of I - A ({@link Kernels#luInPlace}, rows as arrays) and the row permutation. */
    private double[][] lu;
    private int[] piv;
    /** Z^T by rows: y[r][i] is component r of sample i (the n right-hand sides solved together). */
    private double[][] y;
    private final DMatrixRMaj f = new DMatrixRMaj(0, 0);
    private final RowGemm gemmAt = new RowGemm();

    /** @param tol relative residual the result must reach to count as converged, &gt; 0 (forward_tol) */
    public DirectLinearSolver(double tol) {
        Batch.checkTolerances(tol, 0);
        this.tol = tol;
    }

    /**
     * @param A Input: m x m, not modified
     * @param act must be {@link Activation#IDENTITY} ({@code eps} is ignored)
     * @param U Input: n x m injection, not modified
     * @param Z Output: n x m, the solution (its input value is ignored, and kept when singular)
     * @return converged, 1 iteration, residual of Z, singular flag; NaN residual for non-finite input
     * @throws IllegalArgumentException when the shapes of A, U and Z disagree, or act is not the identity
     */
    @Override
    public SolveStats solve(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z) {
        Batch.checkForward(A, U, Z);
        if (act != Activation.IDENTITY) {
            throw new IllegalArgumentException("DirectLinearSolver solves only the linear fixed point (identity activation), got "
                    + act.key());
        }
        if (!Batch.allFinite(A) || !Batch.allFinite(U)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        if (A.numRows != m || U.numRows != n) {
            m = A.numRows;
            n = U.numRows;
            lu = new double[m][m];
            piv = new int[m];
            y = new double[m][n];
        }
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++) {
                lu[r][c] = (r == c ? 1.0 : 0.0) - A.data[r * m + c];
            }
        }
        f.reshape(n, m);
        boolean singular = !Kernels.luInPlace(lu, m, piv) || Kernels.pivotRcond(lu, m) < RCOND_MIN;
        if (!singular) {
            if (solveAll(U.data)) {
                double[] z = Z.data;
                for (int r = 0; r < m; r++) {
                    double[] yr = y[r];
                    for (int i = 0; i < n; i++) {
                        z[i * m + r] = yr[i];
                    }
                }
            } else {
                singular = true;
            }
        }
        gemmAt.setRight(A, true);
        Batch.forwardMap(gemmAt, Activation.IDENTITY, 0, U, Z, f);
        double res = Batch.residual(Z, f);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }

    /**
     * (I - A) z_i^T = u_i^T for all n samples at once into y: the substitutions of
     * {@link Kernels#luSolve} (same operations in the same order per sample, so the same bits) with
     * the sample loop innermost, which vectorises (one sample at a time through EJML's LU solver,
     * with the transposes around it, this was a quarter of a step at d10-m8-n200-identity).
     *
     * @return false when the solution is not finite
     */
    private boolean solveAll(double[] u) {
        for (int r = 0; r < m; r++) {
            double[] yr = y[r];
            int pr = piv[r];
            for (int i = 0; i < n; i++) {
                yr[i] = u[i * m + pr];
            }
            double[] lr = lu[r];
            for (int q = 0; q < r; q++) {
                double l = lr[q];
                double[] yq = y[q];
                for (int i = 0; i < n; i++) {
                    yr[i] -= l * yq[i];
                }
            }
        }
        boolean finite = true;
        for (int r = m - 1; r >= 0; r--) {
            double[] yr = y[r];
            double[] ur = lu[r];
            for (int q = r + 1; q < m; q++) {
                double uq = ur[q];
                double[] yq = y[q];
                for (int i = 0; i < n; i++) {
                    yr[i] -= uq * yq[i];
                }
            }
            double d = ur[r];
            for (int i = 0; i < n; i++) {
                yr[i] /= d;
            }
        }
        for (int r = 0; r < m && finite; r++) {
            double[] yr = y[r];
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(yr[i])) {
                    finite = false;
                    break;
                }
            }
        }
        return finite;
    }
}
