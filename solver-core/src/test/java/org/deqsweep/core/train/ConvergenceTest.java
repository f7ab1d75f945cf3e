package org.deqsweep.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
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
        // the explicit baseline with identity link is least squares: eta = 5 is far above 1 / lambda_max
        RunConfig cfg = RunConfig.fromMap(Map.of("family", "explicit", "activation", "identity", "d", 5, "n", 200,
                "step_size", 5.0, "max_steps", 2000, "seed", 7));
        RunResult r = Runner.run(cfg);
        assertEquals(Status.DIVERGED, r.status(), r.failureReason());
        assertTrue(r.failureReason().contains("diverge_factor"), r.failureReason());
        assertTrue(r.stepAtFailure() > 0 && r.stepAtFailure() < 50, "caught early: " + r.stepAtFailure());
        assertTrue(Double.isFinite(r.lastFiniteLoss()) && r.lastFiniteLoss() > r.lossInitial());
    }

    /**
     * The linear DEQ does not blow up at a huge step: the first step throws theta2 far from 1 (Q grows
     * by eta^2 |grad|^2), the output collapses and GD stalls near the initial loss, the paper's
     * "huge steps and fail to converge".
     */
    @Test
    void linearDeqAtAHugeStepJumpsAwayAndStalls() {
        RunResult r = Runner.run(linear(5.0).with(Map.of("max_steps", 2000)));
        assertEquals(Status.MAX_STEPS, r.status(), r.failureReason());
        assertTrue(r.lossFinal() > 0.5 * r.lossInitial(), "no progress: " + r.lossFinal() + " vs " + r.lossInitial());
        assertTrue(r.sigmaMinMax() > 100, "|1 - theta2| jumped far: sigma_min(I - A) reached " + r.sigmaMinMax());
    }

    /** step_rule relative scales eta by 2 / mu_max at init, so the same setting is stable at every width. */
    @Test
    void relativeStepIsAFractionOfTheCurvatureStep() {
        for (int m : new int[] {8, 64}) {
            RunConfig cfg = RunConfig.fromMap(Map.of("family", "overparam_deq", "width", m, "d", 5, "n", 20,
                    "step_rule", "relative", "step_size", 0.5, "max_steps", 300, "tol", 0.0, "seed", 1));
            RunResult r = Runner.run(cfg);
            assertTrue(r.stepTheory() > 0, "curvature step at init: " + r.stepTheory());
            assertEquals(0.5 * r.stepTheory(), r.eta(), 1e-15 * r.eta());
            assertEquals(Status.MAX_STEPS, r.status(), r.failureReason());
            assertTrue(r.lossFinal() < 0.1 * r.lossInitial(), "m = " + m + ": " + r.lossInitial() + " -> " + r.lossFinal());
        }
    }
}
