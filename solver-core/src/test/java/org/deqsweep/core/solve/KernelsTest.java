package org.deqsweep.core.solve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.TestSupport;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * The fast paths of the solvers against EJML: {@link RowGemm} (C = B M and C = B M^T) and the LU of
 * {@link Kernels}. Shapes cover the unrolled-by-4 loop and its remainder, width 1 and empty
 * batches. Tolerance: round-off of a k-term sum, k eps |B| |M| entrywise, bounded here by
 * TEST_F64 relative to the Frobenius norms.
 */
class KernelsTest extends TestSupport {

    @Test
    void rowGemmMatchesEjmlForBothLayouts() {
        int[][] shapes = {{1, 1, 1}, {5, 3, 7}, {200, 8, 8}, {13, 64, 64}, {7, 65, 33}, {0, 4, 4}, {3, 130, 257},
            // the two-row kernel (m >= RowGemm.PAIR_MIN_WIDTH): odd and even n, k a multiple of 3 or not, k < 3
            {1, 2, 128}, {2, 1, 128}, {4, 3, 129}, {6, 5, 200}, {0, 3, 128}, {9, 12, 130},
            // either side of RowGemm.MID_MIN_WIDTH (the narrow and the mid copy of the one-row kernel)
            {5, 6, 31}, {5, 6, 32}, {4, 1, 127}};
        RowGemm g = new RowGemm();
        for (int[] s : shapes) {
            int n = s[0];
            int k = s[1];
            int m = s[2];
            DMatrixRMaj b = gaussian(n, k, 1.0);
            DMatrixRMaj mm = gaussian(k, m, 1.0);
            DMatrixRMaj want = new DMatrixRMaj(n, m);
            CommonOps_DDRM.mult(b, mm, want);
            DMatrixRMaj got = new DMatrixRMaj(1, 1);
            g.setRight(mm, false);
            g.mult(b, got);
            assertClose(want, got, "B M " + n + "x" + k + "x" + m);

            DMatrixRMaj mt = gaussian(m, k, 1.0); // C = B mt^T, the forward map's Z A^T
            CommonOps_DDRM.multTransB(b, mt, want);
            g.setRight(mt, true);
            g.mult(b, got);
            assertClose(want, got, "B M^T " + n + "x" + k + "x" + m);
        }
    }

    @Test
    void rowGemmFromRowArraysMatchesEjml() {
        int[][] shapes = {{1, 1, 1}, {6, 5, 3}, {200, 64, 64}, {9, 7, 130}};
        RowGemm g = new RowGemm();
        for (int[] s : shapes) {
            int n = s[0];
            int k = s[1];
            int m = s[2];
            DMatrixRMaj b = gaussian(n, k, 1.0);
            DMatrixRMaj mm = gaussian(k, m, 1.0);
            double[][] rows = new double[k][m + 2]; // longer rows: only the first m columns count
            for (int i = 0; i < k; i++) {
                System.arraycopy(mm.data, i * m, rows[i], 0, m);
                rows[i][m] = Double.NaN;
            }
            DMatrixRMaj want = new DMatrixRMaj(n, m);
            CommonOps_DDRM.mult(b, mm, want);
            DMatrixRMaj got = new DMatrixRMaj(1, 1);
            g.setRight(rows, k, m, false);
            g.mult(b, got);
            assertClose(want, got, "B M rows " + n + "x" + k + "x" + m);
            // transposed: C = B' mm^T with B' n x m
            DMatrixRMaj bt = gaussian(n, m, 1.0);
            DMatrixRMaj wantT = new DMatrixRMaj(n, k);
            CommonOps_DDRM.multTransB(bt, mm, wantT);
            g.setRight(rows, k, m, true);
            g.mult(bt, got);
            assertClose(wantT, got, "B M^T rows " + n + "x" + m + "x" + k);
        }
    }

