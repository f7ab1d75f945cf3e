package org.deqsweep.core.solve;

import org.ejml.data.DMatrixRMaj;

/**
 * Small dense kernels for the solvers' hot loops (issue "Performance", profile in BENCHMARKS.md):
 * an in-place LU with partial pivoting on row arrays for the per-sample adjoint systems (EJML's
 * LU was 44% of a training step at m = 64) and a transpose. The GEMM is {@link RowGemm}.
 *
 * <p>Results agree with EJML to round-off (another operation order), not bit for bit. None of the
 * methods allocates.
 */
final class Kernels {
    private Kernels() {
    }

    /** out = A^T (m x m); {@code out} reshaped, must not be A. */
    static void transpose(DMatrixRMaj A, DMatrixRMaj out) {
        int r = A.numRows;
        int c = A.numCols;
        out.reshape(c, r);
        double[] a = A.data;
        double[] o = out.data;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                o[j * r + i] = a[i * c + j];
            }
        }
    }

    /**
     * In-place LU with partial pivoting of the m x m matrix held as row arrays {@code a[i]}: P a = L U,
     * L unit lower (below the diagonal), U on and above it; rows are swapped as references and
     * {@code piv[i]} is the original row now in row i. The rank-1 update runs over whole row arrays
     * with one index, which C2 vectorises (see {@link RowGemm}).
     *
     * @return false when a pivot is zero or not finite (the factors are then unusable)
     */
    static boolean luInPlace(double[][] a, int m, int[] piv) {
        for (int i = 0; i < m; i++) {
            piv[i] = i;
        }
        for (int k = 0; k < m; k++) {
            int best = k;
            double max = Math.abs(a[k][k]);
            for (int i = k + 1; i < m; i++) {
                double v = Math.abs(a[i][k]);
                if (v > max) {
                    max = v;
                    best = i;
                }
            }
            if (!(max > 0) || !Double.isFinite(max)) {
                return false;
            }
            if (best != k) {
                double[] t = a[best];
                a[best] = a[k];
                a[k] = t;
                int tp = piv[best];
                piv[best] = piv[k];
                piv[k] = tp;
            }
            double[] rk = a[k];
            double inv = 1.0 / rk[k];
            for (int i = k + 1; i < m; i++) {
                double[] ri = a[i];
                double l = ri[k] * inv;
                ri[k] = l;
                if (l != 0) {
                    for (int j = k + 1; j < m; j++) {
                        ri[j] -= l * rk[j];
                    }
                }
            }
        }
        return true;
    }

    /**
     * X = M^{-1} from the factors of {@link #luInPlace} (P M = L U), as row arrays: L Y = P then U X = Y,
     * every step a whole-row update {@code x_i -= l x_j} over m columns, which C2 vectorises (the
     * column-by-column {@link #luSolve} does not). Cost 2 m^3 flops.
     *
     * @param x Output: m row arrays of at least m, distinct from {@code lu}
     */
    static void invertFromLu(double[][] lu, int m, int[] piv, double[][] x) {
        for (int i = 0; i < m; i++) {
            double[] xi = x[i];
            java.util.Arrays.fill(xi, 0, m, 0.0);
            xi[piv[i]] = 1.0;
            double[] li = lu[i];
            for (int j = 0; j < i; j++) {
                double l = li[j];
                if (l != 0) {
                    double[] xj = x[j];
                    for (int c = 0; c < m; c++) {
                        xi[c] -= l * xj[c];
                    }
                }
            }
        }
        for (int i = m - 1; i >= 0; i--) {
            double[] xi = x[i];
            double[] ui = lu[i];
            for (int j = i + 1; j < m; j++) {
                double u = ui[j];
                if (u != 0) {
                    double[] xj = x[j];
                    for (int c = 0; c < m; c++) {
                        xi[c] -= u * xj[c];
                    }
                }
            }
            double d = ui[i];
            for (int c = 0; c < m; c++) {
                xi[c] /= d;
            }
        }
    }

    /** min |u_ii| / max |u_ii| of the factors of {@link #luInPlace} (see {@link Batch#pivotRcond}). */
    static double pivotRcond(double[][] lu, int m) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < m; i++) {
            double p = Math.abs(lu[i][i]);
            if (!Double.isFinite(p)) {
                return 0;
            }
            lo = Math.min(lo, p);
            hi = Math.max(hi, p);
        }
        return m == 0 ? 1 : (hi == 0 ? 0 : lo / hi);
    }

    /**
     * Solves (P^T L U) x = rhs with the factors of {@link #luInPlace}.
     *
     * @param rhs Input: m values from {@code off}, not modified
     * @param x Output: m values from {@code xoff}; may not overlap rhs
     */
    static void luSolve(double[][] lu, int m, int[] piv, double[] rhs, int off, double[] x, int xoff) {
        for (int i = 0; i < m; i++) {
            double s = rhs[off + piv[i]];
            double[] ri = lu[i];
            for (int j = 0; j < i; j++) {
                s -= ri[j] * x[xoff + j];
            }
            x[xoff + i] = s;
        }
        for (int i = m - 1; i >= 0; i--) {
            double[] ri = lu[i];
            double s = x[xoff + i];
            for (int j = i + 1; j < m; j++) {
                s -= ri[j] * x[xoff + j];
            }
            x[xoff + i] = s / ri[i];
        }
    }
}
