package org.deqsweep.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqsweep.core.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationTest extends TestSupport {

    @ParameterizedTest
    @EnumSource(Activation.class)
    void derivativeMatchesCentralDifferences(Activation act) {
        double eps = 0.3;
        double h = 1e-6;
        for (double u = -6.0; u <= 6.0; u += 0.0371) {
            if (!act.isSmooth() && Math.abs(u) < 2 * h) {
                continue;
            }
            double fd = (act.apply(u + h, eps) - act.apply(u - h, eps)) / (2 * h);
            assertEquals(fd, act.derivative(u, eps), 1e-8 * Math.max(1, Math.abs(fd)), act + " at u = " + u);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void lipschitzConstantBoundsAndIsTight(Activation act) {
        double eps = 0.3;
        double max = 0;
        for (double u = -20.0; u <= 20.0; u += 1e-4) {
            max = Math.max(max, Math.abs(act.derivative(u, eps)));
        }
        double lip = act.lipschitz(eps);
        assertTrue(max <= lip, act + ": sup |act'| = " + max + " exceeds the declared " + lip);
        assertTrue(max >= lip * 0.999, act + ": declared Lipschitz " + lip + " is loose; sup |act'| = " + max);
    }

    @Test
    void erfcMatchesReferenceValues() {
        // reference values: erfc(x) to 16 digits (Abramowitz and Stegun table 7.1, extended with mpmath)
        assertEquals(1.0, Activation.erfc(0.0), 1e-16);
        assertEquals(0.4795001221869535, Activation.erfc(0.5), 1e-15);
        assertEquals(0.15729920705028513, Activation.erfc(1.0), 1e-15);
        assertEquals(0.004677734981047266, Activation.erfc(2.0), 1e-17);
        assertEquals(1.5374597944280349e-12, Activation.erfc(5.0), 1e-25);
        assertEquals(1.8427007929497148, Activation.erfc(-1.0), 1e-15);
    }

    @Test
    void unknownNameIsRefusedWithTheAllowedList() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Activation.of("swish"));
        assertTrue(e.getMessage().contains("swish") && e.getMessage().contains("silu"), e.getMessage());
    }

    @Test
    void theDerivativeFromTheValueIsTheDerivativeToTheBit() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (Activation a : Activation.values()) {
            for (int i = 0; i < 20000; i++) {
                double u = (r.nextDouble() - 0.5) * (i < 10000 ? 8 : 80);
                double f = a.apply(u, 0.1);
                assertEquals(Double.doubleToRawLongBits(a.derivative(u, 0.1)), Double.doubleToRawLongBits(a.derivative(u, f, 0.1)),
                        a.key() + " at u = " + u);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void theArrayLoopsAreThePerElementCallsToTheBit(Activation a) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int n = 3001;
        double[] o = new double[n];
        double[] u = new double[n];
        for (int k = 0; k < n; k++) {
            o[k] = (r.nextDouble() - 0.5) * (k < 1000 ? 8 : 80);
            u[k] = k % 7 == 0 ? 0.0 : (r.nextDouble() - 0.5) * 4;
        }
        o[0] = Double.NaN;
        o[1] = Double.POSITIVE_INFINITY;
        o[2] = -0.0;
        double[] applied = o.clone();
        a.applyShifted(applied, u, n - 1, 0.1); // the last element is past len: untouched
        double[] derivatives = new double[n];
        a.derivativeAll(o, derivatives, n - 1, 0.1);
        for (int k = 0; k < n - 1; k++) {
            assertEquals(Double.doubleToRawLongBits(a.apply(o[k] + u[k], 0.1)), Double.doubleToRawLongBits(applied[k]), a.key() + " at " + k);
            assertEquals(Double.doubleToRawLongBits(a.derivative(o[k], 0.1)), Double.doubleToRawLongBits(derivatives[k]), a.key() + " at " + k);
        }
        assertEquals(o[n - 1], applied[n - 1]);
        assertEquals(0.0, derivatives[n - 1]);
    }
}
