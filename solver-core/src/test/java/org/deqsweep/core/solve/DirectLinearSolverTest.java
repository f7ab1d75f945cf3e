package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** The contract's identity-activation subset, plus the direct solver's own checks. */
class DirectLinearSolverTest extends ForwardSolverContract {
    @Override
    protected ForwardSolver create(double tol, int maxIter) {
        return new DirectLinearSolver(tol);
    }

    @Override
    protected Activation contractionActivation() {
        return Activation.IDENTITY;
    }

    @Override
    protected boolean supportsNonlinear() {
        return false;
    }

    @Test
    void matchesExplicitInverse() {
        DMatrixRMaj A = withNorm(M, 0.9);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        assertTrue(new DirectLinearSolver(1e-12).solve(A, Activation.IDENTITY, 0, U, Z).converged());
        DMatrixRMaj inv = CommonOps_DDRM.identity(M);
        CommonOps_DDRM.subtractEquals(inv, CommonOps_DDRM.transpose(A, null));
        CommonOps_DDRM.invert(inv);
        DMatrixRMaj expected = CommonOps_DDRM.mult(U, inv, null);
        for (int k = 0; k < Z.getNumElements(); k++) {
            assertEquals(expected.data[k], Z.data[k], 1e-12);
        }
    }

    @Test
    void rejectsNonlinearActivation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create(1e-10, 1).solve(withNorm(M, 0.5), Activation.TANH, 0, new DMatrixRMaj(N, M), new DMatrixRMaj(N, M)));
        assertTrue(e.getMessage().contains("tanh"), e.getMessage());
    }

    @Test
    void flagsSingularAndNearlySingularSystems() {
        DMatrixRMaj U = gaussian(N, M, 1.0);
        SolveStats exact = create(1e-10, 1).solve(CommonOps_DDRM.identity(M), Activation.IDENTITY, 0, U, new DMatrixRMaj(N, M));
        assertTrue(exact.singular() && !exact.converged(), exact.toString());
        // I - A = diag(1, ..., 1, 1e-17): singular to working precision
        DMatrixRMaj A = new DMatrixRMaj(M, M);
        A.set(M - 1, M - 1, 1.0 - 1e-17);
        SolveStats near = create(1e-10, 1).solve(A, Activation.IDENTITY, 0, U, new DMatrixRMaj(N, M));
        assertTrue(near.singular() && !near.converged(), near.toString());
        // well-conditioned: not flagged
        A.set(M - 1, M - 1, 0.5);
        SolveStats fine = create(1e-10, 1).solve(A, Activation.IDENTITY, 0, U, new DMatrixRMaj(N, M));
        assertFalse(fine.singular(), fine.toString());
        assertTrue(fine.converged(), fine.toString());
    }
}
