package org.deqsweep.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateFitTest {

    @Test
    void geometricSequenceGivesItsRatio() {
        double[] loss = new double[200];
        for (int k = 0; k < loss.length; k++) {
            loss[k] = 3.0 * Math.pow(0.93, k);
        }
        RateFit f = RateFit.fitEveryStep(loss, loss.length);
        assertEquals(0.93, f.rho(), 1e-12);
        assertEquals(1.0, f.r2(), 1e-12);
        assertEquals(100.0, f.from(), "the tail half is fitted");
    }

    @Test
    void transientIsSkippedForTheLinearTail() {
        double[] loss = new double[400];
        for (int k = 0; k < loss.length; k++) {
            loss[k] = (k < 100 ? 10.0 / (1 + k) : 0.099 * Math.pow(0.97, k - 100));
        }
        RateFit f = RateFit.fitEveryStep(loss, loss.length);
        assertEquals(0.97, f.rho(), 1e-9);
        assertTrue(f.from() >= 100, "window starts after the transient: " + f.from());
    }

    @Test
    void plateauGivesRateNearOneAndTooFewPointsGiveNaN() {
        double[] flat = new double[50];
        java.util.Arrays.fill(flat, 0.5);
        assertEquals(1.0, RateFit.fitEveryStep(flat, 50).rho(), 0.0);
        assertTrue(Double.isNaN(RateFit.fitEveryStep(new double[] {1, 0.5, 0.25}, 3).rho()));
        double[] nan = {1, 0.5, Double.NaN, 0.1, 0.1, 0.1};
        assertTrue(Double.isNaN(RateFit.fitEveryStep(nan, nan.length).rho()), "non-finite values end the usable range");
    }
}
