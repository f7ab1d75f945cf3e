package org.deqsweep.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.deqsweep.core.TestSupport;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.model.DeqObjective;
import org.deqsweep.core.model.Diagnostics;
import org.deqsweep.core.model.Init;
import org.deqsweep.core.model.Objective;
import org.deqsweep.core.model.Objectives;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.model.ScalarDeqObjective;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The conservation law of the linear DEQ (DESIGN 2.2) and its exact breaking under gradient descent. */
class ConservationTest extends TestSupport {

    private static RunConfig linear(int m, int d, double eta, int steps, String trainer) {
        Map<String, Object> c = new HashMap<>();
        c.put("family", "linear_deq");
        c.put("width", m);
        c.put("d", d);
        c.put("n", 100);
        c.put("step_size", eta);
        c.put("max_steps", steps);
        c.put("tol", 0.0);
        c.put("trainer", trainer);
        c.put("init_scale", 0.5);
        c.put("a_scale", 0.3);
        c.put("flow_rtol", 1e-11);
        c.put("flow_atol", 1e-14);
        c.put("seed", 3);
        return RunConfig.fromMap(c);
    }

    @ParameterizedTest(name = "m = {0}")
    @ValueSource(ints = {1, 3})
    void oneStepChangesQByEtaSquaredGradientGram(int m) {
        double eta = 0.05;
        RunConfig cfg = linear(m, 4, eta, 1, "gd");
        DataFactory f = new DataFactory(cfg);
        Dataset data = f.dataset();
        Params p = Init.params(cfg);
        // the objective a run uses: the scalar path at m = 1, the general DEQ at m = 3
        Objective obj = Objectives.create(cfg, data);
        assertEquals(m == 1 ? ScalarDeqObjective.class : DeqObjective.class, obj.getClass());
        obj.evaluate(p, true);
        DMatrixRMaj q0 = Diagnostics.conservationQ(p, null);
        DMatrixRMaj expected = new DMatrixRMaj(m, m);
        CommonOps_DDRM.multTransB(obj.gradient().W, obj.gradient().W, expected);
        CommonOps_DDRM.multAddTransB(obj.gradient().A, obj.gradient().A, expected);
        CommonOps_DDRM.scale(eta * eta, expected);
        CommonOps_DDRM.addEquals(p.A, -eta, obj.gradient().A);
        CommonOps_DDRM.addEquals(p.W, -eta, obj.gradient().W);
        DMatrixRMaj q1 = Diagnostics.conservationQ(p, null);
        DMatrixRMaj change = new DMatrixRMaj(m, m);
        CommonOps_DDRM.subtract(q1, q0, change);
        double scale = NormOps_DDRM.normF(q0);
        assertTrue(NormOps_DDRM.normF(expected) > 1e-6 * scale, "the eta^2 term is well above round-off");
        for (int i = 0; i < m * m; i++) {
            assertEquals(expected.data[i], change.data[i], TEST_F64 * scale,
                    "entry " + i + " of Q_1 - Q_0");
        }
    }

    @Test
    void driftAtFixedHorizonHalvesWithTheStepSize() {
        double horizon = 2.0;
        double[] etas = {0.04, 0.02, 0.01};
        double[] drift = new double[etas.length];
        for (int i = 0; i < etas.length; i++) {
            RunResult r = Runner.run(linear(1, 1, etas[i], (int) Math.round(horizon / etas[i]), "gd"));
            assertEquals(Status.MAX_STEPS, r.status());
            drift[i] = r.conservationDrift();
            assertTrue(r.distanceGrowthMin() >= -1e-12, "distance to (0, 1) never decreases under GD (to round-off): " + r.distanceGrowthMin());
            System.out.printf("GD eta = %.3f: drift at t = %.1f is %.4e%n", etas[i], horizon, drift[i]);
        }
        for (int i = 0; i + 1 < etas.length; i++) {
            double ratio = drift[i] / drift[i + 1];
            assertTrue(ratio > 1.8 && ratio < 2.2, "drift ratio eta/(eta/2) = " + ratio);
        }
    }

    @Test
    void gradientFlowConservesQ() {
        RunResult r = Runner.run(linear(3, 2, 0.01, 200, "flow"));
        assertEquals(Status.MAX_STEPS, r.status());
        System.out.printf("gradient flow (rtol 1e-11): drift at t = 2 is %.3e%n", r.conservationDrift());
        assertTrue(r.conservationDrift() < 1e-6, "flow drift " + r.conservationDrift());
        assertTrue(r.lossFinal() < r.lossInitial() * 0.5, "flow made progress");
    }
}