    @Test
    void inverseFromLuMatchesEjmlIncludingPivoting() {
        for (int m : new int[] {1, 2, 3, 7, 33, 64, 65}) {
            DMatrixRMaj a = gaussian(m, m, 1.0);
            if (m > 1) {
                a.set(0, 0, 0.0); // forces a row swap at the first column
            }
            DMatrixRMaj want = a.copy();
            assertTrue(CommonOps_DDRM.invert(want));
            double[][] rows = new double[m][m];
            for (int i = 0; i < m; i++) {
                System.arraycopy(a.data, i * m, rows[i], 0, m);
            }
            int[] piv = new int[m];
            assertTrue(Kernels.luInPlace(rows, m, piv));
            double[][] x = new double[m][m];
            Kernels.invertFromLu(rows, m, piv, x);
            DMatrixRMaj got = new DMatrixRMaj(m, m);
            for (int i = 0; i < m; i++) {
                System.arraycopy(x[i], 0, got.data, i * m, m);
            }
            // A X = I to round-off times the condition
            DMatrixRMaj ax = new DMatrixRMaj(m, m);
            CommonOps_DDRM.mult(a, got, ax);
            CommonOps_DDRM.subtractEquals(ax, CommonOps_DDRM.identity(m));
            double cond = NormOps_DDRM.normF(a) * NormOps_DDRM.normF(want);
            assertTrue(NormOps_DDRM.normF(ax) <= 1e-13 * cond, "m = " + m + " |AX - I| " + NormOps_DDRM.normF(ax));
            CommonOps_DDRM.subtractEquals(got, want);
            assertTrue(NormOps_DDRM.normF(got) <= 1e-12 * cond * NormOps_DDRM.normF(want), "m = " + m);
        }
    }

