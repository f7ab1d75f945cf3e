package org.deqsweep.core;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Shared test helpers: a seeded generator and named tolerances (in the manner of EJML's
 * EjmlStandardJUnit and UtilEjml.TEST_F64).
 */
public abstract class TestSupport {
    /** Round-off level for exact identities of a few hundred flops. */
    public static final double TEST_F64 = 1e-12;
    /** Relative agreement required between an implicit gradient and central finite differences. */
    public static final double FD_REL = 1e-6;

    protected final SplittableRandom rand = new SplittableRandom(0xDEC0DEL);

    /** A rows x cols matrix with N(0, scale^2) entries from the test's generator. */
    protected DMatrixRMaj gaussian(int rows, int cols, double scale) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = scale * normal(rand);
        }
        return m;
    }

    public static double normal(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
