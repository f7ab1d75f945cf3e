package org.deqsweep.core.solve;

import org.deqsweep.core.config.AndersonOptions;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;

/**
 * Iterative adjoint solve of DESIGN 2.1 for all samples at once, the fixed point
 * <pre>  Nu = G + s (Dact o Nu) A      (row i: nu_i = g_i + s A^T D_i nu_i)</pre>
 * one GEMM per iteration, accelerated by the same safeguarded per-sample Anderson mixing as the
 * forward {@link AndersonSolver} (see {@link AndersonCore}). On a linear map Anderson behaves like
 * restarted GMRES, so it can also converge when the plain iteration's rate s |A^T D_i| exceeds 1;
 * when it does not, it stops at {@code maxIter} or at a non-finite residual and returns the
 * lowest-residual iterate with converged = false. Stopping: relative residual &lt;= tol
 * (backward_tol), at most maxIter iterations (backward_max_iter).
 *
 * <p>Workspace: the Anderson history (about 3 * memory + 2 buffers of n x m) and one n x m buffer
 * for Dact o Nu, reallocated only when (n, m) change; nothing is allocated per iteration.
 * Not thread-safe.
 */
public final class IterativeAdjointSolver implements AdjointSolver {
    private final double tol;
    private final int maxIter;
    private final AndersonCore core;
    private final AdjointMap map = new AdjointMap();

    /**
     * @param tol relative residual to reach, &gt; 0 (backward_tol)
     * @param maxIter iteration limit, &gt;= 0 (backward_max_iter)
     * @param anderson history length &gt;= 1, mixing in (0, 1], relative Tikhonov regulariser &gt;= 0
     */
    public IterativeAdjointSolver(double tol, int maxIter, AndersonOptions anderson) {
        Batch.checkTolerances(tol, maxIter);
        this.tol = tol;
        this.maxIter = maxIter;
        this.core = new AndersonCore(anderson.memory(), anderson.beta(), anderson.lambda());
    }

    /** {@link AndersonOptions#DEFAULTS}. */
    public IterativeAdjointSolver(double tol, int maxIter) {
        this(tol, maxIter, AndersonOptions.DEFAULTS);
    }

    @Override
    public SolveStats solve(DMatrixRMaj A, double s, DMatrixRMaj Dact, DMatrixRMaj G, DMatrixRMaj Nu) {
        Batch.checkAdjoint(A, s, Dact, G, Nu);
        if (!Finite.allFinite(A) || !Finite.allFinite(Dact) || !Finite.allFinite(G) || !Finite.allFinite(Nu)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        map.set(A, s, Dact, G);
        try {
            return core.solve(map, Nu, tol, maxIter);
        } finally {
            map.set(null, 0, null, null);
        }
    }

    private static final class AdjointMap implements AndersonCore.BatchMap {
        private DMatrixRMaj A;
        private double s;
        private DMatrixRMaj D;
        private DMatrixRMaj G;
        private final DMatrixRMaj work = new DMatrixRMaj(0, 0);
        /** A, packed once per solve. */
        private final RowGemm gemmA = new RowGemm();

        void set(DMatrixRMaj A, double s, DMatrixRMaj D, DMatrixRMaj G) {
            this.A = A;
            if (A != null) {
                gemmA.setRight(A, false);
            }
            this.s = s;
            this.D = D;
            this.G = G;
        }

        @Override
        public void apply(DMatrixRMaj x, DMatrixRMaj out) {
            work.reshape(x.numRows, x.numCols);
            Batch.adjointMap(gemmA, s, D, G, x, work, out);
        }
    }
}
