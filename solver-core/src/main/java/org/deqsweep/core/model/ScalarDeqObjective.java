package org.deqsweep.core.model;

import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.deqsweep.core.solve.ScalarSolvers;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The DEQ of width 1 (DESIGN 2.2, 2.3): the seed papers' linear, single-index and explicit models, and
 * general_deq at m = 1, in primitive arrays. Per sample, with a = A, w = W, b, v scalars:
 * <pre>
 *   z_i = act(a z_i + w . x_i + b),   f_i = v z_i,   L = c sum_i (f_i - y_i)^2
 *   nu_i = g_i / (1 - s a D_i)   (exact s = 1, damped s = 1/2; jfb nu = g; neumann-k the first k terms)
 *   mu_i = D_i nu_i;  dL/da = sum mu_i z_i,  dL/dw = sum mu_i x_i,  dL/db = sum mu_i,  dL/dv = sum 2c r_i z_i
 * </pre>
 * The forward solve is the closed form for the identity and the safeguarded Newton iteration otherwise,
 * each warm-started as in {@link DeqObjective}; statuses, tolerances and the forward-residual rule are
 * those of the general path ({@link ScalarSolvers}). {@link Objectives} picks this objective. Buffers are
 * sized once; {@link #evaluate} allocates only its result record.
 */
public final class ScalarDeqObjective implements GramObjective {
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
    private final boolean direct;
    private final double forwardTol;
    private final int forwardMaxIter;
    private final double backwardTol;
    private final ScalarSolvers solvers = new ScalarSolvers();
    private final int n;
    private final int d;
    private final double[] x;
    private final double[] y;
    private final double[] u;
    private final double[] z;
    private final double[] dact;
    private final double[] r2c;
    private final double[] g;
    private final double[] nu;
    private final double[] mu;
    /** dact as an n x 1 matrix, for the diagnostics (shares the array). */
    private final DMatrixRMaj dactMatrix;
    /** The gradient of the last evaluation with needGradient (frozen parts zero). */
    private final Params grad;

    /**
     * @throws IllegalArgumentException when the config is not one this path solves ({@link Objectives#scalar})
     *     or the data do not match it
     */
    public ScalarDeqObjective(RunConfig cfg, Dataset data) {
        if (!Objectives.scalar(cfg)) {
            throw new IllegalArgumentException("the scalar path solves width 1 with forward_solver auto, direct or newton and "
                    + "backward_solver auto or direct; got " + cfg.canonicalJson());
        }
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
        this.direct = act == Activation.IDENTITY && !cfg.forward().solver().equals("newton");
        this.forwardTol = cfg.forward().tol();
        this.forwardMaxIter = cfg.forward().maxIter();
        this.backwardTol = cfg.backward().tol();
        this.n = data.n();
        this.d = data.d();
        if (data.y().numCols != 1) {
            throw new IllegalArgumentException("the DEQ has one output but y has " + data.y().numCols + " columns");
        }
        if (d != cfg.d()) {
            throw new IllegalArgumentException("data has d = " + d + " but the config has d = " + cfg.d());
        }
        this.x = data.x().data;
        this.y = data.y().data;
        this.u = new double[n];
        this.z = new double[n];
        this.dact = new double[n];
        this.r2c = new double[n];
        this.g = new double[n];
        this.nu = new double[n];
        this.mu = new double[n];
        this.dactMatrix = DMatrixRMaj.wrap(n, 1, dact);
        this.grad = new Params(1, d);
    }

    @Override
    public Evaluation evaluate(Params p, boolean needGradient) {
        double a = p.A.data[0];
        double b = p.b.data[0];
        double v = p.v.data[0];
        double[] w = p.W.data;
        // one pass: the injection, and whether the warm start is finite
        boolean zFinite = true;
        for (int i = 0; i < n; i++) {
            u[i] = dot(x, i * d, 1, w, d) + b;
            zFinite &= Double.isFinite(z[i]);
        }
        if (!warmStart || !zFinite) {
            java.util.Arrays.fill(z, 0.0);
        }
        SolveStats fs = direct ? solvers.direct(a, u, z, forwardTol) : solvers.newton(a, act, eps, u, z, forwardTol, forwardMaxIter);
        double loss = 0;
        // tanh and sigmoid take act' from the solve's last act(z a + u) when it is at this z: the same bits, one exp less
        double[] fz = direct ? null : solvers.forwardMapAtSolution();
        for (int i = 0; i < n; i++) {
            double pre = z[i] * a + u[i];
            dact[i] = fz == null ? act.derivative(pre, eps) : act.derivative(pre, fz[i], eps);
            double r = z[i] * v - y[i];
            loss += r * r;
            double rc = 2.0 * c * r;
            r2c[i] = rc;
            g[i] = rc * v; // the adjoint's right-hand side, used only when the gradient is
        }
        loss *= c;
        if (!needGradient || !Double.isFinite(loss)) {
            return new Evaluation(loss, fs, null, Double.NaN);
        }
        SolveStats bs = adjoint(a);
        // one pass: mu = D nu and the gradient's sums, each in the order of DeqObjective's GEMMs (RowGemm's
        // four-term groups) and EJML's sumCols and multTransA, so the two paths agree to the last bit
        // where their solves do; dL/dW in this pass when d = 1, else by columns after it
        double ga = 0;
        double gw0 = 0;
        double gb = 0;
        double gv = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double m0 = dact[i] * nu[i];
            double m1 = dact[i + 1] * nu[i + 1];
            double m2 = dact[i + 2] * nu[i + 2];
            double m3 = dact[i + 3] * nu[i + 3];
            mu[i] = m0;
            mu[i + 1] = m1;
            mu[i + 2] = m2;
            mu[i + 3] = m3;
            ga += m0 * z[i] + m1 * z[i + 1] + m2 * z[i + 2] + m3 * z[i + 3];
            if (d == 1) {
                gw0 += m0 * x[i] + m1 * x[i + 1] + m2 * x[i + 2] + m3 * x[i + 3];
            }
            gb += m0;
            gb += m1;
            gb += m2;
            gb += m3;
            gv += z[i] * r2c[i];
            gv += z[i + 1] * r2c[i + 1];
            gv += z[i + 2] * r2c[i + 2];
            gv += z[i + 3] * r2c[i + 3];
        }
        for (; i < n; i++) {
            double m = dact[i] * nu[i];
            mu[i] = m;
            ga += m * z[i];
            if (d == 1) {
                gw0 += m * x[i];
            }
            gb += m;
            gv += z[i] * r2c[i];
        }
        grad.A.data[0] = trainA ? ga : 0.0;
        double[] gw = grad.W.data;
        for (int j = 0; j < d; j++) {
            gw[j] = !trainW ? 0.0 : d == 1 ? gw0 : dot(mu, 0, 1, x, j, d, n);
        }
        grad.b.data[0] = trainB ? gb : 0.0;
        grad.v.data[0] = trainV ? gv : 0.0;
        return new Evaluation(loss, fs, bs, DeqObjective.norm(grad));
    }

    /** sum_p b[boff + p * bstride] r[p] over p < k, in RowGemm's order: groups of four, then the rest. */
    private static double dot(double[] b, int boff, int bstride, double[] r, int k) {
        return dot(b, boff, bstride, r, 0, 1, k);
    }

    /** sum_p b[boff + p bstride] r[roff + p rstride] over p &lt; k, in RowGemm's order. */
    private static double dot(double[] b, int boff, int bstride, double[] r, int roff, int rstride, int k) {
        double acc = 0;
        int p = 0;
        for (; p + 3 < k; p += 4) {
            acc += b[boff + p * bstride] * r[roff + p * rstride] + b[boff + (p + 1) * bstride] * r[roff + (p + 1) * rstride]
                    + b[boff + (p + 2) * bstride] * r[roff + (p + 2) * rstride]
                    + b[boff + (p + 3) * bstride] * r[roff + (p + 3) * rstride];
        }
        for (; p < k; p++) {
            acc += b[boff + p * bstride] * r[roff + p * rstride];
        }
        return acc;
    }

    private SolveStats adjoint(double a) {
        switch (mode.kind()) {
            case EXACT:
                return solvers.adjoint(a, 1.0, dact, g, nu, backwardTol);
            case DAMPED:
                return solvers.adjoint(a, 0.5, dact, g, nu, backwardTol);
            case JFB:
                System.arraycopy(g, 0, nu, 0, n);
                return SolveStats.of(true, 0, 0.0);
            case NEUMANN: {
                // nu = sum_{j<k} (a D)^j g, in the order of DeqObjective's t <- (D o t) A
                for (int i = 0; i < n; i++) {
                    double term = g[i];
                    double sum = term;
                    for (int j = 1; j < mode.terms(); j++) {
                        term = term * dact[i] * a;
                        sum += term;
                    }
                    nu[i] = sum;
                }
                return SolveStats.of(true, mode.terms() - 1, 0.0);
            }
            default:
                throw new AssertionError(mode);
        }
    }

    @Override
    public Params gradient() {
        return grad;
    }

    @Override
    public Dataset data() {
        return data;
    }

    @Override
    public double sigmaMin(Params p, Diagnostics diag) {
        return diag.sigmaMin(p.A, dactMatrix, act == Activation.IDENTITY);
    }

    @Override
    public double contraction(Params p, Diagnostics diag) {
        return act.lipschitz(eps) * diag.spectralNorm(p.A);
    }

    @Override
    public int trainableCount(Params p) {
        return (trainA ? 1 : 0) + (trainW ? d : 0) + (trainB ? 1 : 0) + (trainV ? 1 : 0);
    }

    /** Rows [mu_i z_i, mu_i x_i, mu_i, z_i] for the trainable blocks, with (1 - a D_i) nu_i = v. */
    @Override
    public SolveStats jacobian(Params p, DMatrixRMaj out) {
        int cols = trainableCount(p);
        out.reshape(n, cols);
        java.util.Arrays.fill(g, p.v.data[0]);
        SolveStats bs = solvers.adjoint(p.A.data[0], 1.0, dact, g, nu, backwardTol);
        for (int i = 0; i < n; i++) {
            double m = dact[i] * nu[i];
            int k = i * cols;
            if (trainA) {
                out.data[k++] = m * z[i];
            }
            if (trainW) {
                for (int j = 0; j < d; j++) {
                    out.data[k++] = m * x[i * d + j];
                }
            }
            if (trainB) {
                out.data[k++] = m;
            }
            if (trainV) {
                out.data[k++] = z[i];
            }
        }
        return bs;
    }

    @Override
    public SolveStats gram(Params p, DMatrixRMaj out) {
        DMatrixRMaj j = new DMatrixRMaj(n, trainableCount(p));
        SolveStats bs = jacobian(p, j);
        out.reshape(n, n);
        CommonOps_DDRM.multTransB(j, j, out);
        return bs;
    }
}
