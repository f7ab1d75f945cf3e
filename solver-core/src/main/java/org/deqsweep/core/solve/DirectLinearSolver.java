package org.deqsweep.core.solve;

import org.deqsweep.core.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.lu.LUDecompositionBase_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Direct solve of the linear DEQ fixed point (identity activation; DESIGN 2.1, 2.2, 3):
 * <pre>  Z = Z A^T + U   &lt;=&gt;   (I - A) Z^T = U^T,   Z = U (I - A^T)^{-1}</pre>
 * one LU of I - A per call, then a solve with the n columns of U^T. When I - A is numerically
 * singular (LU reports failure, or the pivot ratio min |u_ii| / max |u_ii|, a cheap estimate of
 * its reciprocal condition, is below {@value #RCOND_MIN}) it returns singular = true,
 * converged = false, and leaves Z as it was. Otherwise converged means the relative residual
 * |Z - (Z A^T + U)|_F / |Z|_F of the result is at most {@code tol} (it is round-off times the
 * condition of I - A).
 *
 * <p>Workspace: the LU solver (a field), I - A, and two m x n buffers for U^T and Z^T, reallocated
 * only when (n, m) change. Not thread-safe.
 */
public final class DirectLinearSolver implements ForwardSolver {
    static final double RCOND_MIN = 1e-14;

    private final double tol;
    private int m = -1;
    private LinearSolverDense<DMatrixRMaj> lu;
    private DMatrixRMaj iMinusA;
    private final DMatrixRMaj ut = new DMatrixRMaj(0, 0);
    private final DMatrixRMaj zt = new DMatrixRMaj(0, 0);
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
        if (!Batch.allFinite(A) || !Batch.allFinite(U)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        int n = U.numRows;
        if (A.numRows != m) {
            m = A.numRows;
            lu = LinearSolverFactory_DDRM.lu(m);
            iMinusA = new DMatrixRMaj(m, m);
        }
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++) {
                iMinusA.data[r * m + c] = (r == c ? 1.0 : 0.0) - A.data[r * m + c];
            }
        }
        f.reshape(n, m);
        boolean singular = !lu.setA(iMinusA) || rcond() < RCOND_MIN;
        if (!singular) {
            ut.reshape(m, n);
            zt.reshape(m, n);
            CommonOps_DDRM.transpose(U, ut);
            lu.solve(ut, zt);
            if (Batch.allFinite(zt)) {
                CommonOps_DDRM.transpose(zt, Z);
            } else {
                singular = true;
            }
        }
        Batch.forwardMap(A, Activation.IDENTITY, 0, U, Z, f);
        double res = Batch.residual(Z, f);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }

    private double rcond() {
        Object d = lu.getDecomposition();
        if (d instanceof LUDecompositionBase_DDRM base) {
            return Batch.pivotRcond(base.getLU(), m);
        }
        return 1;
    }
}
