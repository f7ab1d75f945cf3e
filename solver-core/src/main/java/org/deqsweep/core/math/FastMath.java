package org.deqsweep.core.math;

/**
 * Elementary functions the activations call once per element per solver iteration, where JDK 17's
 * {@code Math.tanh} (a JNI call into fdlibm's {@code StrictMath.tanh}, not a JIT intrinsic) was a third
 * of a training step at width 8 (JFR native-method samples).
 */
public final class FastMath {
    /** The rational branch's upper end (Cephes). */
    private static final double RATIONAL_MAX = 0.625;

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
     * 1 - 2 / (e^{2|x|} + 1) would cancel, and that formula above, both on |x| with the sign copied back.
     *
     * <p>One branch only, and no special cases: below 2^-27 the rational part is under half an ulp of |x|
     * and the sum rounds to |x| (0 and subnormals included); from 22 up 2 / (e^{2|x|} + 1) is under half
     * an ulp of 1 and the difference rounds to 1 (+Inf included, since e^Inf = Inf); NaN propagates. The
     * results are those of the special-cased version to the bit (checked once on 2e8 random doubles;
     * FastMathTest holds both ranges exact), and a run that first meets
     * a tiny or saturated pre-activation no longer makes the JIT recompile every loop tanh is inlined in
     * (the untaken branches were uncommon traps: 6 of the numerics' 46 deoptimisations on a cold quickstart).
     */
    public static double tanh(double x) {
        double z = Math.abs(x);
        double r;
        if (z < RATIONAL_MAX) {
            double s = z * z;
            double p = ((P0 * s + P1) * s + P2) * s;
            double q = ((s + Q0) * s + Q1) * s + Q2;
            r = z + z * (p / q);
        } else {
            r = 1.0 - 2.0 / (Math.exp(2.0 * z) + 1.0);
        }
        return Math.copySign(r, x);
    }
}
