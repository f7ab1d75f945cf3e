package org.deqsweep.core.solve;

import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;

/**
 * Damped Picard iteration for the batched DEQ fixed point (DESIGN 2.1, 3):
 * <pre>  Z &lt;- (1 - a) Z + a act(Z A^T + U)      a = forward_damping in (0, 1]</pre>
 * one GEMM per iteration over all n samples. Converges linearly at rate at most
 * 1 - a + a Lip(act) |A|_2 when that is below 1; on a non-contraction it stops at {@code maxIter}
 * (or at the first non-finite residual) and returns the best iterate with converged = false.
 *
 * <p>Workspace: two n x m buffers (the map value and the best iterate) and A^T (m x m, taken once
 * per solve so the GEMM runs in {@link RowGemm}'s vectorised form), resized only when the shape
 * grows; the iteration loop allocates nothing. Not thread-safe.
 */
public final class PicardSolver implements ForwardSolver {
    private final double tol;
    private final int maxIter;
    private final double damping;
    private final DMatrixRMaj f = new DMatrixRMaj(0, 0);
    private final BestIterate best = new BestIterate();
    private final RowGemm gemmAt = new RowGemm();

    /**
     * @param tol relative residual to reach, &gt; 0 (forward_tol)
     * @param maxIter iteration limit, &gt;= 0 (forward_max_iter)
     * @param damping a in (0, 1] (forward_damping; 1 is plain Picard)
     */
    public PicardSolver(double tol, int maxIter, double damping) {
        Batch.checkTolerances(tol, maxIter);
        if (!(damping > 0 && damping <= 1)) {
            throw new IllegalArgumentException("damping must be in (0, 1], got " + damping);
        }
        this.tol = tol;
        this.maxIter = maxIter;
        this.damping = damping;
    }

    /**
     * @param A Input: m x m, not modified
     * @param act activation, {@code eps} its parameter
     * @param U Input: n x m injection, not modified
     * @param Z Input/Output: n x m warm start on entry, the lowest-residual iterate on exit
     * @return converged, Picard steps taken, residual of the returned Z; NaN residual for non-finite input
     * @throws IllegalArgumentException when the shapes of A, U and Z disagree
     */
    @Override
    public SolveStats solve(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z) {
        Batch.checkForward(A, U, Z);
        if (!Finite.allFinite(A) || !Finite.allFinite(U) || !Finite.allFinite(Z)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        f.reshape(Z.numRows, Z.numCols);
        gemmAt.setRight(A, true);
        Batch.forwardMap(gemmAt, act, eps, U, Z, f);
        double res = Batch.residual(Z, f);
        best.start(Z, res);
        int it = 0;
        double a = damping;
        double[] z = Z.data;
        double[] fd = f.data;
        int len = Z.getNumElements();
        while (!(res <= tol) && it < maxIter && Double.isFinite(res)) {
            for (int k = 0; k < len; k++) {
                z[k] = (1 - a) * z[k] + a * fd[k];
            }
            it++;
            Batch.forwardMap(gemmAt, act, eps, U, Z, f);
            res = Batch.residual(Z, f);
            best.offer(Z, res);
        }
        return best.finish(Z, tol, it);
    }
}
