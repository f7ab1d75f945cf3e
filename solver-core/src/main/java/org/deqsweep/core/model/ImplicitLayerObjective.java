package org.deqsweep.core.model;

import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The implicit layer with the nonlinearity on the weights (Kawaguchi, ICLR 2021; DESIGN 2.4):
 * <pre>
 *   z_i = gamma S(A) z_i + phi(x_i),   f(x_i) = B z_i,   S(A)_{rj} = exp(A_rj) / sum_r' exp(A_r'j)
 * </pre>
 * S is the column-wise softmax, so |gamma S|_1 = gamma &lt; 1 and M = I - gamma S is always invertible:
 * the forward solve is one LU of M for all samples. Square loss c sum |B z_i - y_i|^2 or softmax
 * cross-entropy -1/n sum log softmax(B z_i)_{c_i}. With g_i = dL/dz_i = B^T dL/df_i:
 * <pre>
 *   M^T nu_i = g_i ;  dL/dS = gamma sum nu_i z_i^T ;  dL/dA_{:j} = S_{:j} o (dS_{:j} - S_{:j} . dS_{:j}) ;
 *   dL/dB = sum (dL/df_i) z_i^T
 * </pre>
 * Parameters: A in {@link Params#A} (m x m), B in {@link Params#W} (k x m); b and v are empty.
 */
public final class ImplicitLayerObjective implements Objective {
    private final Dataset data;
    private final double gamma;
    private final boolean crossEntropy;
    private final double c;
    private final boolean trainA;
    private final boolean trainB;
    private final int n;
    private final int m;
    private final int k;

    private final DMatrixRMaj phiT;
    private final DMatrixRMaj s;
    private final DMatrixRMaj mat;
    private final DMatrixRMaj matT;
    private final DMatrixRMaj zT;
    private final DMatrixRMaj z;
    private final DMatrixRMaj f;
    private final DMatrixRMaj gf;
    private final DMatrixRMaj gzT;
    private final DMatrixRMaj nuT;
    private final DMatrixRMaj ds;
    private final DMatrixRMaj resid;
    private final LinearSolverDense<DMatrixRMaj> lu;
    private final LinearSolverDense<DMatrixRMaj> luT;
    private final Params grad;
    private double accuracy = Double.NaN;

    /**
     * @param features the fixed projection R (m x d) of phi(x) = R x, or null for phi = identity (m = d)
     */
    public ImplicitLayerObjective(RunConfig cfg, Dataset data, DMatrixRMaj features) {
        this.data = data;
        this.gamma = cfg.model().gamma();
        this.crossEntropy = cfg.model().loss().equals("cross_entropy");
        this.c = cfg.model().loss().equals("half_mse") ? 0.5 / data.n() : 1.0 / data.n();
        this.trainA = cfg.model().trainA();
        this.trainB = cfg.model().trainW();
        this.n = data.n();
        this.m = cfg.width();
        this.k = data.k();
        if (k != cfg.model().outputs()) {
            throw new IllegalArgumentException("data has " + k + " target columns but outputs = " + cfg.model().outputs());
        }
        phiT = new DMatrixRMaj(m, n);
        if (features == null) {
            if (data.d() != m) {
                throw new IllegalArgumentException("feature_map identity needs width = d, got width " + m + " and d " + data.d());
            }
            CommonOps_DDRM.transpose(data.x(), phiT);
        } else {
            CommonOps_DDRM.multTransB(features, data.x(), phiT);
        }
        s = new DMatrixRMaj(m, m);
        mat = new DMatrixRMaj(m, m);
        matT = new DMatrixRMaj(m, m);
        zT = new DMatrixRMaj(m, n);
        z = new DMatrixRMaj(n, m);
        f = new DMatrixRMaj(n, k);
        gf = new DMatrixRMaj(n, k);
        gzT = new DMatrixRMaj(m, n);
        nuT = new DMatrixRMaj(m, n);
        ds = new DMatrixRMaj(m, m);
        resid = new DMatrixRMaj(m, n);
        lu = LinearSolverFactory_DDRM.lu(m);
        luT = LinearSolverFactory_DDRM.lu(m);
        grad = Params.blocks(new DMatrixRMaj(m, m), new DMatrixRMaj(k, m), new DMatrixRMaj(0, 1), new DMatrixRMaj(0, 1));
    }

    /** S = column-wise softmax of a (max-shifted for stability). Output last. */
    public static DMatrixRMaj columnSoftmax(DMatrixRMaj a, DMatrixRMaj out) {
        int mm = a.numRows;
        out.reshape(mm, a.numCols);
        for (int j = 0; j < a.numCols; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < mm; r++) {
                max = Math.max(max, a.get(r, j));
            }
            double sum = 0;
            for (int r = 0; r < mm; r++) {
                double e = Math.exp(a.get(r, j) - max);
                out.set(r, j, e);
                sum += e;
            }
            for (int r = 0; r < mm; r++) {
                out.set(r, j, out.get(r, j) / sum);
            }
        }
        return out;
    }

    @Override
    public Evaluation evaluate(Params p, boolean needGradient) {
        if (!p.isFinite()) {
            return new Evaluation(Double.NaN, new SolveStats(false, 0, Double.NaN, false), null, Double.NaN);
        }
        columnSoftmax(p.A, s);
        CommonOps_DDRM.setIdentity(mat);
        CommonOps_DDRM.addEquals(mat, -gamma, s);
        CommonOps_DDRM.transpose(mat, matT);
        if (!lu.setA(mat.copy()) || !luT.setA(matT.copy())) {
            return new Evaluation(Double.NaN, new SolveStats(false, 1, Double.NaN, true), null, Double.NaN);
        }
        lu.solve(phiT, zT);
        // residual |M Z^T - Phi^T| / |Z|
        CommonOps_DDRM.mult(mat, zT, resid);
        CommonOps_DDRM.subtractEquals(resid, phiT);
        double zn = NormOps_DDRM.normF(zT);
        double res = NormOps_DDRM.normF(resid) / Math.max(zn, 1e-300);
        SolveStats fs = new SolveStats(Double.isFinite(res) && res < 1e-8, 1, res, false);
        CommonOps_DDRM.transpose(zT, z);
        CommonOps_DDRM.multTransB(z, p.W, f);
        double loss = lossAndOutputGradient();
        if (!needGradient || !Double.isFinite(loss)) {
            return new Evaluation(loss, fs, null, Double.NaN);
        }
        // dB = G_F^T Z ; G_Z^T = B^T G_F^T ; M^T Nu^T = G_Z^T ; dS = gamma Nu^T Z
        if (trainB) {
            CommonOps_DDRM.multTransA(gf, z, grad.W);
        } else {
            CommonOps_DDRM.fill(grad.W, 0.0);
        }
        SolveStats bs = SolveStats.of(true, 0, 0.0);
        if (trainA) {
            CommonOps_DDRM.multTransAB(p.W, gf, gzT);
            luT.solve(gzT, nuT);
            CommonOps_DDRM.mult(gamma, nuT, z, ds);
            for (int j = 0; j < m; j++) {
                double dot = 0;
                for (int r = 0; r < m; r++) {
                    dot += s.get(r, j) * ds.get(r, j);
                }
                for (int r = 0; r < m; r++) {
                    grad.A.set(r, j, s.get(r, j) * (ds.get(r, j) - dot));
                }
            }
            bs = SolveStats.of(true, 1, 0.0);
        } else {
            CommonOps_DDRM.fill(grad.A, 0.0);
        }
        return new Evaluation(loss, fs, bs, DeqObjective.norm(grad));
    }

    /** Loss at f; fills gf = dL/df and the accuracy. */
    private double lossAndOutputGradient() {
        double loss = 0;
        int[] labels = data.labels();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int arg = 0;
            for (int j = 1; j < k; j++) {
                if (f.data[i * k + j] > f.data[i * k + arg]) {
                    arg = j;
                }
            }
            if (labels != null && arg == labels[i]) {
                correct++;
            }
            if (crossEntropy) {
                double max = f.data[i * k + arg];
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(f.data[i * k + j] - max);
                }
                double logZ = max + Math.log(sum);
                loss += logZ - f.data[i * k + labels[i]];
                for (int j = 0; j < k; j++) {
                    double pj = Math.exp(f.data[i * k + j] - logZ);
                    gf.data[i * k + j] = (pj - (j == labels[i] ? 1.0 : 0.0)) / n;
                }
            } else {
                for (int j = 0; j < k; j++) {
                    double r = f.data[i * k + j] - data.y().data[i * k + j];
                    loss += c * r * r;
                    gf.data[i * k + j] = 2 * c * r;
                }
            }
        }
        accuracy = labels == null ? Double.NaN : (double) correct / n;
        return crossEntropy ? loss / n : loss;
    }

    @Override
    public Params gradient() {
        return grad;
    }

    /** sigma_min(I - gamma S(A)). */
    @Override
    public double sigmaMin(Params p, Diagnostics diag) {
        columnSoftmax(p.A, s);
        DMatrixRMaj gs = s.copy();
        CommonOps_DDRM.scale(gamma, gs);
        return diag.sigmaMin(gs, null, true);
    }

    /** gamma |S(A)|_2 (|gamma S|_1 = gamma always). */
    @Override
    public double contraction(Params p, Diagnostics diag) {
        columnSoftmax(p.A, s);
        return gamma * diag.spectralNorm(s);
    }

    @Override
    public double accuracy() {
        return accuracy;
    }

    @Override
    public Dataset data() {
        return data;
    }

    /** The fixed points of the last evaluation, n x m. */
    public DMatrixRMaj fixedPoints() {
        return z;
    }
}
