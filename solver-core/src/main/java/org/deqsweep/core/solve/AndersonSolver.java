package org.deqsweep.core.solve;

import org.deqsweep.core.config.AndersonOptions;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;

/**
 * Anderson acceleration (TorchDEQ style: memory, mixing beta, Tikhonov lambda; defaults 5, 1,
 * 1e-4) of the batched DEQ fixed point (DESIGN 2.1, 3):
 * <pre>  Z = act(Z A^T + U)</pre>
 * The map is one GEMM over all n samples per iteration; the mixing is <b>per sample</b>: each row
 * gets its own coefficients alpha_i from its own k x k Gram system. Why per sample and not one
 * long vector: the n fixed points are independent problems (the Jacobian is block diagonal),
 * and a single alpha shared by all of them is a compromise that lets the slowest or worst-scaled
 * sample set the extrapolation of every other; per-sample mixing is what TorchDEQ does across
 * its batch dimension, costs the same O(n m k) flops per iteration as the joint Gram, and lets a
 * safeguard restart only the sample in trouble. The stopping rule stays the batch one,
 * |Z - act(Z A^T + U)|_F / |Z|_F &lt;= tol.
 *
 * <p>Safeguarded (see {@link AndersonCore}): ill-conditioned mixing systems or non-finite mixed
 * rows restart that sample's history; a non-finite batch residual stops the solve; the
 * lowest-residual iterate is returned, so the result is never NaN for finite input. The
 * regulariser is lambda times the largest Gram diagonal (relative), see {@link AndersonCore}.
 *
 * <p>Workspace: about 2 * memory + 3 buffers of n x m (and the n k^2 mixing systems), reallocated only when (n, m) change;
 * nothing is allocated per iteration. Not thread-safe.
 */
public final class AndersonSolver implements ForwardSolver {
    private final double tol;
    private final int maxIter;
    private final AndersonCore core;
    private final ForwardMap map = new ForwardMap();

    /**
     * @param tol relative residual to reach, &gt; 0 (forward_tol)
     * @param maxIter limit on map evaluations after the first, &gt;= 0 (forward_max_iter)
     * @param anderson history length &gt;= 1, mixing in (0, 1], relative Tikhonov regulariser &gt;= 0
     */
    public AndersonSolver(double tol, int maxIter, AndersonOptions anderson) {
        Batch.checkTolerances(tol, maxIter);
        this.tol = tol;
        this.maxIter = maxIter;
        this.core = new AndersonCore(anderson.memory(), anderson.beta(), anderson.lambda());
    }

    /** {@link AndersonOptions#DEFAULTS}. */
    public AndersonSolver(double tol, int maxIter) {
        this(tol, maxIter, AndersonOptions.DEFAULTS);
    }

    /**
     * @param A Input: m x m, not modified
     * @param act activation, {@code eps} its parameter
     * @param U Input: n x m injection, not modified
     * @param Z Input/Output: n x m warm start on entry, the lowest-residual iterate on exit
     * @return converged, map evaluations after the first, residual of the returned Z; NaN residual for non-finite input
     * @throws IllegalArgumentException when the shapes of A, U and Z disagree
     */
    @Override
    public SolveStats solve(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z) {
        Batch.checkForward(A, U, Z);
        if (!Finite.allFinite(A) || !Finite.allFinite(U) || !Finite.allFinite(Z)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        map.set(A, act, eps, U);
        try {
            return core.solve(map, Z, tol, maxIter);
        } finally {
            map.set(null, null, 0, null);
        }
    }

    /** History restarts of the last solve, summed over samples (diagnostics). */
    public int lastRestarts() {
        return core.restarts;
    }

    private static final class ForwardMap implements AndersonCore.BatchMap {
        private DMatrixRMaj A;
        private Activation act;
        private double eps;
        private DMatrixRMaj U;
        /** A^T, packed once per solve. */
        private final RowGemm gemmAt = new RowGemm();

        void set(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U) {
            this.A = A;
            if (A != null) {
                gemmAt.setRight(A, true);
            }
            this.act = act;
            this.eps = eps;
            this.U = U;
        }

        @Override
        public void apply(DMatrixRMaj x, DMatrixRMaj out) {
            Batch.forwardMap(gemmAt, act, eps, U, x, out);
        }
    }
}
