package org.deqsweep.core.solve;

import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;

/**
 * Direct adjoint solve of DESIGN 2.1, one LU per sample:
 * <pre>  M_i = I - s A^T D_i,   M_i nu_i = g_i</pre>
 * When every row of Dact is the same (the identity activation, or any activation whose
 * derivative is constant on the batch), M is factored once and reused for all n right-hand
 * sides, through the explicit inverse and one GEMM Nu = G M^{-T} (vectorised; the n triangular
 * solves were 23% of a d50-m64 identity step). A sample whose M_i is numerically singular (LU failure or pivot ratio
 * min |u_jj| / max |u_jj| below {@value #RCOND_MIN}) keeps its row of Nu unchanged and sets
 * singular = true, converged = false. Otherwise converged means the relative residual of the
 * whole batch is at most {@code tol}.
 *
 * <p>Workspace: M (m x m, factored in place by {@link Kernels#luInPlace}: partial pivoting, a
 * row-oriented update that C2 vectorises; EJML's LU was 44% of a training step at m = 64), s A^T,
 * the pivots, two n x m buffers; reallocated only when (n, m) change. Cost O(n m^3) in general,
 * O(m^3 + n m^2) on the shared-D path. Not thread-safe.
 */
public final class DirectAdjointSolver implements AdjointSolver {
    static final double RCOND_MIN = 1e-14;

    private final double tol;
    private final boolean shareFactorization;
    private int m = -1;
    /** M_i as row arrays, factored in place by {@link Kernels#luInPlace}. */
    private double[][] mat;
    private final RowGemm gemmA = new RowGemm();
    /** M^{-1} on the shared-D path (row arrays) and its packed transpose. */
    private double[][] inv;
    private final RowGemm gemmInv = new RowGemm();
    private int[] piv;
    /** s A^T, taken once per solve so M_i is built from contiguous rows. */
    private final DMatrixRMaj sat = new DMatrixRMaj(0, 0);
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
        if (!Finite.allFinite(A) || !Finite.allFinite(Dact) || !Finite.allFinite(G)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        int n = G.numRows;
        if (A.numRows != m) {
            m = A.numRows;
            mat = new double[m][m];
            inv = new double[m][m];
            piv = new int[m];
        }
        Kernels.transpose(A, sat);
        for (int k = 0; k < m * m; k++) {
            sat.data[k] *= s;
        }
        work.reshape(n, m);
        boolean shared = shareFactorization && n > 0 && rowsIdentical(Dact);
        boolean singular = false;
        if (shared) {
            // one M for all samples: Nu = G M^{-T} through the inverse (row updates) and one GEMM
            if (!factor(Dact, 0)) {
                singular = true;
            } else {
                Kernels.invertFromLu(mat, m, piv, inv);
                gemmInv.setRight(inv, m, m, true);
                t.reshape(n, m);
                gemmInv.mult(G, t);
                for (int i = 0; i < n; i++) {
                    boolean finite = true;
                    for (int c = 0; c < m; c++) {
                        finite &= Double.isFinite(t.data[i * m + c]);
                    }
                    if (finite) {
                        System.arraycopy(t.data, i * m, Nu.data, i * m, m);
                    } else {
                        singular = true;
                    }
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                if (!factor(Dact, i)) {
                    singular = true;
                    continue;
                }
                double[] x = work.data;
                Kernels.luSolve(mat, m, piv, G.data, i * m, x, 0);
                boolean finite = true;
                for (int c = 0; c < m; c++) {
                    finite &= Double.isFinite(x[c]);
                }
                if (finite) {
                    System.arraycopy(x, 0, Nu.data, i * m, m);
                } else {
                    singular = true;
                }
            }
        }
        work.reshape(n, m);
        t.reshape(n, m);
        gemmA.setRight(A, false);
        Batch.adjointMap(gemmA, s, Dact, G, Nu, work, t);
        double res = Batch.residual(Nu, t);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }

    /**
     * Builds M = I - s A^T diag(Dact row i) from {@code sat} = s A^T and factors it in place; false when
     * numerically singular (zero or non-finite pivot, or pivot ratio below {@value #RCOND_MIN}).
     */
    private boolean factor(DMatrixRMaj Dact, int i) {
        factorizations++;
        double[] a = sat.data;
        double[] d = Dact.data;
        int di = i * m;
        for (int r = 0; r < m; r++) {
            double[] row = mat[r];
            int rr = r * m;
            for (int c = 0; c < m; c++) {
                row[c] = -a[rr + c] * d[di + c];
            }
            row[r] += 1.0;
        }
        if (!Kernels.luInPlace(mat, m, piv)) {
            return false;
        }
        return Kernels.pivotRcond(mat, m) >= RCOND_MIN;
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
