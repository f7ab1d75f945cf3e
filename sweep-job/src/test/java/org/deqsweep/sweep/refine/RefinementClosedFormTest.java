package org.deqsweep.sweep.refine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.train.Runner;
import org.deqsweep.core.train.Status;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The refinement driven by real training runs of the solver core (no Spark) on the closed-form case of
 * issue 15: the explicit model with the identity activation and mse, f = theta . x, whose loss
 * (1/n) |X theta - y|^2 has Hessian (2/n) X^T X, so GD diverges exactly above 2 / lambda_max. With d = 2
 * lambda_max is the larger root of a 2 x 2 symmetric matrix, in closed form. Each seed draws its own X,
 * so with all_converged the group's boundary is the smallest of the seeds' 2 / lambda_max.
 */
class RefinementClosedFormTest {

    private static final int N = 20;
    private static final List<Long> SEEDS = List.of(0L, 1L, 2L);

    private static Map<String, Object> config(double step, long seed) {
        Map<String, Object> m = new HashMap<>();
        m.put("family", "explicit");
        m.put("activation", "identity");
        m.put("d", 2);
        m.put("n", N);
        m.put("max_steps", 20_000);
        m.put("tol", 1e-8);
        m.put("record_points", 2);
        m.put("step_size", step);
        m.put("seed", seed);
        return m;
    }

    /** 2 / lambda_max((2/n) X^T X) for the seed's data. */
    private static double criticalStep(long seed) {
        DMatrixRMaj x = new DataFactory(RunConfig.fromMap(config(0.1, seed))).dataset().x();
        double a = 0;
        double b = 0;
        double c = 0;
        for (int i = 0; i < x.numRows; i++) {
            double x0 = x.get(i, 0);
            double x1 = x.get(i, 1);
            a += x0 * x0;
            b += x0 * x1;
            c += x1 * x1;
        }
        double s = 2.0 / x.numRows;
        a *= s;
        b *= s;
        c *= s;
        double lambdaMax = (a + c) / 2 + Math.sqrt((a - c) * (a - c) / 4 + b * b);
        return 2 / lambdaMax;
    }

    private static Outcome train(double step) {
        int converged = 0;
        int failed = 0;
        for (long seed : SEEDS) {
            Status st = Runner.run(RunConfig.fromMap(config(step, seed))).status();
            converged += st == Status.CONVERGED ? 1 : 0;
            failed += st.isFailure() ? 1 : 0;
        }
        return new Outcome(step, SEEDS.size(), converged, failed);
    }

    @Test
    void theRefinedBracketHoldsTwoOverLambdaMaxAndReachesTheTarget() {
        double analytic = Double.POSITIVE_INFINITY;
        for (long seed : SEEDS) {
            analytic = Math.min(analytic, criticalStep(seed));
        }
        List<Double> grid = List.of(0.1, 0.3, 1.0, 3.0, 10.0);
        assertTrue(analytic > 0.1 && analytic < 10, "the boundary " + analytic + " lies inside the grid");
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.01, 3);
        Map<Double, Outcome> done = new HashMap<>();
        Refinement.Progress p;
        while (!(p = Refinement.progress(grid, done::get, r)).done()) {
            for (double v : p.toRun()) {
                done.put(v, train(v));
            }
        }
        String what = "2/lambda_max = " + analytic + ": " + p;
        assertEquals(Refinement.State.TARGET_REACHED, p.state(), what);
        assertTrue(p.bracket().lower() <= analytic && analytic < p.bracket().upper(), what);
        assertTrue(p.bracket().relativeWidth() <= 0.01, what);
        assertTrue(p.round() <= Refinement.predictedRounds(grid, r), what);
        assertEquals((long) (p.rounds().size() - 1) * 3 * SEEDS.size(), p.runsSpent(),
                "k values of every seed per round: " + what);
    }
}
