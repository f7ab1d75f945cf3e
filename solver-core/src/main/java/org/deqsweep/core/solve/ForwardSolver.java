package org.deqsweep.core.solve;

import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;

/**
 * Solves the batched fixed point of the general DEQ (DESIGN 2.1, 3) for all n samples at once:
 * <pre>  Z = act(Z A^T + U)      Z, U: n x m (one sample per row), A: m x m, U = X W^T + 1 b^T</pre>
 * Stops when the relative residual |Z - act(Z A^T + U)|_F / |Z|_F is at most {@code tol}, or after
 * {@code maxIter} iterations, returning the best iterate seen. Never throws for numerical trouble and
 * never loops forever; NaN input gives converged = false with a NaN residual.
 *
 * <p>Implementations size their buffers once per (n, m) and reuse them across calls.
 */
public interface ForwardSolver {

    /**
     * @param A Input: m x m, not modified
     * @param act activation, with {@code eps} its parameter (weak_tanh)
     * @param U Input: n x m injection X W^T + 1 b^T, not modified
     * @param Z Input/Output: initial guess on entry (warm start; zeros for a cold start), the best iterate on exit
     * @return convergence flag, iterations and final residual
     */
    SolveStats solve(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z);
}
