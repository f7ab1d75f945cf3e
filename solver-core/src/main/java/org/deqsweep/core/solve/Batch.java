package org.deqsweep.core.solve;

import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Package-private kernels shared by the solvers of DESIGN 3: shape checks (caller mistakes, both
 * shapes named), the batched forward map {@code act(Z A^T + U)} and the relative residual. None of
 * them allocates.
 */
final class Batch {
    /** Floor of the residual's denominator, as in {@link SolveStats}. */
    static final double TINY = 1e-300;

    private Batch() {
    }

    static String shape(DMatrixRMaj x) {
        return x.numRows + " x " + x.numCols;
    }

    /** A square m x m; {@code U} and {@code Z} n x m. */
    static void checkForward(DMatrixRMaj A, DMatrixRMaj U, DMatrixRMaj Z) {
        if (A.numRows != A.numCols) {
            throw new IllegalArgumentException("A must be square, got A " + shape(A));
        }
        if (U.numCols != A.numRows) {
            throw new IllegalArgumentException("U must be n x m with m = rows of A: got U " + shape(U) + ", A " + shape(A));
        }
        if (Z.numRows != U.numRows || Z.numCols != U.numCols) {
            throw new IllegalArgumentException("Z must have the shape of U: got Z " + shape(Z) + ", U " + shape(U));
        }
    }

    /** A m x m; {@code D}, {@code G}, {@code Nu} n x m. */
    static void checkAdjoint(DMatrixRMaj A, double s, DMatrixRMaj D, DMatrixRMaj G, DMatrixRMaj Nu) {
        if (A.numRows != A.numCols) {
            throw new IllegalArgumentException("A must be square, got A " + shape(A));
        }
        if (G.numCols != A.numRows) {
            throw new IllegalArgumentException("G must be n x m with m = rows of A: got G " + shape(G) + ", A " + shape(A));
        }
        if (D.numRows != G.numRows || D.numCols != G.numCols) {
            throw new IllegalArgumentException("Dact must have the shape of G: got Dact " + shape(D) + ", G " + shape(G));
        }
        if (Nu.numRows != G.numRows || Nu.numCols != G.numCols) {
            throw new IllegalArgumentException("Nu must have the shape of G: got Nu " + shape(Nu) + ", G " + shape(G));
        }
        if (!Double.isFinite(s)) {
            throw new IllegalArgumentException("the gradient scale s must be finite, got " + s);
        }
    }

    /** out = act(Z A^T + U); {@code out} must be n x m and distinct from {@code Z}. */
    static void forwardMap(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z, DMatrixRMaj out) {
        CommonOps_DDRM.multTransB(Z, A, out);
        act.applyShifted(out.data, U.data, out.getNumElements(), eps);
    }

    /**
     * out = act(Z A^T + U) with {@code gemmAt} holding A^T ({@link RowGemm#setRight}(A, true), packed
     * once per solve); {@code out} n x m, distinct from Z.
     */
    static void forwardMap(RowGemm gemmAt, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z, DMatrixRMaj out) {
        gemmAt.mult(Z, out);
        act.applyShifted(out.data, U.data, out.getNumElements(), eps);
    }

    /**
     * out = G + s (D o X) A, the adjoint map of DESIGN 2.1 in row form, with {@code gemmA} holding A
     * ({@link RowGemm#setRight}(A, false), packed once per solve); {@code work} n x m.
     */
    static void adjointMap(RowGemm gemmA, double s, DMatrixRMaj D, DMatrixRMaj G, DMatrixRMaj X, DMatrixRMaj work,
            DMatrixRMaj out) {
        int len = X.getNumElements();
        work.reshape(X.numRows, X.numCols);
        for (int k = 0; k < len; k++) {
            work.data[k] = s * D.data[k] * X.data[k];
        }
        gemmA.mult(work, out);
        for (int k = 0; k < len; k++) {
            out.data[k] += G.data[k];
        }
    }

    /** |Z - F|_F / max(|Z|_F, 1e-300); NaN when either holds a NaN, overflow-safe. */
    static double residual(DMatrixRMaj Z, DMatrixRMaj F) {
        return relDiff(Z.data, F.data, 0, Z.getNumElements());
    }

    /** |z - f| / max(|z|, 1e-300) over {@code len} entries from {@code off}; scaled when the squares overflow. */
    static double relDiff(double[] z, double[] f, int off, int len) {
        double num = 0;
        double den = 0;
        for (int k = off; k < off + len; k++) {
            double r = z[k] - f[k];
            num += r * r;
            den += z[k] * z[k];
        }
        if (Double.isInfinite(num) || Double.isInfinite(den)) {
            double scale = 0;
            for (int k = off; k < off + len; k++) {
                scale = Math.max(scale, Math.max(Math.abs(z[k]), Math.abs(z[k] - f[k])));
            }
            if (!Double.isFinite(scale)) {
                return Double.NaN;
            }
            num = 0;
            den = 0;
            for (int k = off; k < off + len; k++) {
                double r = (z[k] - f[k]) / scale;
                double q = z[k] / scale;
                num += r * r;
                den += q * q;
            }
            return Math.sqrt(num) / Math.max(Math.sqrt(den), TINY / scale);
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), TINY);
    }

    /**
     * Pivot-based estimate of the reciprocal condition of a square matrix from its LU factors:
     * min |u_ii| / max |u_ii| (0 when a pivot is zero or not finite). Cheap (O(m)) and exact for
     * diagonal matrices; it can overestimate the true rcond, so it is a singularity detector, not a
     * condition number.
     */
    static double pivotRcond(DMatrixRMaj lu, int m) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < m; i++) {
            double p = Math.abs(lu.data[i * lu.numCols + i]);
            if (!Double.isFinite(p)) {
                return 0;
            }
            lo = Math.min(lo, p);
            hi = Math.max(hi, p);
        }
        return m == 0 ? 1 : (hi == 0 ? 0 : lo / hi);
    }

    static void checkTolerances(double tol, int maxIter) {
        if (!(tol > 0) || !Double.isFinite(tol)) {
            throw new IllegalArgumentException("tol must be finite and > 0, got " + tol);
        }
        if (maxIter < 0) {
            throw new IllegalArgumentException("maxIter must be >= 0, got " + maxIter);
        }
    }
}
