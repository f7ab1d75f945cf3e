package org.deqsweep.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastMathTest {
    /**
     * Largest accepted distance from StrictMath.tanh, in ulps of the StrictMath value (both are
     * approximations: fdlibm's own error is up to about 1 ulp; measured worst 2.0, near x = 1).
     */
    static final double MAX_ULPS = 3.0;

    private static double ulps(double x) {
        double ref = StrictMath.tanh(x);
        double got = FastMath.tanh(x);
        return Math.abs(got - ref) / Math.ulp(ref);
    }

    @Test
    void tanhWithinAFewUlpsOfStrictMathOnADenseGrid() {
        double worst = 0;
        double worstAt = 0;
        // dense uniform grid over the range where tanh is not +-1, both signs, all branches and their ends
        for (double x = -23.0; x <= 23.0; x += 1.0 / 4096 + 1e-9) {
            double e = ulps(x);
            if (e > worst) {
                worst = e;
                worstAt = x;
            }
        }
        // geometric grid from the smallest subnormal to saturation (a step of 2^40 ulps, i.e. a ratio of
        // about 1 + 2^-12 for normal numbers), so small arguments get as many points as large ones
        for (long bits = 1; Double.longBitsToDouble(bits) < 40; bits += 1L << 40) {
            double a = Double.longBitsToDouble(bits);
            for (double x : new double[] {a, -a}) {
                double e = ulps(x);
                if (e > worst) {
                    worst = e;
                    worstAt = x;
                }
            }
        }
        // random doubles around the branch points 2^-27, 0.625 and 22
        SplittableRandom rnd = new SplittableRandom(7);
        for (double c : new double[] {0x1p-27, 0.625, 22.0}) {
            for (int i = 0; i < 200_000; i++) {
                double x = c * (1 + (rnd.nextDouble() - 0.5) * 1e-3) * (rnd.nextBoolean() ? 1 : -1);
                double e = ulps(x);
                if (e > worst) {
                    worst = e;
                    worstAt = x;
                }
            }
        }
        System.out.printf("FastMath.tanh: worst %.3f ulp vs StrictMath at x = %s%n", worst, worstAt);
        assertTrue(worst <= MAX_ULPS, "FastMath.tanh is " + worst + " ulp from StrictMath.tanh at x = " + worstAt);
    }

    @Test
    void tanhSpecialValuesAreExact() {
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(FastMath.tanh(0.0)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(FastMath.tanh(-0.0)));
        assertTrue(Double.isNaN(FastMath.tanh(Double.NaN)));
        assertEquals(1.0, FastMath.tanh(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, FastMath.tanh(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, FastMath.tanh(Double.MAX_VALUE));
        assertEquals(-1.0, FastMath.tanh(-Double.MAX_VALUE));
        assertEquals(Double.MIN_VALUE, FastMath.tanh(Double.MIN_VALUE));
        assertEquals(-Double.MIN_VALUE, FastMath.tanh(-Double.MIN_VALUE));
        assertEquals(Double.MIN_NORMAL, FastMath.tanh(Double.MIN_NORMAL));
        assertEquals(1e-20, FastMath.tanh(1e-20));
        for (double x : new double[] {1e-300, 1e-9, 0.3, 0.625, 1.0, 5.0, 21.99, 22.0, 30.0, 1e300}) {
            assertEquals(StrictMath.tanh(x), FastMath.tanh(x), 2 * Math.ulp(StrictMath.tanh(x)), "x = " + x);
            // odd to the bit
            assertEquals(-FastMath.tanh(x), FastMath.tanh(-x), 0.0, "x = " + x);
        }
    }

    /**
     * The ranges the branch-free formulas cover without a case of their own: below 2^-27 tanh(x) is x to
     * the bit, from 22 up it is +-1 exactly, over a geometric sweep of each range and its ends.
     */
    @Test
    void tinyArgumentsGiveThemselvesAndLargeOnesSaturateExactly() {
        int tiny = 0;
        // a step of 2^44 ulps: a ratio of about 1 + 2^-8 between normal neighbours, some 250,000 points;
        // messages built only on failure (a string per point made this test take 97 s)
        for (long bits = 1; Double.longBitsToDouble(bits) < 0x1p-27; bits += 1L << 44) {
            double a = Double.longBitsToDouble(bits);
            assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(FastMath.tanh(a)), () -> "x = " + a);
            assertEquals(Double.doubleToRawLongBits(-a), Double.doubleToRawLongBits(FastMath.tanh(-a)), () -> "x = " + -a);
            tiny++;
        }
        double below = Math.nextDown(0x1p-27);
        assertEquals(below, FastMath.tanh(below), 0.0);
        int saturated = 0;
        for (double a = 22.0; a < Double.POSITIVE_INFINITY; a = a * 1.001 + 1e-3) {
            double x = a;
            assertEquals(1.0, FastMath.tanh(x), 0.0, () -> "x = " + x);
            assertEquals(-1.0, FastMath.tanh(-x), 0.0, () -> "x = " + -x);
            saturated++;
        }
        assertTrue(tiny > 10_000 && saturated > 10_000, tiny + " tiny and " + saturated + " saturated points");
    }

    @Test
    void tanhIsMonotoneAndBoundedOnAFineGrid() {
        double prev = -1.0;
        for (double x = -25.0; x <= 25.0; x += 1e-4) {
            double t = FastMath.tanh(x);
            assertTrue(t >= prev && Math.abs(t) <= 1.0, "x = " + x + ": " + t + " after " + prev);
            prev = t;
        }
    }
}
