package org.deqsweep.core.data;

import static org.deqsweep.core.math.RandomMatrices.fillGaussian;
import static org.deqsweep.core.math.RandomMatrices.normal;
import static org.deqsweep.core.math.RandomMatrices.scaleToSpectralNorm;

import java.util.SplittableRandom;
import org.deqsweep.core.config.Family;
import org.deqsweep.core.config.ForwardOptions;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.math.Activation;
import org.deqsweep.core.solve.ForwardSolver;
import org.deqsweep.core.solve.ForwardSolvers;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Data and teachers of one run (DESIGN 2.5); the initial parameters are {@code model.Init}. Each consumer (data, teacher, init,
 * label noise) draws from its own SplittableRandom, seeded by {@link RunConfig#streamSeed} from the
 * seed and only the keys it depends on, so the same config gives the same bits wherever it runs, and
 * runs differing only in how they train share their data and initial parameters.
 */
public final class DataFactory {
    private final RunConfig cfg;
    private final SplittableRandom dataRng;
    private final SplittableRandom teacherRng;
    private final SplittableRandom noiseRng;

    public DataFactory(RunConfig cfg) {
        this.cfg = cfg;
        this.dataRng = new SplittableRandom(cfg.streamSeed("data", RunConfig.DATA_KEYS));
        this.teacherRng = new SplittableRandom(cfg.streamSeed("teacher", RunConfig.TEACHER_KEYS));
        this.noiseRng = new SplittableRandom(cfg.streamSeed("noise", RunConfig.TEACHER_KEYS));
    }

    /** Inputs x ~ N(0, I_d) or U[0,1]^d, then targets from the teacher plus label noise. */
    public Dataset dataset() {
        int n = cfg.n();
        int d = cfg.d();
        String kind = cfg.data().kind();
        if (kind.equals("idx")) {
            return IdxReader.read(java.nio.file.Path.of(cfg.data().idxImages()), java.nio.file.Path.of(cfg.data().idxLabels()),
                    n, d, cfg.model().outputs());
        }
        if (kind.equals("mixture")) {
            return mixture(n, d, cfg.model().outputs());
        }
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        boolean uniform = kind.equals("uniform");
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = uniform ? dataRng.nextDouble() : normal(dataRng);
        }
        DMatrixRMaj y = teacher(x);
        double noise = cfg.data().noise();
        if (noise > 0) {
            for (int i = 0; i < n; i++) {
                y.data[i] += noise * normal(noiseRng);
            }
        }
        return new Dataset(x, y);
    }

    /** k classes with means class_sep * u_c (u_c random unit vectors), labels uniform, x = mean + N(0, I_d). */
    private Dataset mixture(int n, int d, int k) {
        double sep = cfg.data().classSep();
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
        String kind = cfg.data().teacher();
        if (kind.equals("deq")) {
            return deqTeacher(x);
        }
        double[] theta = new double[d];
        if (d == 1) {
            theta[0] = cfg.data().teacherNorm();
        } else {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                theta[j] = normal(teacherRng);
                norm += theta[j] * theta[j];
            }
            double s = cfg.data().teacherNorm() / Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                theta[j] *= s;
            }
        }
        String link = kind.equals("linear") ? "identity" : cfg.data().link();
        if (link.equals("same")) {
            link = cfg.model().activation().key();
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
            default: return Activation.of(link).apply(t, cfg.model().activationEps());
        }
    }

    /** A random DEQ of the run's family and width, contractive (Lip(act) |A|_2 = 0.5), so the problem is realisable. */
    private DMatrixRMaj deqTeacher(DMatrixRMaj x) {
        int m = cfg.width();
        int d = cfg.d();
        Activation act = cfg.model().activation();
        double eps = cfg.model().activationEps();
        DMatrixRMaj a = new DMatrixRMaj(m, m);
        DMatrixRMaj w = new DMatrixRMaj(m, d);
        DMatrixRMaj b = new DMatrixRMaj(m, 1);
        DMatrixRMaj v = new DMatrixRMaj(m, 1);
        if (cfg.family() != Family.EXPLICIT) {
            fillGaussian(a, 1.0, teacherRng);
            scaleToSpectralNorm(a, 0.5 / act.lipschitz(eps));
        }
        fillGaussian(w, cfg.data().teacherNorm() / Math.sqrt(d), teacherRng);
        if (cfg.model().bias()) {
            fillGaussian(b, 0.1, teacherRng);
        }
        if (cfg.model().trainV()) {
            fillGaussian(v, 1.0 / Math.sqrt(m), teacherRng);
        } else {
            CommonOps_DDRM.fill(v, 1.0 / Math.sqrt(m));
        }
        // u = X W^T + 1 b^T (n x m)
        DMatrixRMaj u = new DMatrixRMaj(x.numRows, m);
        CommonOps_DDRM.multTransB(x, w, u);
        for (int i = 0; i < x.numRows; i++) {
            for (int j = 0; j < m; j++) {
                u.data[i * m + j] += b.data[j];
            }
        }
        DMatrixRMaj z = new DMatrixRMaj(x.numRows, m);
        // solved tightly, whatever the run's own forward options: the targets are exact to 1e-13
        ForwardOptions tight = new ForwardOptions(act == Activation.IDENTITY ? "direct" : "picard", 1e-13, 5000, 1.0, false);
        ForwardSolver solver = ForwardSolvers.create(tight, cfg.anderson(), act);
        SolveStats st = solver.solve(a, act, eps, u, z);
        if (!st.converged()) {
            throw new IllegalStateException("the deq teacher's fixed point did not converge (residual " + st.residual() + ")");
        }
        DMatrixRMaj y = new DMatrixRMaj(x.numRows, 1);
        CommonOps_DDRM.mult(z, v, y);
        return y;
    }

}
