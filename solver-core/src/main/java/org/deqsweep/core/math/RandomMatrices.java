package org.deqsweep.core.math;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Random draws shared by the data, the teachers and the initial parameters (DESIGN 2.5): every one is a
 * pure function of the generator it is given, so equal seeds give equal bits wherever a run is.
 */
public final class RandomMatrices {
    private RandomMatrices() {
    }

    /** A standard normal draw (Box-Muller, one value per call; deterministic given the generator). */
    public static double normal(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    public static void fillGaussian(DMatrixRMaj a, double std, SplittableRandom r) {
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = std * normal(r);
        }
    }

    /** A Haar-ish random orthogonal matrix: Q of the QR of a Gaussian matrix, columns sign-fixed by diag(R). */
    public static void orthogonal(DMatrixRMaj out, SplittableRandom r) {
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

    public static void scaleToSpectralNorm(DMatrixRMaj a, double target) {
        double norm = NormOps_DDRM.normP2(a);
        if (norm > 0) {
            CommonOps_DDRM.scale(target / norm, a);
        }
    }
}
