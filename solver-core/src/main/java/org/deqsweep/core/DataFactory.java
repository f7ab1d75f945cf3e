package org.deqsweep.core;

import java.util.SplittableRandom;
import org.deqsweep.core.solve.ForwardSolver;
import org.deqsweep.core.solve.ForwardSolvers;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Data, teachers and initial parameters of one run (DESIGN 2.5). Each consumer (data, teacher, init,
 * label noise) draws from its own SplittableRandom, seeded by {@link RunConfig#streamSeed} from the
 * seed and only the keys it depends on, so the same config gives the same bits wherever it runs, and
 * runs differing only in how they train share their data and initial parameters.
 */
public final class DataFactory {
    private final RunConfig cfg;
    private final SplittableRandom dataRng;
    private final SplittableRandom teacherRng;
    private final SplittableRandom initRng;
    private final SplittableRandom noiseRng;

    public DataFactory(RunConfig cfg) {
        this.cfg = cfg;
        this.dataRng = new SplittableRandom(cfg.streamSeed("data", RunConfig.DATA_KEYS));
        this.teacherRng = new SplittableRandom(cfg.streamSeed("teacher", RunConfig.TEACHER_KEYS));
        this.initRng = new SplittableRandom(cfg.streamSeed("init", RunConfig.INIT_KEYS));
        this.noiseRng = new SplittableRandom(cfg.streamSeed("noise", RunConfig.TEACHER_KEYS));
    }

    /** A standard normal draw (Box-Muller, one value per call; deterministic given the generator). */
    public static double normal(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Inputs x ~ N(0, I_d) or U[0,1]^d, then targets from the teacher plus label noise. */
    public Dataset dataset() {
        int n = cfg.n();
        int d = cfg.d();
        String kind = cfg.str("data");
        if (kind.equals("idx")) {
            return IdxReader.read(java.nio.file.Path.of(cfg.str("idx_images")), java.nio.file.Path.of(cfg.str("idx_labels")),
                    n, d, cfg.integer("outputs"));
        }
        if (kind.equals("mixture")) {
            return mixture(n, d, cfg.integer("outputs"));
        }
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        boolean uniform = kind.equals("uniform");
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = uniform ? dataRng.nextDouble() : normal(dataRng);
        }
        DMatrixRMaj y = teacher(x);
        double noise = cfg.real("noise");
        if (noise > 0) {
            for (int i = 0; i < n; i++) {
                y.data[i] += noise * normal(noiseRng);
            }
        }
        return new Dataset(x, y);
    }

    /** k classes with means class_sep * u_c (u_c random unit vectors), labels uniform, x = mean + N(0, I_d). */
    private Dataset mixture(int n, int d, int k) {
        double sep = cfg.real("class_sep");
        double[][] means = new double[k][d];
        for (int c = 0; c < k; c++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                means[c][j] = normal(teacherRng);
                norm += means[c][j] * means[c][j];
            }
            for (int j = 0; j < d; j++) {
                means[c][j] *= sep / Math.sqrt(norm);
            }
        }
        int[] labels = new int[n];
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        for (int i = 0; i < n; i++) {
            labels[i] = dataRng.nextInt(k);
            for (int j = 0; j < d; j++) {
                x.data[i * d + j] = means[labels[i]][j] + normal(dataRng);
            }
        }
        return new Dataset(x, Dataset.oneHot(labels, k), labels);
    }

    private DMatrixRMaj teacher(DMatrixRMaj x) {
        int n = x.numRows;
        int d = x.numCols;
        DMatrixRMaj y = new DMatrixRMaj(n, 1);
        String kind = cfg.str("teacher");
        if (kind.equals("deq")) {
            return deqTeacher(x);
        }
        double[] theta = new double[d];
        if (d == 1) {
            theta[0] = cfg.real("teacher_norm");
        } else {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                theta[j] = normal(teacherRng);
                norm += theta[j] * theta[j];
            }
            double s = cfg.real("teacher_norm") / Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                theta[j] *= s;
            }
        }
        String link = kind.equals("linear") ? "identity" : cfg.str("link");
        if (link.equals("same")) {
            link = cfg.str("activation");
        }
        for (int i = 0; i < n; i++) {
            double t = 0;
            for (int j = 0; j < d; j++) {
                t += x.data[i * d + j] * theta[j];
            }
            y.data[i] = link(link, t);
        }
        return y;
    }

    private double link(String link, double t) {
        switch (link) {
            case "identity": return t;
            case "cubic": return t * t * t;
            case "hermite2": return (t * t - 1.0) / Math.sqrt(2.0);
            case "hermite3": return (t * t * t - 3.0 * t) / Math.sqrt(6.0);
            default: return Activation.of(link).apply(t, cfg.activationEps());
        }
    }

    /** A random DEQ of the run's family and width, contractive (Lip(act) |A|_2 = 0.5), so the problem is realisable. */
    private DMatrixRMaj deqTeacher(DMatrixRMaj x) {
        int m = cfg.width();
        int d = cfg.d();
        Activation act = cfg.activation();
        double eps = cfg.activationEps();
        Params t = new Params(m, d);
        if (!cfg.family().equals("explicit")) {
            fillGaussian(t.A, 1.0, teacherRng);
            scaleToSpectralNorm(t.A, 0.5 / act.lipschitz(eps));
        }
        fillGaussian(t.W, cfg.real("teacher_norm") / Math.sqrt(d), teacherRng);
        if (cfg.flag("bias")) {
            fillGaussian(t.b, 0.1, teacherRng);
        }
        if (cfg.flag("train_v")) {
            fillGaussian(t.v, 1.0 / Math.sqrt(m), teacherRng);
        } else {
            CommonOps_DDRM.fill(t.v, 1.0 / Math.sqrt(m));
        }
        DMatrixRMaj u = injection(t, x, null);
        DMatrixRMaj z = new DMatrixRMaj(x.numRows, m);
        RunConfig tight = cfg.with(java.util.Map.of("forward_tol", 1e-13, "forward_max_iter", 5000,
                "forward_solver", act == Activation.IDENTITY ? "direct" : "picard", "forward_damping", 1.0));
        ForwardSolver solver = ForwardSolvers.fromConfig(tight);
        SolveStats st = solver.solve(t.A, act, eps, u, z);
        if (!st.converged()) {
            throw new IllegalStateException("the deq teacher's fixed point did not converge (residual " + st.residual() + ")");
        }
        DMatrixRMaj y = new DMatrixRMaj(x.numRows, 1);
        CommonOps_DDRM.mult(z, t.v, y);
        return y;
    }

    /** U = X W^T + 1 b^T (n x m). Output last, null creates it (EJML convention). */
    public static DMatrixRMaj injection(Params p, DMatrixRMaj x, DMatrixRMaj u) {
        if (u == null) {
            u = new DMatrixRMaj(x.numRows, p.width());
        } else {
            u.reshape(x.numRows, p.width());
        }
        CommonOps_DDRM.multTransB(x, p.W, u);
        int m = p.width();
        for (int i = 0; i < x.numRows; i++) {
            for (int j = 0; j < m; j++) {
                u.data[i * m + j] += p.b.data[j];
            }
        }
        return u;
    }

    /**
     * Initial parameters (DESIGN 2.5): W_ij ~ w_center + init_scale N(0, 1) / sqrt(d); A by the init
     * scheme (gaussian entries a_scale N(0, 1) / sqrt(m); orthogonal a_norm Q; zero; spectral: gaussian
     * scaled to |A|_2 = a_norm) plus a_center I; b = 0; v ~ init_scale N(0, 1) / sqrt(m) when trained,
     * else 1 / sqrt(m) (v = 1 for the scalar families).
     */
    public Params initialParams() {
        int m = cfg.width();
        int d = cfg.d();
        if (cfg.family().equals("implicit_layer")) {
            return implicitLayerParams(m, cfg.integer("outputs"));
        }
        Params p = new Params(m, d);
        double initScale = cfg.real("init_scale");
        // He-style factor for the over-parameterized DEQ: U_ij ~ N(0, 2/d), A_ij ~ N(0, 2 s^2 / m) (DESIGN 2.4)
        double he = cfg.family().equals("overparam_deq") ? Math.sqrt(2.0) : 1.0;
        fillGaussian(p.W, he * initScale / Math.sqrt(d), initRng);
        double wc = cfg.real("w_center");
        for (int i = 0; i < p.W.data.length; i++) {
            p.W.data[i] += wc;
        }
        switch (cfg.str("init")) {
            case "gaussian":
                fillGaussian(p.A, he * cfg.real("a_scale") / Math.sqrt(m), initRng);
                break;
            case "orthogonal":
                orthogonal(p.A, initRng);
                CommonOps_DDRM.scale(cfg.real("a_norm"), p.A);
                break;
            case "spectral":
                fillGaussian(p.A, 1.0, initRng);
                scaleToSpectralNorm(p.A, cfg.real("a_norm"));
                break;
            case "zero":
                break;
            default:
                throw new AssertionError(cfg.str("init"));
        }
        double ac = cfg.real("a_center");
        for (int i = 0; i < m; i++) {
            p.A.data[i * m + i] += ac;
        }
        if (cfg.flag("train_v")) {
            fillGaussian(p.v, initScale / Math.sqrt(m), initRng);
        } else {
            CommonOps_DDRM.fill(p.v, 1.0 / Math.sqrt(m));
        }
        return p;
    }

    /** Implicit layer (DESIGN 2.4): A_ij ~ N(0, a_scale^2 / m) under the init scheme, B (kept in W) ~ init_scale N(0, 1/m). */
    private Params implicitLayerParams(int m, int k) {
        DMatrixRMaj a = new DMatrixRMaj(m, m);
        switch (cfg.str("init")) {
            case "gaussian": fillGaussian(a, cfg.real("a_scale") / Math.sqrt(m), initRng); break;
            case "orthogonal": orthogonal(a, initRng); CommonOps_DDRM.scale(cfg.real("a_norm"), a); break;
            case "spectral": fillGaussian(a, 1.0, initRng); scaleToSpectralNorm(a, cfg.real("a_norm")); break;
            default: break;
        }
        DMatrixRMaj b = new DMatrixRMaj(k, m);
        fillGaussian(b, cfg.real("init_scale") / Math.sqrt(m), initRng);
        return Params.blocks(a, b, new DMatrixRMaj(0, 1), new DMatrixRMaj(0, 1));
    }

    /**
     * The implicit layer's fixed feature map phi(x) = R x: R (m x d) with N(0, 1/d) entries from its own
     * stream, or null for the identity (width = d).
     */
    public DMatrixRMaj featureMap() {
        if (cfg.str("feature_map").equals("identity")) {
            return null;
        }
        SplittableRandom r = new SplittableRandom(cfg.streamSeed("features", RunConfig.INIT_KEYS));
        DMatrixRMaj proj = new DMatrixRMaj(cfg.width(), cfg.d());
        fillGaussian(proj, 1.0 / Math.sqrt(cfg.d()), r);
        return proj;
    }

    static void fillGaussian(DMatrixRMaj a, double std, SplittableRandom r) {
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = std * normal(r);
        }
    }

    /** A Haar-ish random orthogonal matrix: Q of the QR of a Gaussian matrix, columns sign-fixed by diag(R). */
    static void orthogonal(DMatrixRMaj out, SplittableRandom r) {
        int m = out.numRows;
        DMatrixRMaj g = new DMatrixRMaj(m, m);
        fillGaussian(g, 1.0, r);
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, m);
        qr.decompose(g);
        DMatrixRMaj q = qr.getQ(null, false);
        DMatrixRMaj rr = qr.getR(null, false);
        for (int j = 0; j < m; j++) {
            double s = Math.signum(rr.get(j, j));
            if (s == 0) {
                s = 1;
            }
            for (int i = 0; i < m; i++) {
                out.set(i, j, q.get(i, j) * s);
            }
        }
    }

    static void scaleToSpectralNorm(DMatrixRMaj a, double target) {
        double norm = NormOps_DDRM.normP2(a);
        if (norm > 0) {
            CommonOps_DDRM.scale(target / norm, a);
        }
    }
}
