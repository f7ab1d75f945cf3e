package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class PicardSolverTest extends ForwardSolverContract {
    @Override
    protected ForwardSolver create(double tol, int maxIter) {
        return new PicardSolver(tol, maxIter, 1.0);
    }

    @Test
    void plainPicardFailsOnExpansion() {
        DMatrixRMaj A = CommonOps_DDRM.identity(M);
        CommonOps_DDRM.scale(1.5, A);
        SolveStats st = create(1e-10, 200).solve(A, Activation.IDENTITY, 0, gaussian(N, M, 1.0), new DMatrixRMaj(N, M));
        assertFalse(st.converged(), st.toString());
        assertTrue(st.iterations() == 200, st.toString());
    }

    /** z = -1.5 z + u diverges undamped; with a = 1/2 the map is -0.25 z + u/2, a contraction. */
    @Test
    void dampingTurnsAnExpansionIntoAContraction() {
        DMatrixRMaj A = CommonOps_DDRM.identity(M);
        CommonOps_DDRM.scale(-1.5, A);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        assertFalse(new PicardSolver(1e-12, 300, 1.0).solve(A, Activation.IDENTITY, 0, U, new DMatrixRMaj(N, M)).converged());
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = new PicardSolver(1e-12, 300, 0.5).solve(A, Activation.IDENTITY, 0, U, Z);
        assertTrue(st.converged(), st.toString());
        assertTrue(maxFixedPointError(A, Activation.IDENTITY, 0, U, Z) <= 1e-10);
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new PicardSolver(1e-10, 10, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new PicardSolver(1e-10, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new PicardSolver(0.0, 10, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new PicardSolver(1e-10, -1, 1.0));
    }
}
