package org.deqsweep.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.deqsweep.core.RunConfig;
import org.deqsweep.core.RunResult;
import org.deqsweep.core.Runner;
import org.deqsweep.core.Status;
import org.junit.jupiter.api.Test;

/** Linear convergence of GD on a well-conditioned linear DEQ, and divergence at a step far too large. */
class ConvergenceTest {

    static RunConfig linear(double eta) {
        Map<String, Object> c = new HashMap<>();
        c.put("family", "linear_deq");
        c.put("d", 5);
        c.put("n", 200);
        c.put("step_size", eta);
        c.put("max_steps", 20000);
        c.put("tol", 1e-20);
        c.put("seed", 7);
        return RunConfig.fromMap(c);
    }

    @Test
    void wellConditionedLinearDeqConvergesLinearly() {
        RunResult r = Runner.run(linear(0.02));
        assertEquals(Status.CONVERGED, r.status(), r.failureReason());
        assertTrue(r.rate() < 1.0, "rho = " + r.rate());
        assertTrue(r.rateFitR2() > 0.99, "fit R^2 = " + r.rateFitR2());
        System.out.printf("linear DEQ d=5 eta=0.02: %d steps, fitted rho = %.6f (R^2 %.6f), spectrum predicts %.6f,"
                + " kappa = %.4f, sigma_min(I-A) in [%.4f, %.4f]%n", r.steps(), r.rate(), r.rateFitR2(), r.rateTheory(),
                r.kappa(), r.sigmaMinMin(), r.sigmaMinMax());
        double rel = Math.abs(Math.log(r.rate()) - Math.log(r.rateTheory())) / Math.abs(Math.log(r.rateTheory()));
        assertTrue(rel < 0.05, "fitted log-rate within 5% of the local spectrum's: " + r.rate() + " vs " + r.rateTheory());
        assertTrue(r.sigmaMinMin() > 0.1, "stays well-conditioned");
    }

    @Test
    void stepFarTooLargeDiverges() {
        RunResult r = Runner.run(linear(5.0));
        assertEquals(Status.DIVERGED, r.status(), r.failureReason());
        assertTrue(r.failureReason().contains("diverge_factor"), r.failureReason());
        assertTrue(r.stepAtFailure() > 0 && r.stepAtFailure() < 200, "caught early: " + r.stepAtFailure());
    }
}
