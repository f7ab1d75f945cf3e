package org.deqsweep.core.solve;

import org.ejml.data.DMatrixRMaj;

/**
 * Solves the adjoint systems of the implicit gradient (DESIGN 2.1), one per sample:
 * <pre>  (I - s A^T D_i) nu_i = g_i,   D_i = diag(act'(u_i)),  i = 1..n</pre>
 * in row form {@code Nu = G + s (Dact o Nu) A}. s = 1 gives the exact gradient, s = 0.5 the
 * "damped" gradient mode. Stops on the relative residual
 * |Nu - G - s (Dact o Nu) A|_F / max(|Nu|_F, 1e-300) &lt;= tol (DESIGN 3: same rules as forward).
 * Numerical trouble (singular systems, divergence, non-finite input) is reported in the returned
 * {@link SolveStats}, never thrown.
 */
public interface AdjointSolver {

    /**
     * @param A Input: m x m, not modified
     * @param s scale of A in the system, finite (1 exact, 0.5 damped)
     * @param Dact Input: n x m, row i holds act'(u_i), not modified
     * @param G Input: n x m, row i holds g_i, not modified
     * @param Nu Input/Output: n x m; on exit row i holds nu_i. On entry a warm start for iterative
     *        implementations, ignored by direct ones
     * @return convergence flag, iterations (1 for a direct solve), relative residual, singular flag
     * @throws IllegalArgumentException when shapes disagree (both shapes named) or s is not finite
     */
    SolveStats solve(DMatrixRMaj A, double s, DMatrixRMaj Dact, DMatrixRMaj G, DMatrixRMaj Nu);
}
