package org.deqsweep.core.solve;

import org.ejml.data.DMatrixRMaj;

/**
 * LU with partial pivoting of a square matrix held as row arrays ({@link Kernels#luInPlace}, whose
 * rank-1 update C2 vectorises), with solves by A and by A^T from the same factors. For callers
 * outside solve/ (model/Diagnostics' inverse iteration at widths above 64, which used two EJML LUs,
 * of J and of J^T: 8% of a d100-m512 benchmark run). Workspace sized once per m; nothing is allocated
 * per call. Not thread-safe.
 */
public final class RowLu {
    private final int m;
    private final double[][] lu;
    private final int[] piv;
    private final double[] w;

    public RowLu(int m) {
        this.m = m;
        this.lu = new double[m][m];
        this.piv = new int[m];
        this.w = new double[m];
    }

    /**
     * Factors {@code a} (m x m, not modified).
     *
     * @return false when a pivot is zero or not finite (the factors are then unusable)
     */
    public boolean factor(DMatrixRMaj a) {
        if (a.numRows != m || a.numCols != m) {
            throw new IllegalArgumentException("RowLu is for " + m + " x " + m + ", got " + Batch.shape(a));
        }
        for (int i = 0; i < m; i++) {
            System.arraycopy(a.data, i * m, lu[i], 0, m);
        }
        return Kernels.luInPlace(lu, m, piv);
    }

    /** |prod_i u_ii / max_j |u_jj||, as EJML's LU quality (SpecializedOps_DDRM.qualityTriangular). */
    public double quality() {
        double max = 0;
        for (int i = 0; i < m; i++) {
            max = Math.max(max, Math.abs(lu[i][i]));
        }
        if (max == 0.0) {
            return 0.0;
        }
        double q = 1.0;
        for (int i = 0; i < m; i++) {
            q *= lu[i][i] / max;
        }
        return Math.abs(q);
    }

    /** x = A^{-1} b; {@code x} may not be {@code b}. */
    public void solve(double[] b, double[] x) {
        Kernels.luSolve(lu, m, piv, b, 0, x, 0);
    }

    /**
     * x = A^{-T} b; {@code x} may be {@code b}. With P A = L U: A^T = U^T L^T P, so U^T s = b (forward),
     * L^T t = s (backward), x = P^T t; both triangular solves run over rows of the factors
     * (column-oriented on U^T and L^T), contiguous updates that C2 vectorises.
     */
    public void solveTranspose(double[] b, double[] x) {
        double[] s = w;
        System.arraycopy(b, 0, s, 0, m);
        for (int i = 0; i < m; i++) {
            double[] ri = lu[i];
            double si = s[i] / ri[i];
            s[i] = si;
            for (int j = i + 1; j < m; j++) {
                s[j] -= ri[j] * si;
            }
        }
        for (int i = m - 1; i >= 0; i--) {
            double[] ri = lu[i];
            double ti = s[i];
            for (int j = 0; j < i; j++) {
                s[j] -= ri[j] * ti;
            }
        }
        for (int i = 0; i < m; i++) {
            x[piv[i]] = s[i];
        }
    }
}
