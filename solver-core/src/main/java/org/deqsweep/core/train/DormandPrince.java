package org.deqsweep.core.train;

/**
 * One adaptive step at a time of the Dormand-Prince 5(4) pair (DESIGN 3) for y' = f(y): seven stages, the
 * 5th-order solution, the embedded 4th-order error estimate, and the step-size control. The last stage is
 * evaluated at the new point (first same as last), so an accepted step's final slope is the next step's
 * first. The caller owns time, the horizon and what to do when the step underflows.
 */
final class DormandPrince {
    /** Fraction of the optimal step actually taken: the usual safety factor. */
    static final double SAFETY = 0.9;
    /** The step never shrinks by more than this factor after one error estimate... */
    static final double MIN_FACTOR = 0.2;
    /** ...and never grows by more than this one. */
    static final double MAX_FACTOR = 5.0;
    /** Step control exponent -1/(q + 1) for the error estimate's order q = 4. */
    static final double ERROR_EXPONENT = -0.2;
    /** The factor a step shrinks by when a stage could not be evaluated (non-finite loss, failed solve). */
    static final double FAILED_STAGE_FACTOR = 0.25;
    /** A step below this times max(1, t) cannot make progress in double precision. */
    static final double UNDERFLOW = 1e-14;

    /** Butcher tableau: stage coefficients; the last row is also the 5th-order weights. */
    private static final double[][] A = {
        {},
        {1.0 / 5},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
    };
    /** 5th-order weights minus 4th-order weights: the embedded error estimate. */
    private static final double[] E = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};
    private static final int STAGES = 7;

    /** The right-hand side f. */
    interface Field {
        /**
         * @param y Input: the point
         * @param out Output: f(y), written only when it could be evaluated
         * @return false when f cannot be evaluated at y (the step is then rejected)
         */
        boolean slope(double[] y, double[] out);
    }

    private final Field f;
    private final double rtol;
    private final double atol;
    private final double[] y;
    private final double[] yNew;
    private final double[] stage;
    private final double[][] k;
    private boolean stagesOk;

    /** Starts at y0 (copied into the state) and evaluates the first slope there. */
    DormandPrince(double[] y0, double rtol, double atol, Field f) {
        int dim = y0.length;
        this.f = f;
        this.rtol = rtol;
        this.atol = atol;
        this.y = y0.clone();
        this.yNew = new double[dim];
        this.stage = new double[dim];
        this.k = new double[STAGES][dim];
        f.slope(y, k[0]);
    }

    /** The current (last accepted) point; the caller must not change it. */
    double[] state() {
        return y;
    }

    /**
     * Tries a step of size h from the current point: evaluates the six new stages and returns the
     * scaled RMS error estimate (at most 1 means acceptable), or +infinity when a stage failed.
     */
    double attempt(double h) {
        int dim = y.length;
        stagesOk = true;
        for (int s = 1; s < STAGES && stagesOk; s++) {
            for (int j = 0; j < dim; j++) {
                double acc = 0;
                for (int r = 0; r < s; r++) {
                    acc += A[s][r] * k[r][j];
                }
                stage[j] = y[j] + h * acc;
            }
            stagesOk = f.slope(stage, k[s]);
        }
        if (!stagesOk) {
            return Double.POSITIVE_INFINITY;
        }
        System.arraycopy(stage, 0, yNew, 0, dim);
        double sum = 0;
        for (int j = 0; j < dim; j++) {
            double e = 0;
            for (int s = 0; s < STAGES; s++) {
                e += E[s] * k[s][j];
            }
            e *= h;
            double sc = atol + rtol * Math.max(Math.abs(y[j]), Math.abs(yNew[j]));
            sum += (e / sc) * (e / sc);
        }
        return Math.sqrt(sum / dim);
    }

    /** Takes the attempted step: the new point becomes current, its slope (the last stage) the first. */
    void accept() {
        System.arraycopy(yNew, 0, y, 0, y.length);
        System.arraycopy(k[STAGES - 1], 0, k[0], 0, y.length);
    }

    /** The factor the next step may grow or shrink by after an accepted step with error err. */
    static double acceptedFactor(double err) {
        return err == 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, SAFETY * Math.pow(err, ERROR_EXPONENT)));
    }

    /** The step to retry with after the attempt of size h with error err was rejected. */
    double retryStep(double h, double err) {
        return h * (stagesOk ? Math.max(MIN_FACTOR, SAFETY * Math.pow(err, ERROR_EXPONENT)) : FAILED_STAGE_FACTOR);
    }
}
