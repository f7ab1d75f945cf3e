package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.TestSupport;
import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;

/** On a moderately contractive problem (tanh, |A|_2 = 0.9) the accelerated solvers beat Picard. */
class IterationCountTest extends TestSupport {
    static final int N = 50;
    static final int M = 8;
    static final double TOL = 1e-10;

    @Test
    void newtonAndAndersonTakeFewerIterationsThanPicard() {
        DMatrixRMaj A = gaussian(M, M, 1.0);
        CommonOps_DDRM.scale(0.9 / NormOps_DDRM.normP2(A), A);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        SolveStats picard = run(new PicardSolver(TOL, 2000, 1.0), A, U);
        SolveStats anderson = run(new AndersonSolver(TOL, 2000), A, U);
        SolveStats newton = run(new NewtonSolver(TOL, 2000), A, U);
        System.out.printf("iterations at |A|_2 = 0.9, tanh, n = %d, m = %d, tol = %g: picard %d, anderson %d, newton %d%n",
                N, M, TOL, picard.iterations(), anderson.iterations(), newton.iterations());
        assertTrue(picard.converged() && anderson.converged() && newton.converged(), picard + " " + anderson + " " + newton);
        assertTrue(anderson.iterations() < picard.iterations(), anderson + " vs " + picard);
        assertTrue(newton.iterations() < picard.iterations(), newton + " vs " + picard);
    }

    private static SolveStats run(ForwardSolver s, DMatrixRMaj A, DMatrixRMaj U) {
        DMatrixRMaj Z = new DMatrixRMaj(U.numRows, U.numCols);
        SolveStats st = s.solve(A, Activation.TANH, 0, U, Z);
        assertTrue(ForwardSolverContract.maxFixedPointError(A, Activation.TANH, 0, U, Z) <= 1e-8, s.getClass().getSimpleName());
        return st;
    }
}
