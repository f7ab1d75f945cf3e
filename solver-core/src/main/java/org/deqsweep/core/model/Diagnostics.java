package org.deqsweep.core.model;

import org.deqsweep.core.math.Finite;
import org.deqsweep.core.solve.RowLu;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Diagnostics taken at recorded steps only (DESIGN 3): sigma_min(I - D A), the contraction factor,
 * the linear conservation quantity Q, eigenvalues of covariance and Gram matrices. Buffers are sized
 * once per width; exact decompositions below {@link #EXACT_MAX_WIDTH}, iterative estimates above.
 */
public final class Diagnostics {
    /** Widths up to this get exact SVDs; above, inverse and power iterations estimate. */
    public static final int EXACT_MAX_WIDTH = 64;
    /** Samples whose sigma_min(I - D_i A) is taken exactly (evenly spaced over the data). */
    public static final int SIGMA_SAMPLES = 16;

    private final int m;
    private final DMatrixRMaj jac;
    private final DMatrixRMaj work;
    private final SingularValueDecomposition_F64<DMatrixRMaj> svd;
    /** LU of J for the inverse iteration above {@link #EXACT_MAX_WIDTH} (row arrays, vectorised; null below). */
    private final RowLu rowLu;
    private final double[] vec;
    private final double[] vec2;

    public Diagnostics(int m) {
        this.m = m;
        this.jac = new DMatrixRMaj(m, m);
        this.work = new DMatrixRMaj(m, m);
        this.svd = DecompositionFactory_DDRM.svd(m, m, false, false, true);
        this.rowLu = m > EXACT_MAX_WIDTH ? new RowLu(m) : null;
        this.vec = new double[m];
        this.vec2 = new double[m];
    }

    /**
     * sigma_min(I - D_i A), minimised over up to {@link #SIGMA_SAMPLES} samples, where D_i = diag(dact row i);
     * for identity activations (all D = I) this is sigma_min(I - A). Above {@link #EXACT_MAX_WIDTH} the
     * average D is used and sigma_min is estimated by inverse iteration.
     *
     * @param dact Input: n x m activation derivatives at the fixed points, not modified
     */
    public double sigmaMin(DMatrixRMaj a, DMatrixRMaj dact, boolean identity) {
        if (identity || dact == null || dact.numRows == 0) {
            jacobian(a, null, 0);
            return smallestSingular();
        }
        int n = dact.numRows;
        if (m > EXACT_MAX_WIDTH) {
            double[] mean = new double[m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    mean[j] += dact.data[i * m + j] / n;
                }
            }
            DMatrixRMaj avg = new DMatrixRMaj(1, m, true, mean);
            jacobian(a, avg, 0);
            return smallestSingular();
        }
        double best = Double.POSITIVE_INFINITY;
        int samples = Math.min(n, SIGMA_SAMPLES);
        for (int s = 0; s < samples; s++) {
            int i = (int) ((long) s * n / samples);
            jacobian(a, dact, i);
            best = Math.min(best, smallestSingular());
        }
        return best;
    }

    /** jac = I - D A with D = diag(row i of dact), or I - A when dact is null. */
    private void jacobian(DMatrixRMaj a, DMatrixRMaj dact, int row) {
        for (int r = 0; r < m; r++) {
            double dr = dact == null ? 1.0 : dact.data[row * m + r];
            for (int c = 0; c < m; c++) {
                jac.data[r * m + c] = (r == c ? 1.0 : 0.0) - dr * a.data[r * m + c];
            }
        }
    }

    private double smallestSingular() {
        if (!Finite.allFinite(jac)) {
            return Double.NaN;
        }
        if (m <= EXACT_MAX_WIDTH) {
            work.setTo(jac);
            if (!svd.decompose(work)) {
                return Double.NaN;
            }
            double min = Double.POSITIVE_INFINITY;
            for (double s : svd.getSingularValues()) {
                min = Math.min(min, s);
            }
            return min;
        }
        // inverse iteration on (J^T J)^{-1}: x <- J^{-1} J^{-T} x, both solves from one LU of J
        if (!rowLu.factor(jac) || rowLu.quality() < 1e-15) {
            return 0.0;
        }
        DMatrixRMaj x = DMatrixRMaj.wrap(m, 1, vec);
        java.util.Arrays.fill(vec, 1.0 / Math.sqrt(m));
        double est = Double.NaN;
        for (int it = 0; it < 30; it++) {
            rowLu.solveTranspose(vec, vec2);
            rowLu.solve(vec2, vec);
            double norm = NormOps_DDRM.normF(x);
            if (!(norm > 0) || !Double.isFinite(norm)) {
                return 0.0;
            }
            double prev = est;
            est = 1.0 / Math.sqrt(norm);
            CommonOps_DDRM.scale(1.0 / norm, x);
            if (Math.abs(est - prev) <= 1e-6 * est) {
                break;
            }
        }
        return est;
    }

    /** |A|_2: exact SVD up to {@link #EXACT_MAX_WIDTH}, else 50 power iterations on A^T A. */
    public double spectralNorm(DMatrixRMaj a) {
        if (!Finite.allFinite(a)) {
            return Double.NaN;
        }
        if (m <= EXACT_MAX_WIDTH) {
            work.setTo(a);
            if (!svd.decompose(work)) {
                return Double.NaN;
            }
            double max = 0;
            for (double s : svd.getSingularValues()) {
                max = Math.max(max, s);
            }
            return max;
        }
        DMatrixRMaj x = DMatrixRMaj.wrap(m, 1, vec);
        DMatrixRMaj y = DMatrixRMaj.wrap(m, 1, vec2);
        for (int j = 0; j < m; j++) {
            vec[j] = 1.0 + 0.01 * j;
        }
        CommonOps_DDRM.scale(1.0 / NormOps_DDRM.normF(x), x);
        double est = 0;
        for (int it = 0; it < 50; it++) {
            CommonOps_DDRM.mult(a, x, y);
            CommonOps_DDRM.multTransA(a, y, x);
            double norm = NormOps_DDRM.normF(x);
            if (!(norm > 0)) {
                return 0.0;
            }
            double prev = est;
            est = Math.sqrt(norm);
            CommonOps_DDRM.scale(1.0 / norm, x);
            if (Math.abs(est - prev) <= 1e-9 * est) {
                break;
            }
        }
        return est;
    }

    /** Q = W W^T + (I - A)(I - A)^T, conserved by gradient flow on the linear DEQ (DESIGN 2.2). Output last. */
    public static DMatrixRMaj conservationQ(Params p, DMatrixRMaj out) {
        int mm = p.width();
        if (out == null) {
            out = new DMatrixRMaj(mm, mm);
        }
        CommonOps_DDRM.multTransB(p.W, p.W, out);
        DMatrixRMaj ia = CommonOps_DDRM.identity(mm);
        CommonOps_DDRM.subtractEquals(ia, p.A);
        CommonOps_DDRM.multAddTransB(ia, ia, out);
        return out;
    }

    /** trace Q = |W|_F^2 + |I - A|_F^2 (m = 1: the squared distance to the degenerate point (0, 1)). */
    public static double traceQ(Params p) {
        int mm = p.width();
        double s = 0;
        for (double w : p.W.data) {
            s += w * w;
        }
        for (int r = 0; r < mm; r++) {
            for (int c = 0; c < mm; c++) {
                double e = (r == c ? 1.0 : 0.0) - p.A.data[r * mm + c];
                s += e * e;
            }
        }
        return s;
    }

    /** Eigenvalues of a symmetric matrix (not modified), ascending; null when the decomposition fails. */
    public static double[] symmetricEigenvalues(DMatrixRMaj s) {
        int k = s.numRows;
        if (k == 0) {
            return new double[0];
        }
        if (!Finite.allFinite(s)) {
            return null;
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(k, false, true);
        if (!eig.decompose(s.copy())) {
            return null;
        }
        double[] ev = new double[k];
        for (int i = 0; i < k; i++) {
            ev[i] = eig.getEigenvalue(i).getReal();
        }
        java.util.Arrays.sort(ev);
        return ev;
    }

    /** lambda_min of the empirical input covariance X^T X / n. */
    public static double lambdaMinCovariance(DMatrixRMaj x) {
        DMatrixRMaj cov = new DMatrixRMaj(x.numCols, x.numCols);
        CommonOps_DDRM.multTransA(x, x, cov);
        CommonOps_DDRM.scale(1.0 / Math.max(1, x.numRows), cov);
        double[] ev = symmetricEigenvalues(cov);
        return ev == null || ev.length == 0 ? Double.NaN : Math.max(0.0, ev[0]);
    }
}
