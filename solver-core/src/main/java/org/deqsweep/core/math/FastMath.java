package org.deqsweep.core.math;

/**
 * Elementary functions the activations call once per element per solver iteration, where JDK 17's
 * {@code Math.tanh} (a JNI call into fdlibm's {@code StrictMath.tanh}, not a JIT intrinsic) was a third
 * of a training step at width 8 (JFR native-method samples).
 */
public final class FastMath {
    /** Below this |x|, tanh(x) rounds to x (x^2 / 3 is under half an ulp). */
    private static final double TINY = 0x1p-27;
    /** The rational branch's upper end (Cephes). */
    private static final double RATIONAL_MAX = 0.625;
    /** Above this |x|, tanh(x) rounds to +-1 (as in fdlibm). */
    private static final double SATURATE = 22.0;

    // Cephes tanh.c (S. L. Moshier): tanh(x) = x + x^3 P(x^2) / Q(x^2) for |x| < 0.625, Q monic
    private static final double P0 = -9.64399179425052238628e-1;
    private static final double P1 = -9.92877231001918586564e1;
    private static final double P2 = -1.61468768441708447952e3;
    private static final double Q0 = 1.12811678491632931402e2;
    private static final double Q1 = 2.23548839060100448583e3;
    private static final double Q2 = 4.84406305325125486048e3;

    private FastMath() {
    }

    /**
     * Hyperbolic tangent within a few ulp of {@link StrictMath#tanh} (bound checked on a dense grid by
     * FastMathTest), odd to the bit, with tanh(+-0) = +-0, tanh(+-Inf) = +-1, tanh(NaN) = NaN.
     * Pure Java on {@link Math#exp}, which HotSpot intrinsifies: a rational function below 0.625, where
     * 1 - 2 / (e^{2|x|} + 1) would cancel, and that formula up to 22.
     */
    public static double tanh(double x) {
        double z = Math.abs(x);
        if (z < RATIONAL_MAX) {
            if (z < TINY) {
                return x; // also +-0 and subnormals, sign kept
            }
            double s = x * x;
            double p = ((P0 * s + P1) * s + P2) * s;
            double q = ((s + Q0) * s + Q1) * s + Q2;
            return x + x * (p / q);
        }
        double r;
        if (z < SATURATE) {
            r = 1.0 - 2.0 / (Math.exp(2.0 * z) + 1.0);
        } else if (z >= SATURATE) {
            r = 1.0; // also +-Inf
        } else {
            return x; // NaN
        }
        return Math.copySign(r, x);
    }
}
