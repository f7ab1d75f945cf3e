package org.deqsweep.core.math;

import org.ejml.data.DMatrixRMaj;

/** The finiteness check every solver, objective and diagnostic makes before trusting a matrix. */
public final class Finite {
    private Finite() {
    }

    /** True when every entry of {@code x} (its numRows x numCols elements) is finite: no NaN, no infinity. */
    public static boolean allFinite(DMatrixRMaj x) {
        int len = x.getNumElements();
        double[] d = x.data;
        for (int k = 0; k < len; k++) {
            if (!Double.isFinite(d[k])) {
                return false;
            }
        }
        return true;
    }

    /** True when every entry of {@code x} is finite. */
    public static boolean allFinite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
