package org.deqsweep.core.solve;

import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;

/**
 * Direct solve of the linear DEQ fixed point (identity activation; DESIGN 2.1, 2.2, 3):
 * <pre>  Z = Z A^T + U   &lt;=&gt;   (I - A) Z^T = U^T,   Z = U (I - A^T)^{-1}</pre>
 * one LU of I - A^T per call ({@link Kernels#luInPlace}), its inverse by row updates and one GEMM
 * Z = U (I - A^T)^{-1} ({@link RowGemm}; EJML's LU solve with the n columns of U^T and its multTransB
 * for the residual were 60% of a d50-m64 identity step, unvectorised). When I - A is numerically
 * singular (LU reports failure, or the pivot ratio min |u_ii| / max |u_ii|, a cheap estimate of
 * its reciprocal condition, is below {@value #RCOND_MIN}) it returns singular = true,
 * converged = false, and leaves Z as it was. Otherwise converged means the relative residual
 * |Z - (Z A^T + U)|_F / |Z|_F of the result is at most {@code tol} (it is round-off times the
 * condition of I - A).
 *
 * <p>Workspace: I - A^T and its inverse (m x m row arrays), the packed GEMM factors and one n x m
 * buffer, reallocated only when (n, m) change. Not thread-safe.
 */
public final class DirectLinearSolver implements ForwardSolver {
    static final double RCOND_MIN = 1e-14;

    private final double tol;
    private int m = -1;
    /** I - A^T as row arrays, factored in place by {@link Kernels#luInPlace}. */
    private double[][] mat;
    /** (I - A^T)^{-1} as row arrays. */
    private double[][] inv;
    private int[] piv;
    private final RowGemm gemmInv = new RowGemm();
    private final RowGemm gemmAt = new RowGemm();
    private final DMatrixRMaj f = new DMatrixRMaj(0, 0);

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
        if (!Finite.allFinite(A) || !Finite.allFinite(U)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        int n = U.numRows;
        if (A.numRows != m) {
            m = A.numRows;
            mat = new double[m][m];
            inv = new double[m][m];
            piv = new int[m];
        }
        // mat = I - A^T as row arrays, factored in place
        double[] a = A.data;
        for (int r = 0; r < m; r++) {
            double[] row = mat[r];
            for (int c = 0; c < m; c++) {
                row[c] = -a[c * m + r];
            }
            row[r] += 1.0;
        }
        f.reshape(n, m);
        boolean singular = !Kernels.luInPlace(mat, m, piv) || Kernels.pivotRcond(mat, m) < RCOND_MIN;
        if (!singular) {
            // Z = U (I - A^T)^{-1}: the inverse by vectorised row updates, then one GEMM for all n rows
            Kernels.invertFromLu(mat, m, piv, inv);
            gemmInv.setRight(inv, m, m, false);
            gemmInv.mult(U, f);
            if (Finite.allFinite(f)) {
                Z.setTo(f);
            } else {
                singular = true;
            }
        }
        gemmAt.setRight(A, true);
        Batch.forwardMap(gemmAt, Activation.IDENTITY, 0, U, Z, f);
        double res = Batch.residual(Z, f);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }
}
