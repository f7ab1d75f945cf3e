package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class NewtonSolverTest extends ForwardSolverContract {
    @Override
    protected ForwardSolver create(double tol, int maxIter) {
        return new NewtonSolver(tol, maxIter);
    }

    /** The fixed point of a linear map is one Newton step away. */
    @Test
    void solvesALinearFixedPointInOneStep() {
        DMatrixRMaj A = withNorm(M, 3.0);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = new NewtonSolver(1e-12, 50).solve(A, Activation.IDENTITY, 0, U, Z);
        assertTrue(st.converged(), st.toString());
        assertTrue(st.iterations() == 1, st.toString());
    }

    /** J = I - A = 0 for A = I: every step falls back to Picard, nothing throws. */
    @Test
    void singularJacobianFallsBackToPicard() {
        NewtonSolver s = new NewtonSolver(1e-10, 20);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = s.solve(CommonOps_DDRM.identity(M), Activation.IDENTITY, 0, gaussian(N, M, 1.0), Z);
        assertFalse(st.converged(), st.toString());
        assertTrue(s.fallbacks == N * 20, "fallbacks " + s.fallbacks);
    }
}
