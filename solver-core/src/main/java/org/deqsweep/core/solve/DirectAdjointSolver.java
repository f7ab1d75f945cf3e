package org.deqsweep.core.solve;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.lu.LUDecompositionBase_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Direct adjoint solve of DESIGN 2.1, one LU per sample:
 * <pre>  M_i = I - s A^T D_i,   M_i nu_i = g_i</pre>
 * When every row of Dact is the same (the identity activation, or any activation whose
 * derivative is constant on the batch), M is factored once and reused for all n right-hand
 * sides. A sample whose M_i is numerically singular (LU failure or pivot ratio
 * min |u_jj| / max |u_jj| below {@value #RCOND_MIN}) keeps its row of Nu unchanged and sets
 * singular = true, converged = false. Otherwise converged means the relative residual of the
 * whole batch is at most {@code tol}.
 *
 * <p>Workspace: the LU solver (a field, {@link LinearSolverFactory_DDRM#lu}), M (m x m), three
 * m-vectors, one n x m buffer; reallocated only when (n, m) change. Cost O(n m^3) in general,
 * O(m^3 + n m^2) on the shared-D path. Not thread-safe.
 */
public final class DirectAdjointSolver implements AdjointSolver {
    static final double RCOND_MIN = 1e-14;

    private final double tol;
    private final boolean shareFactorization;
    private int m = -1;
    private LinearSolverDense<DMatrixRMaj> lu;
    private DMatrixRMaj mat;
    private DMatrixRMaj b;
    private DMatrixRMaj x;
    private final DMatrixRMaj work = new DMatrixRMaj(0, 0);
    private final DMatrixRMaj t = new DMatrixRMaj(0, 0);
    /** LU factorizations done by the last solve (tests check the shared-D path). */
    int factorizations;

    /** @param tol relative residual the result must reach to count as converged, &gt; 0 (backward_tol) */
    public DirectAdjointSolver(double tol) {
        this(tol, true);
    }

    /** @param shareFactorization false forces one LU per sample even when all D_i agree (tests) */
    DirectAdjointSolver(double tol, boolean shareFactorization) {
        Batch.checkTolerances(tol, 0);
        this.tol = tol;
        this.shareFactorization = shareFactorization;
    }

    @Override
    public SolveStats solve(DMatrixRMaj A, double s, DMatrixRMaj Dact, DMatrixRMaj G, DMatrixRMaj Nu) {
        Batch.checkAdjoint(A, s, Dact, G, Nu);
        factorizations = 0;
        if (!Batch.allFinite(A) || !Batch.allFinite(Dact) || !Batch.allFinite(G)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        int n = G.numRows;
        if (A.numRows != m) {
            m = A.numRows;
            lu = LinearSolverFactory_DDRM.lu(m);
            mat = new DMatrixRMaj(m, m);
            b = new DMatrixRMaj(m, 1);
            x = new DMatrixRMaj(m, 1);
        }
        boolean shared = shareFactorization && n > 0 && rowsIdentical(Dact);
        boolean singular = false;
        boolean factored = false;
        for (int i = 0; i < n; i++) {
            if (!shared || i == 0) {
                factored = factor(A, s, Dact, shared ? 0 : i);
            }
            if (!factored) {
                singular = true;
                continue;
            }
            System.arraycopy(G.data, i * m, b.data, 0, m);
            lu.solve(b, x);
            boolean finite = true;
            for (int c = 0; c < m; c++) {
                finite &= Double.isFinite(x.data[c]);
            }
            if (finite) {
                System.arraycopy(x.data, 0, Nu.data, i * m, m);
            } else {
                singular = true;
            }
        }
        work.reshape(n, m);
        t.reshape(n, m);
        Batch.adjointMap(A, s, Dact, G, Nu, work, t);
        double res = Batch.residual(Nu, t);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }

    /** Builds M = I - s A^T diag(Dact row i) and factors it; false when numerically singular. */
    private boolean factor(DMatrixRMaj A, double s, DMatrixRMaj Dact, int i) {
        factorizations++;
        double[] a = A.data;
        double[] d = Dact.data;
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++) {
                mat.data[r * m + c] = (r == c ? 1.0 : 0.0) - s * a[c * m + r] * d[i * m + c];
            }
        }
        if (!lu.setA(mat)) {
            return false;
        }
        Object dec = lu.getDecomposition();
        return !(dec instanceof LUDecompositionBase_DDRM base) || Batch.pivotRcond(base.getLU(), m) >= RCOND_MIN;
    }

    private static boolean rowsIdentical(DMatrixRMaj D) {
        int cols = D.numCols;
        for (int i = 1; i < D.numRows; i++) {
            for (int c = 0; c < cols; c++) {
                if (D.data[i * cols + c] != D.data[c]) {
                    return false;
                }
            }
        }
        return true;
    }
}
