package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.deqsweep.core.TestSupport;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * Contract every {@link ForwardSolver} passes (in the manner of EJML's
 * GenericLinearSolverChecks_DDRM): shapes, zero size, convergence on a contraction checked
 * independently of the solver's own kernels, warm start, honest reports on non-contractions and
 * NaN input.
 */
public abstract class ForwardSolverContract extends TestSupport {
    static final int N = 50;
    static final int M = 8;
    static final double TOL = 1e-12;
    static final Duration LIMIT = Duration.ofSeconds(20);

    /** A fresh solver with this tolerance and iteration limit. */
    protected abstract ForwardSolver create(double tol, int maxIter);

    /** The activation of the contraction tests (identity for the direct solver). */
    protected Activation contractionActivation() {
        return Activation.TANH;
    }

    /** False for solvers limited to the identity activation. */
    protected boolean supportsNonlinear() {
        return true;
    }

    /** A Gaussian m x m matrix rescaled to spectral norm {@code norm}. */
    protected DMatrixRMaj withNorm(int m, double norm) {
        DMatrixRMaj a = gaussian(m, m, 1.0);
        CommonOps_DDRM.scale(norm / NormOps_DDRM.normP2(a), a);
        return a;
    }

    /** max_ic |z_ic - act(sum_k A_ck z_ik + u_ic)| by plain loops (independent of the solvers' GEMM). */
    static double maxFixedPointError(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z) {
        int m = A.numRows;
        double worst = 0;
        for (int i = 0; i < Z.numRows; i++) {
            for (int c = 0; c < m; c++) {
                double s = U.get(i, c);
                for (int k = 0; k < m; k++) {
                    s += A.get(c, k) * Z.get(i, k);
                }
                worst = Math.max(worst, Math.abs(Z.get(i, c) - act.apply(s, eps)));
            }
        }
        return worst;
    }

    /** |Z - act(Z A^T + U)|_F / max(|Z|_F, 1e-300) by plain loops. */
    static double relResidual(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z) {
        int m = A.numRows;
        double num = 0;
        double den = 0;
        for (int i = 0; i < Z.numRows; i++) {
            for (int c = 0; c < m; c++) {
                double s = U.get(i, c);
                for (int k = 0; k < m; k++) {
                    s += A.get(c, k) * Z.get(i, k);
                }
                double r = Z.get(i, c) - act.apply(s, eps);
                num += r * r;
                den += Z.get(i, c) * Z.get(i, c);
            }
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-300);
    }

