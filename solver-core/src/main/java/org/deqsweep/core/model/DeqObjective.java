package org.deqsweep.core.model;

import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.deqsweep.core.solve.AdjointSolver;
import org.deqsweep.core.solve.AdjointSolvers;
import org.deqsweep.core.solve.ForwardSolver;
import org.deqsweep.core.solve.ForwardSolvers;
import org.deqsweep.core.solve.RowGemm;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Loss and implicit gradient of the general DEQ on a fixed data set (DESIGN 2.1):
 * <pre>
 *   Z = act(Z A^T + X W^T + 1 b^T)        (rows z_i*, batched over the n samples)
 *   L = c sum_i (v . z_i - y_i)^2         c = 1/n (mse) or 1/(2n) (half_mse)
 *   g_i = 2 c r_i v ;  (I - A^T D_i) nu_i = g_i ;  mu_i = D_i nu_i
 *   dL/dA = sum mu_i z_i^T, dL/dW = sum mu_i x_i^T, dL/db = sum mu_i, dL/dv = sum 2 c r_i z_i
 * </pre>
 * Buffers are sized once; {@link #evaluate} allocates nothing. The fixed points of the last call are
 * the warm start of the next (when forward_warm_start is on). Frozen parameters get a zero gradient.
 */
public final class DeqObjective implements GramObjective {
    private final Dataset data;
    private final Activation act;
    private final double eps;
    private final double c;
    private final boolean warmStart;
    private final boolean trainA;
    private final boolean trainW;
    private final boolean trainB;
    private final boolean trainV;
    private final GradientMode mode;
    private final ForwardSolver forward;
    private final AdjointSolver adjoint;

    private final DMatrixRMaj u;
    private final DMatrixRMaj z;
    private final DMatrixRMaj pre;
    private final DMatrixRMaj dact;
    private final DMatrixRMaj f;
    private final DMatrixRMaj r2c;
    private final DMatrixRMaj g;
    private final DMatrixRMaj nu;
    private final DMatrixRMaj mu;
    private final DMatrixRMaj term;
    private final DMatrixRMaj tmp;
    /**
     * The step's own GEMMs in RowGemm's vectorised form (EJML's multTransB / multTransA run at 3-6
     * GFLOP/s, RowGemm at 13-20, GemmBench): u = X W^T, pre = Z A^T, dA = Mu^T Z, dW = Mu^T X, and
     * the Neumann terms (D o t) A.
     */
    private final RowGemm gemmWt = new RowGemm();
    private final RowGemm gemmAt = new RowGemm();
    /** A itself, the right factor of the Neumann terms (D o t) A. */
    private final RowGemm gemmA = new RowGemm();
    private final RowGemm gemmZ = new RowGemm();
    /** X packed once (the data set is fixed), the right factor of dW = Mu^T X. */
    private final RowGemm gemmX = new RowGemm();
    /** Mu^T, m x n, the left factor of the gradients. */
    private final DMatrixRMaj muT;
    /** The gradient of the last {@link #evaluate} with needGradient (frozen parts zero). */
    public final Params grad;

    public DeqObjective(RunConfig cfg, Dataset data) {
        this.data = data;
        this.act = cfg.model().activation();
        this.eps = cfg.model().activationEps();
        this.c = cfg.model().lossFactor(data.n());
        this.warmStart = cfg.forward().warmStart();
        this.trainA = cfg.model().trainA();
        this.trainW = cfg.model().trainW();
        this.trainB = cfg.model().trainB();
        this.trainV = cfg.model().trainV();
        this.mode = GradientMode.parse(cfg.backward().gradMode());
        this.forward = ForwardSolvers.create(cfg.forward(), cfg.anderson(), act);
        this.adjoint = AdjointSolvers.create(cfg.backward(), cfg.anderson(), cfg.width());
        int n = data.n();
        int m = cfg.width();
        int d = data.d();
        if (data.y().numCols != 1) {
            throw new IllegalArgumentException("the DEQ has one output but y has " + data.y().numCols + " columns");
        }
        if (d != cfg.d()) {
            throw new IllegalArgumentException("data has d = " + d + " but the config has d = " + cfg.d());
        }
        u = new DMatrixRMaj(n, m);
        z = new DMatrixRMaj(n, m);
        pre = new DMatrixRMaj(n, m);
        dact = new DMatrixRMaj(n, m);
        f = new DMatrixRMaj(n, 1);
        r2c = new DMatrixRMaj(n, 1);
        g = new DMatrixRMaj(n, m);
        nu = new DMatrixRMaj(n, m);
        mu = new DMatrixRMaj(n, m);
        term = new DMatrixRMaj(n, m);
        tmp = new DMatrixRMaj(n, m);
        grad = new Params(m, d);
        muT = new DMatrixRMaj(m, n);
        gemmX.setRight(data.x(), false);
    }

    public boolean trainsA() {
        return trainA;
    }

    public boolean trainsW() {
        return trainW;
    }

    public boolean trainsB() {
        return trainB;
    }

    public boolean trainsV() {
        return trainV;
    }

    @Override
    public Dataset data() {
        return data;
    }

    @Override
    public Params gradient() {
        return grad;
    }

    @Override
    public double sigmaMin(Params p, Diagnostics diag) {
        return diag.sigmaMin(p.A, dact, act == Activation.IDENTITY);
    }

    @Override
    public double contraction(Params p, Diagnostics diag) {
        return act.lipschitz(eps) * diag.spectralNorm(p.A);
    }

    /** Fixed points of the last evaluation, n x m (read only). */
    public DMatrixRMaj fixedPoints() {
        return z;
    }

    /** act'(A z_i + W x_i + b) of the last evaluation, n x m (read only). */
    public DMatrixRMaj derivatives() {
        return dact;
    }

    /** Forgets the warm start (the next solve starts from zero). */
    public void resetWarmStart() {
        CommonOps_DDRM.fill(z, 0.0);
        CommonOps_DDRM.fill(nu, 0.0);
    }

    @Override
    public Evaluation evaluate(Params p, boolean needGradient) {
        int n = data.n();
        int m = p.width();
        // u = X W^T + 1 b^T (DataFactory.injection, in RowGemm)
        gemmWt.setRight(p.W, true);
        gemmWt.mult(data.x(), u);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                u.data[i * m + j] += p.b.data[j];
            }
        }
        if (!warmStart || !Finite.allFinite(z)) {
            CommonOps_DDRM.fill(z, 0.0);
        }
        SolveStats fs = forward.solve(p.A, act, eps, u, z);
        // pre = Z A^T + U at the returned iterate, and D = act'(pre)
        gemmAt.setRight(p.A, true);
        gemmAt.mult(z, pre);
        CommonOps_DDRM.addEquals(pre, u);
        act.derivativeAll(pre.data, dact.data, pre.data.length, eps);
        CommonOps_DDRM.mult(z, p.v, f);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double r = f.data[i] - data.y().data[i];
            loss += r * r;
            r2c.data[i] = 2.0 * c * r;
        }
        loss *= c;
        if (!needGradient || !Double.isFinite(loss)) {
            return new Evaluation(loss, fs, null, Double.NaN);
        }
        // g_i = 2 c r_i v
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                g.data[i * m + j] = r2c.data[i] * p.v.data[j];
            }
        }
        SolveStats bs = adjointSolve(p.A);
        for (int i = 0; i < mu.data.length; i++) {
            mu.data[i] = dact.data[i] * nu.data[i];
        }
        gradientsFromMu(p, grad);
        return new Evaluation(loss, fs, bs, norm(grad));
    }

    private SolveStats adjointSolve(DMatrixRMaj a) {
        switch (mode.kind()) {
            case EXACT:
                return adjoint.solve(a, 1.0, dact, g, nu);
            case DAMPED:
                return adjoint.solve(a, 0.5, dact, g, nu);
            case JFB:
                nu.setTo(g);
                return SolveStats.of(true, 0, 0.0);
            case NEUMANN: {
                // nu = sum_{j<k} (A^T D)^j g, in row form t <- (D o t) A
                nu.setTo(g);
                term.setTo(g);
                if (mode.terms() > 1) {
                    gemmA.setRight(a, false);
                }
                for (int j = 1; j < mode.terms(); j++) {
                    CommonOps_DDRM.elementMult(term, dact, tmp);
                    gemmA.mult(tmp, term);
                    CommonOps_DDRM.addEquals(nu, term);
                }
                return SolveStats.of(true, mode.terms() - 1, 0.0);
            }
            default:
                throw new AssertionError(mode);
        }
    }

    /** dA = Mu^T Z, dW = Mu^T X, db = colsum Mu, dv = Z^T (2 c r); frozen parts zero. */
    private void gradientsFromMu(Params p, Params out) {
        if (trainA || trainW) {
            CommonOps_DDRM.transpose(mu, muT);
        }
        if (trainA) {
            gemmZ.setRight(z, false);
            gemmZ.mult(muT, out.A);
        } else {
            CommonOps_DDRM.fill(out.A, 0.0);
        }
        if (trainW) {
            gemmX.mult(muT, out.W);
        } else {
            CommonOps_DDRM.fill(out.W, 0.0);
        }
        if (trainB) {
            CommonOps_DDRM.sumCols(mu, out.b);
            out.b.reshape(p.width(), 1);
        } else {
            CommonOps_DDRM.fill(out.b, 0.0);
        }
        if (trainV) {
            CommonOps_DDRM.multTransA(z, r2c, out.v);
        } else {
            CommonOps_DDRM.fill(out.v, 0.0);
        }
    }

    /**
     * The Gram matrix H_ij = &lt;grad_theta f(x_i), grad_theta f(x_j)&gt; over the trainable parameters, at the
     * fixed points and derivatives of the last evaluation (call {@link #evaluate} first), through the exact
     * adjoint: with (I - A^T D_i) nu_i = v and mu_i = D_i nu_i,
     * H = (M M^T) o (tA Z Z^T + tW X X^T + tb 1 1^T) + tv Z Z^T.
     *
     * @param out Output: n x n, null creates it
     * @return the adjoint solve's statistics (singular systems show there)
     */
    public SolveStats gram(Params p, DMatrixRMaj out) {
        int n = data.n();
        SolveStats bs = outputAdjoint(p);
        DMatrixRMaj mm = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(mu, mu, mm);
        DMatrixRMaj zz = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(z, z, zz);
        DMatrixRMaj inner = new DMatrixRMaj(n, n);
        if (trainA) {
            CommonOps_DDRM.addEquals(inner, zz);
        }
        if (trainW) {
            DMatrixRMaj xx = new DMatrixRMaj(n, n);
            CommonOps_DDRM.multTransB(data.x(), data.x(), xx);
            CommonOps_DDRM.addEquals(inner, xx);
        }
        if (trainB) {
            CommonOps_DDRM.add(inner, 1.0, inner);
        }
        out.reshape(n, n);
        CommonOps_DDRM.elementMult(mm, inner, out);
        if (trainV) {
            CommonOps_DDRM.addEquals(out, zz);
        }
        return bs;
    }

    /** mu_i = D_i nu_i with (I - A^T D_i) nu_i = v: the adjoint of f(x_i) itself (no residual weight). */
    private SolveStats outputAdjoint(Params p) {
        int n = data.n();
        int m = p.width();
        for (int i = 0; i < n; i++) {
            System.arraycopy(p.v.data, 0, g.data, i * m, m);
        }
        SolveStats bs = adjoint.solve(p.A, 1.0, dact, g, nu);
        for (int i = 0; i < mu.data.length; i++) {
            mu.data[i] = dact.data[i] * nu.data[i];
        }
        return bs;
    }

    /** Number of trainable scalars (the columns of {@link #jacobian}). */
    public int trainableCount(Params p) {
        int m = p.width();
        return (trainA ? m * m : 0) + (trainW ? m * p.dim() : 0) + (trainB ? m : 0) + (trainV ? m : 0);
    }

    /**
     * The Jacobian J (n x P) of the outputs f(x_i) with respect to the trainable parameters, rows
     * [vec(mu_i z_i^T), vec(mu_i x_i^T), mu_i, z_i] for the trainable blocks in that order, at the
     * fixed points of the last evaluation (call {@link #evaluate} first).
     *
     * @param out Output: n x P, null creates it
     */
    public SolveStats jacobian(Params p, DMatrixRMaj out) {
        int n = data.n();
        int m = p.width();
        int d = p.dim();
        out.reshape(n, trainableCount(p));
        SolveStats bs = outputAdjoint(p);
        int cols = out.numCols;
        for (int i = 0; i < n; i++) {
            int k = i * cols;
            if (trainA) {
                for (int r = 0; r < m; r++) {
                    double mr = mu.data[i * m + r];
                    for (int c2 = 0; c2 < m; c2++) {
                        out.data[k++] = mr * z.data[i * m + c2];
                    }
                }
            }
            if (trainW) {
                for (int r = 0; r < m; r++) {
                    double mr = mu.data[i * m + r];
                    for (int c2 = 0; c2 < d; c2++) {
                        out.data[k++] = mr * data.x().data[i * d + c2];
                    }
                }
            }
            if (trainB) {
                for (int r = 0; r < m; r++) {
                    out.data[k++] = mu.data[i * m + r];
                }
            }
            if (trainV) {
                for (int r = 0; r < m; r++) {
                    out.data[k++] = z.data[i * m + r];
                }
            }
        }
        return bs;
    }

    /** Frobenius norm of (A, W, b, v) together. */
    public static double norm(Params p) {
        double s = 0;
        for (DMatrixRMaj mtx : new DMatrixRMaj[] {p.A, p.W, p.b, p.v}) {
            for (int i = 0; i < mtx.data.length; i++) {
                s += mtx.data[i] * mtx.data[i];
            }
        }
        return Math.sqrt(s);
    }
}
