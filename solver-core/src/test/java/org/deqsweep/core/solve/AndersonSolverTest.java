package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.config.AndersonOptions;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class AndersonSolverTest extends ForwardSolverContract {
    @Override
    protected ForwardSolver create(double tol, int maxIter) {
        return new AndersonSolver(tol, maxIter);
    }

    /**
     * Width 2 with memory 5 and no regulariser: from the third pair on, the residual vectors of a
     * sample are linearly dependent, the Gram system is singular, and the safeguard must restart.
     */
    @Test
    void restartsOnSingularMixingSystemAndStillConverges() {
        AndersonSolver s = new AndersonSolver(1e-13, 500, new AndersonOptions(5, 1.0, 0.0));
        DMatrixRMaj A = withNorm(2, 0.9);
        DMatrixRMaj U = gaussian(N, 2, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, 2);
        SolveStats st = s.solve(A, Activation.TANH, 0, U, Z);
        assertTrue(st.converged(), st.toString());
        assertTrue(s.lastRestarts() > 0, "expected restarts, got " + s.lastRestarts());
        assertTrue(Finite.allFinite(Z));
        assertTrue(maxFixedPointError(A, Activation.TANH, 0, U, Z) <= 1e-10);
    }

    @Test
    void mixingBelowOneStillConverges() {
        DMatrixRMaj A = withNorm(M, 0.9);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = new AndersonSolver(1e-12, 500, new AndersonOptions(3, 0.5, 1e-4)).solve(A, Activation.TANH, 0, U, Z);
        assertTrue(st.converged(), st.toString());
        assertTrue(maxFixedPointError(A, Activation.TANH, 0, U, Z) <= 1e-9);
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new AndersonSolver(1e-10, 10, new AndersonOptions(0, 1.0, 1e-4)));
        assertThrows(IllegalArgumentException.class, () -> new AndersonSolver(1e-10, 10, new AndersonOptions(5, 0.0, 1e-4)));
        assertThrows(IllegalArgumentException.class, () -> new AndersonSolver(1e-10, 10, new AndersonOptions(5, 1.0, -1.0)));
    }
}