    /** The solver's report agrees with an independent evaluation of the returned Z. */
    static void assertHonest(SolveStats st, double tol, DMatrixRMaj A, Activation act, DMatrixRMaj U, DMatrixRMaj Z) {
        double res = relResidual(A, act, 0, U, Z);
        if (st.converged()) {
            assertTrue(res <= 1.01 * tol + 1e-15, "converged reported but the residual is " + res);
        }
        if (Double.isFinite(st.residual()) && Double.isFinite(res)) {
            assertEquals(res, st.residual(), 1e-8 * res + 1e-15, "reported residual differs from the returned Z's");
        }
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        ForwardSolver s = create(TOL, 100);
        Activation act = contractionActivation();
        DMatrixRMaj A = withNorm(M, 0.5);
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                () -> s.solve(A, act, 0, new DMatrixRMaj(N, M), new DMatrixRMaj(N, M - 1)));
        assertTrue(e1.getMessage().contains(N + " x " + (M - 1)) && e1.getMessage().contains(N + " x " + M), e1.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> s.solve(A, act, 0, new DMatrixRMaj(N, M + 1), new DMatrixRMaj(N, M + 1)));
        assertTrue(e2.getMessage().contains(N + " x " + (M + 1)) && e2.getMessage().contains(M + " x " + M), e2.getMessage());
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> s.solve(new DMatrixRMaj(M, M + 1), act, 0, new DMatrixRMaj(N, M), new DMatrixRMaj(N, M)));
        assertTrue(e3.getMessage().contains(M + " x " + (M + 1)), e3.getMessage());
    }

    @Test
    void zeroSamples() {
        SolveStats st = create(TOL, 100).solve(withNorm(M, 0.5), contractionActivation(), 0, new DMatrixRMaj(0, M),
                new DMatrixRMaj(0, M));
        assertTrue(st.converged(), st.toString());
        assertEquals(0.0, st.residual());
    }

    @Test
    void convergesOnContraction() {
        Activation act = contractionActivation();
        DMatrixRMaj A = withNorm(M, 0.5);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = create(TOL, 500).solve(A, act, 0, U, Z);
        assertTrue(st.converged(), st.toString());
        assertTrue(st.residual() <= TOL, st.toString());
        assertTrue(maxFixedPointError(A, act, 0, U, Z) <= 1e-9);
        assertHonest(st, TOL, A, act, U, Z);
    }

    @Test
    void reusesBuffersAcrossShapes() {
        Activation act = contractionActivation();
        ForwardSolver s = create(TOL, 500);
        for (int[] shape : new int[][] {{N, M}, {7, M}, {N, 3}, {N, M}}) {
            DMatrixRMaj A = withNorm(shape[1], 0.5);
            DMatrixRMaj U = gaussian(shape[0], shape[1], 1.0);
            DMatrixRMaj Z = new DMatrixRMaj(shape[0], shape[1]);
            SolveStats st = s.solve(A, act, 0, U, Z);
            assertTrue(st.converged(), st.toString());
            assertTrue(maxFixedPointError(A, act, 0, U, Z) <= 1e-9, "shape " + shape[0] + " x " + shape[1]);
        }
    }

    @Test
    void warmStartFromSolutionTakesAtMostTwoIterations() {
        Activation act = contractionActivation();
        DMatrixRMaj A = withNorm(M, 0.5);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        assertTrue(create(TOL, 500).solve(A, act, 0, U, Z).converged());
        SolveStats again = create(TOL, 500).solve(A, act, 0, U, Z);
        assertTrue(again.converged(), again.toString());
        assertTrue(again.iterations() <= 2, again.toString());
    }

    /** z = 1.5 z + u has the fixed point -2u but is not a contraction: any report must be honest. */
    @Test
    void nonContractionReportedHonestly() {
        DMatrixRMaj A = CommonOps_DDRM.identity(M);
        CommonOps_DDRM.scale(1.5, A);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = assertTimeoutPreemptively(LIMIT, () -> create(1e-10, 200).solve(A, Activation.IDENTITY, 0, U, Z));
        assertTrue(st.iterations() <= 200, st.toString());
        assertTrue(Finite.allFinite(Z));
        assertHonest(st, 1e-10, A, Activation.IDENTITY, U, Z);
    }

    /** z = z + u (A = I, u != 0) has no fixed point: every solver must report failure. */
    @Test
    void noFixedPointReportsFailure() {
        DMatrixRMaj A = CommonOps_DDRM.identity(M);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = assertTimeoutPreemptively(LIMIT, () -> create(1e-10, 200).solve(A, Activation.IDENTITY, 0, U, Z));
        assertFalse(st.converged(), st.toString());
        assertTrue(st.iterations() <= 200, st.toString());
        assertTrue(Finite.allFinite(Z));
    }

    /** sin with |A|_2 = 20: many fixed points, no contraction; the solver stops and reports honestly. */
    @Test
    void sinWithLargeAStopsAndReportsHonestly() {
        assumeTrue(supportsNonlinear());
        DMatrixRMaj A = withNorm(M, 20.0);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = assertTimeoutPreemptively(LIMIT, () -> create(1e-10, 300).solve(A, Activation.SIN, 0, U, Z));
        assertTrue(st.iterations() <= 300, st.toString());
        assertTrue(Finite.allFinite(Z));
        assertTrue(Double.isFinite(st.residual()), st.toString());
        assertHonest(st, 1e-10, A, Activation.SIN, U, Z);
    }

    @Test
    void nanInputReportsFailureWithoutException() {
        Activation act = contractionActivation();
        DMatrixRMaj A = withNorm(M, 0.5);
        DMatrixRMaj U = gaussian(N, M, 1.0);
        U.set(3, 2, Double.NaN);
        DMatrixRMaj Z = new DMatrixRMaj(N, M);
        SolveStats st = assertTimeoutPreemptively(LIMIT, () -> create(TOL, 500).solve(A, act, 0, U, Z));
        assertFalse(st.converged(), st.toString());
        assertTrue(Double.isNaN(st.residual()), st.toString());
    }
}
