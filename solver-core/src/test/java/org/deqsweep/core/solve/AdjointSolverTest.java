package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deqsweep.core.TestSupport;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Adjoint systems (I - s A^T D_i) nu_i = g_i of DESIGN 2.1, against an explicit inverse per sample. */
class AdjointSolverTest extends TestSupport {
    static final int N = 20;
    static final int M = 8;

    private DMatrixRMaj A;
    private DMatrixRMaj D;
    private DMatrixRMaj G;

    private void problem(double norm) {
        A = gaussian(M, M, 1.0);
        CommonOps_DDRM.scale(norm / NormOps_DDRM.normP2(A), A);
        DMatrixRMaj u = gaussian(N, M, 1.0);
        D = new DMatrixRMaj(N, M);
        for (int k = 0; k < D.getNumElements(); k++) {
            D.data[k] = Activation.TANH.derivative(u.data[k], 0);
        }
        G = gaussian(N, M, 1.0);
    }

    /** nu_i = inv(I - s A^T D_i) g_i with a dense inverse per sample. */
    static DMatrixRMaj explicit(DMatrixRMaj A, double s, DMatrixRMaj D, DMatrixRMaj G) {
        int n = G.numRows;
        int m = G.numCols;
        DMatrixRMaj out = new DMatrixRMaj(n, m);
        for (int i = 0; i < n; i++) {
            DMatrixRMaj M = CommonOps_DDRM.identity(m);
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < m; c++) {
                    M.add(r, c, -s * A.get(c, r) * D.get(i, c));
                }
            }
            assertTrue(CommonOps_DDRM.invert(M));
            DMatrixRMaj g = CommonOps_DDRM.extractRow(G, i, null);
            CommonOps_DDRM.transpose(g);
            DMatrixRMaj nu = CommonOps_DDRM.mult(M, g, null);
            for (int c = 0; c < m; c++) {
                out.set(i, c, nu.get(c));
            }
        }
        return out;
    }

    static void assertClose(DMatrixRMaj expected, DMatrixRMaj actual, double tol) {
        for (int k = 0; k < expected.getNumElements(); k++) {
            assertEquals(expected.data[k], actual.data[k], tol, "entry " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.5})
    void directAndIterativeAgreeWithExplicitInverse(double s) {
        problem(0.9);
        DMatrixRMaj ref = explicit(A, s, D, G);
        DMatrixRMaj direct = new DMatrixRMaj(N, M);
        SolveStats sd = new DirectAdjointSolver(1e-12).solve(A, s, D, G, direct);
        assertTrue(sd.converged() && !sd.singular(), sd.toString());
        DMatrixRMaj iter = new DMatrixRMaj(N, M);
        SolveStats si = new IterativeAdjointSolver(1e-14, 500).solve(A, s, D, G, iter);
        assertTrue(si.converged(), si.toString());
        assertClose(ref, direct, 1e-10);
        assertClose(ref, iter, 1e-10);
        assertClose(direct, iter, 1e-10);
    }

    /** Anderson also solves a system whose plain iteration diverges (s |A^T D| up to 3). */
    @Test
    void iterativeSolvesBeyondTheNeumannRegime() {
        problem(3.0);
        DMatrixRMaj ref = explicit(A, 1.0, D, G);
        DMatrixRMaj iter = new DMatrixRMaj(N, M);
        SolveStats si = new IterativeAdjointSolver(1e-14, 2000).solve(A, 1.0, D, G, iter);
        if (si.converged()) {
            assertClose(ref, iter, 1e-8);
        }
        assertTrue(Double.isFinite(si.residual()), si.toString());
    }

    @Test
    void sharedFactorizationForIdenticalDerivativesEqualsGeneralPath() {
        problem(0.9);
        DMatrixRMaj ones = new DMatrixRMaj(N, M);
        ones.fill(1.0);
        DirectAdjointSolver fast = new DirectAdjointSolver(1e-12);
        DirectAdjointSolver general = new DirectAdjointSolver(1e-12, false);
        DMatrixRMaj a = new DMatrixRMaj(N, M);
        DMatrixRMaj b = new DMatrixRMaj(N, M);
        assertTrue(fast.solve(A, 1.0, ones, G, a).converged());
        assertTrue(general.solve(A, 1.0, ones, G, b).converged());
        assertEquals(1, fast.factorizations);
        assertEquals(N, general.factorizations);
        assertClose(b, a, 1e-13);
        assertClose(explicit(A, 1.0, ones, G), a, 1e-10);
        // distinct rows must not take the shared path
        fast.solve(A, 1.0, D, G, a);
        assertEquals(N, fast.factorizations);
    }

    @Test
    void singularSystemIsFlaggedNotThrown() {
        problem(0.9);
        DMatrixRMaj I = CommonOps_DDRM.identity(M);
        DMatrixRMaj mixed = D.copy();
        for (int c = 0; c < M; c++) {
            mixed.set(3, c, 1.0); // row 3: I - I^T I = 0
        }
        DMatrixRMaj half = mixed.copy();
        for (int k = 0; k < half.getNumElements(); k++) {
            if (k / M != 3) {
                half.data[k] = 0.5;
            }
        }
        DMatrixRMaj nu = new DMatrixRMaj(N, M);
        SolveStats st = new DirectAdjointSolver(1e-12).solve(I, 1.0, half, G, nu);
        assertTrue(st.singular() && !st.converged(), st.toString());
        // the other samples are still solved: (I - 0.5 I) nu = g
        for (int i = 0; i < N; i++) {
            if (i != 3) {
                for (int c = 0; c < M; c++) {
                    assertEquals(2 * G.get(i, c), nu.get(i, c), 1e-14);
                }
            }
        }
        DMatrixRMaj ones = new DMatrixRMaj(N, M);
        ones.fill(1.0);
        SolveStats all = new DirectAdjointSolver(1e-12).solve(I, 1.0, ones, G, new DMatrixRMaj(N, M));
        assertTrue(all.singular() && !all.converged(), all.toString());
        DMatrixRMaj it = new DMatrixRMaj(N, M);
        SolveStats si = new IterativeAdjointSolver(1e-10, 200).solve(I, 1.0, ones, G, it);
        assertFalse(si.converged(), si.toString());
        for (int k = 0; k < it.getNumElements(); k++) {
            assertTrue(Double.isFinite(it.data[k]));
        }
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        problem(0.9);
        for (AdjointSolver s : new AdjointSolver[] {new DirectAdjointSolver(1e-10), new IterativeAdjointSolver(1e-10, 10)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.solve(A, 1.0, new DMatrixRMaj(N, M - 1), G, new DMatrixRMaj(N, M)));
            assertTrue(e.getMessage().contains(N + " x " + (M - 1)) && e.getMessage().contains(N + " x " + M), e.getMessage());
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> s.solve(A, 1.0, D, G, new DMatrixRMaj(N + 1, M)));
            assertTrue(e2.getMessage().contains((N + 1) + " x " + M) && e2.getMessage().contains(N + " x " + M), e2.getMessage());
        }
    }

    @Test
    void zeroSamplesAndNanInput() {
        problem(0.9);
        for (AdjointSolver s : new AdjointSolver[] {new DirectAdjointSolver(1e-10), new IterativeAdjointSolver(1e-10, 10)}) {
            DMatrixRMaj empty = new DMatrixRMaj(0, M);
            assertTrue(s.solve(A, 1.0, empty, empty, new DMatrixRMaj(0, M)).converged());
            DMatrixRMaj bad = G.copy();
            bad.set(1, 1, Double.NaN);
            SolveStats st = s.solve(A, 1.0, D, bad, new DMatrixRMaj(N, M));
            assertFalse(st.converged(), st.toString());
            assertTrue(Double.isNaN(st.residual()), st.toString());
        }
    }

    @Test
    void warmStartedIterativeSolveStopsAtOnce() {
        problem(0.9);
        DMatrixRMaj nu = explicit(A, 1.0, D, G);
        SolveStats st = new IterativeAdjointSolver(1e-10, 100).solve(A, 1.0, D, G, nu);
        assertTrue(st.converged() && st.iterations() == 0, st.toString());
    }

    @Test
    void factoriesFollowTheConfig() {
        assertInstanceOf(DirectAdjointSolver.class, adjoint(RunConfig.fromMap(Map.of("width", 64))));
        assertInstanceOf(IterativeAdjointSolver.class, adjoint(RunConfig.fromMap(Map.of("width", 65))));
        assertInstanceOf(IterativeAdjointSolver.class,
                adjoint(RunConfig.fromMap(Map.of("width", 8, "backward_solver", "iterative"))));
        assertInstanceOf(DirectAdjointSolver.class,
                adjoint(RunConfig.fromMap(Map.of("width", 100, "backward_solver", "direct"))));

        assertInstanceOf(DirectLinearSolver.class, forward(RunConfig.fromMap(Map.of("activation", "identity"))));
        assertInstanceOf(AndersonSolver.class, forward(RunConfig.fromMap(Map.of("activation", "tanh"))));
        assertInstanceOf(PicardSolver.class, forward(RunConfig.fromMap(Map.of("forward_solver", "picard"))));
        assertInstanceOf(NewtonSolver.class, forward(RunConfig.fromMap(Map.of("forward_solver", "newton"))));
        assertInstanceOf(AndersonSolver.class,
                forward(RunConfig.fromMap(Map.of("activation", "identity", "forward_solver", "anderson"))));
    }

    private static AdjointSolver adjoint(RunConfig cfg) {
        return AdjointSolvers.create(cfg.backward(), cfg.anderson(), cfg.width());
    }

    private static ForwardSolver forward(RunConfig cfg) {
        return ForwardSolvers.create(cfg.forward(), cfg.anderson(), cfg.model().activation());
    }
}