    @Test
    void rowLuSolvesAndTransposeSolvesMatchEjml() {
        for (int m : new int[] {1, 2, 5, 64, 65, 130}) {
            DMatrixRMaj a = gaussian(m, m, 1.0);
            if (m > 1) {
                a.set(0, 0, 0.0); // forces a row swap
            }
            DMatrixRMaj b = gaussian(m, 1, 1.0);
            RowLu lu = new RowLu(m);
            assertTrue(lu.factor(a));
            org.ejml.interfaces.linsol.LinearSolverDense<DMatrixRMaj> ej =
                    org.ejml.dense.row.factory.LinearSolverFactory_DDRM.lu(m);
            assertTrue(ej.setA(a.copy()));
            assertEquals(ej.quality(), lu.quality(), 1e-10 * ej.quality() + 1e-300, "quality m = " + m);
            DMatrixRMaj ainv = new DMatrixRMaj(m, m);
            assertTrue(CommonOps_DDRM.invert(a, ainv));
            double cond = NormOps_DDRM.normF(a) * NormOps_DDRM.normF(ainv);
            for (boolean transpose : new boolean[] {false, true}) {
                DMatrixRMaj want = new DMatrixRMaj(m, 1);
                assertTrue(CommonOps_DDRM.solve(transpose ? CommonOps_DDRM.transpose(a, null) : a, b, want));
                double[] x = new double[m];
                if (transpose) {
                    System.arraycopy(b.data, 0, x, 0, m);
                    lu.solveTranspose(x, x); // in place allowed
                } else {
                    lu.solve(b.data, x);
                }
                for (int i = 0; i < m; i++) {
                    assertEquals(want.data[i], x[i], 1e-13 * cond * (1 + Math.abs(want.data[i])),
                            "m = " + m + " transpose " + transpose + " i = " + i);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new RowLu(3).factor(new DMatrixRMaj(2, 2)));
    }

    @Test
    void rowGemmRejectsWrongShapes() {
        RowGemm g = new RowGemm();
        g.setRight(gaussian(4, 3, 1.0), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.mult(gaussian(2, 5, 1.0), new DMatrixRMaj(1, 1)));
        assertTrue(e.getMessage().contains("2 x 5"), e.getMessage());
    }

    @Test
    void luSolvesAgainstEjmlIncludingPivoting() {
        for (int m : new int[] {1, 2, 5, 8, 33, 64}) {
            DMatrixRMaj a = gaussian(m, m, 1.0);
            if (m > 1) {
                a.set(0, 0, 0.0); // forces a row swap at the first column
            }
            DMatrixRMaj rhs = gaussian(m, 1, 1.0);
            DMatrixRMaj want = new DMatrixRMaj(m, 1);
            assertTrue(CommonOps_DDRM.solve(a, rhs, want));
            double[][] rows = new double[m][m];
            for (int i = 0; i < m; i++) {
                System.arraycopy(a.data, i * m, rows[i], 0, m);
            }
            int[] piv = new int[m];
            assertTrue(Kernels.luInPlace(rows, m, piv));
            double[] x = new double[m];
            Kernels.luSolve(rows, m, piv, rhs.data, 0, x, 0);
            // residual of the original system, relative
            DMatrixRMaj ax = new DMatrixRMaj(m, 1);
            CommonOps_DDRM.mult(a, DMatrixRMaj.wrap(m, 1, x), ax);
            CommonOps_DDRM.subtractEquals(ax, rhs);
            assertTrue(NormOps_DDRM.normF(ax) <= 1e-10 * NormOps_DDRM.normF(rhs), "m = " + m + " residual " + NormOps_DDRM.normF(ax));
            for (int i = 0; i < m; i++) {
                assertEquals(want.data[i], x[i], 1e-8 * (1 + Math.abs(want.data[i])), "m = " + m + " x[" + i + "]");
            }
        }
    }

    @Test
    void luReportsASingularMatrix() {
        double[][] rows = {{1, 2, 3}, {2, 4, 6}, {0, 0, 0}};
        assertFalse(Kernels.luInPlace(rows, 3, new int[3]));
        double[][] nan = {{Double.NaN, 0}, {0, 1}};
        assertFalse(Kernels.luInPlace(nan, 2, new int[2]));
        double[][] diag = {{2, 0}, {0, 1e-20}};
        assertTrue(Kernels.luInPlace(diag, 2, new int[2]));
        assertEquals(5e-21, Kernels.pivotRcond(diag, 2), 1e-35);
    }

    @Test
    void transposeMatchesEjml() {
        DMatrixRMaj a = gaussian(3, 5, 1.0);
        DMatrixRMaj t = new DMatrixRMaj(1, 1);
        Kernels.transpose(a, t);
        assertArrayEquals(CommonOps_DDRM.transpose(a, null).data, t.data, 0.0);
    }

    /** Direct adjoint (fast LU) against one dense EJML solve per sample. */
    @Test
    void directAdjointMatchesDenseSolvePerSample() {
        int n = 9;
        int m = 12;
        DMatrixRMaj a = gaussian(m, m, 0.3 / Math.sqrt(m));
        DMatrixRMaj d = gaussian(n, m, 1.0);
        DMatrixRMaj g = gaussian(n, m, 1.0);
        DMatrixRMaj nu = new DMatrixRMaj(n, m);
        SolveStats st = new DirectAdjointSolver(1e-10).solve(a, 0.5, d, g, nu);
        assertTrue(st.converged(), st.toString());
        for (int i = 0; i < n; i++) {
            DMatrixRMaj mi = CommonOps_DDRM.identity(m);
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < m; c++) {
                    mi.data[r * m + c] -= 0.5 * a.get(c, r) * d.get(i, c);
                }
            }
            DMatrixRMaj x = new DMatrixRMaj(m, 1);
            DMatrixRMaj gi = DMatrixRMaj.wrap(m, 1, java.util.Arrays.copyOfRange(g.data, i * m, i * m + m));
            assertTrue(CommonOps_DDRM.solve(mi, gi, x));
            for (int c = 0; c < m; c++) {
                assertEquals(x.data[c], nu.get(i, c), 1e-10 * (1 + Math.abs(x.data[c])), "sample " + i + ", entry " + c);
            }
        }
    }

    private static void assertClose(DMatrixRMaj want, DMatrixRMaj got, String what) {
        assertEquals(want.numRows, got.numRows, what + " rows");
        assertEquals(want.numCols, got.numCols, what + " cols");
        DMatrixRMaj diff = want.copy();
        CommonOps_DDRM.subtractEquals(diff, got);
        double scale = Math.max(1.0, NormOps_DDRM.normF(want));
        assertTrue(NormOps_DDRM.normF(diff) <= TEST_F64 * scale, what + ": |diff| = " + NormOps_DDRM.normF(diff));
    }
}
