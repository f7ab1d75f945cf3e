package org.deqsweep.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deqsweep.core.TestSupport;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.math.Activation;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The implicit gradient of DESIGN 2.1 against central finite differences of the loss, for every
 * activation and every trainable parameter block, and the approximate modes against their closed forms.
 */
class GradientFiniteDifferenceTest extends TestSupport {
    private static final double H = 1e-5;
    private static double worst;
    private static String worstCase = "";

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            out.add(Arguments.of("general_deq", a.key(), 3, "mse"));
        }
        out.add(Arguments.of("general_deq", "tanh", 5, "half_mse"));
        out.add(Arguments.of("linear_deq", "identity", 1, "mse"));
        out.add(Arguments.of("linear_deq", "identity", 3, "mse"));
        out.add(Arguments.of("single_index_deq", "tanh", 1, "mse"));
        out.add(Arguments.of("single_index_deq", "gelu", 1, "mse"));
        out.add(Arguments.of("explicit", "sigmoid", 1, "mse"));
        for (String a : new String[] {"relu", "tanh", "sigmoid", "softplus", "gelu", "silu", "sin"}) {
            out.add(Arguments.of("overparam_deq", a, 12, "mse"));
        }
        return out.stream();
    }

    static RunConfig config(String family, String act, int m, String loss) {
        Map<String, Object> c = new HashMap<>();
        c.put("family", family);
        c.put("activation", act);
        c.put("width", m);
        c.put("d", 2);
        c.put("n", 6);
        c.put("loss", loss);
        c.put("seed", 11);
        c.put("forward_tol", 1e-14);
        c.put("forward_max_iter", 5000);
        c.put("backward_tol", 1e-14);
        c.put("init_scale", 1.0);
        c.put("noise", 0.1);
        if (family.equals("general_deq")) {
            c.put("bias", true);
            c.put("a_scale", 0.5);
        } else if (family.equals("overparam_deq")) {
            c.put("a_scale", 0.3);
        } else if (!family.equals("explicit")) {
            c.put("a_scale", 0.3);
        }
        return RunConfig.fromMap(c);
    }

    @ParameterizedTest(name = "{0} {1} m={2} {3}")
    @MethodSource("cases")
    void exactGradientMatchesCentralDifferences(String family, String act, int m, String loss) {
        RunConfig cfg = config(family, act, m, loss);
        DataFactory f = new DataFactory(cfg);
        Dataset data = f.dataset();
        Params p = Init.params(cfg);
        // move b off zero so its gradient is exercised at a generic point
        for (int i = 0; i < p.b.data.length; i++) {
            p.b.data[i] = 0.1 * (i + 1);
        }
        DeqObjective obj = new DeqObjective(cfg, data);
        DeqObjective.Evaluation ev = obj.evaluate(p, true);
        assertTrue(ev.forward().converged(), "forward solve converged");
        Params g = obj.grad.copy();
        String[] names = {"A", "W", "b", "v"};
        DMatrixRMaj[] blocks = {p.A, p.W, p.b, p.v};
        DMatrixRMaj[] grads = {g.A, g.W, g.b, g.v};
        boolean[] trained = {obj.trainsA(), obj.trainsW(), obj.trainsB(), obj.trainsV()};
        int checked = 0;
        for (int k = 0; k < 4; k++) {
            if (!trained[k]) {
                for (double x : grads[k].data) {
                    assertEquals(0.0, x, "frozen " + names[k] + " has zero gradient");
                }
                continue;
            }
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < blocks[k].data.length; i++) {
                double keep = blocks[k].data[i];
                blocks[k].data[i] = keep + H;
                double up = obj.evaluate(p, false).loss();
                blocks[k].data[i] = keep - H;
                double down = obj.evaluate(p, false).loss();
                blocks[k].data[i] = keep;
                double fd = (up - down) / (2 * H);
                diff += (fd - grads[k].data[i]) * (fd - grads[k].data[i]);
                norm += fd * fd;
            }
            double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-300);
            synchronized (GradientFiniteDifferenceTest.class) {
                if (rel > worst) {
                    worst = rel;
                    worstCase = family + "/" + act + "/m=" + m + "/" + names[k];
                }
            }
            assertTrue(rel <= FD_REL, family + " " + act + " d" + names[k] + ": relative error " + rel);
            checked++;
        }
        assertTrue(checked >= (family.equals("general_deq") ? 4 : 1), "every trainable block checked: " + checked);
    }

    @AfterAll
    static void report() {
        System.out.printf("worst finite-difference relative error: %.3e (%s)%n", worst, worstCase);
    }

    /**
     * Scalar single-index DEQ y = act(theta1 x + theta2 y): every mode against its closed form
     * dL/dtheta = sum 2 c r act'(u) (x, y) * factor, with factor 1/(1 - theta2 act') (exact), 1 (jfb),
     * 1 + theta2 act' (neumann-2), 1 + t + t^2 (neumann-3), 1/(1 - theta2 act'/2) (damped).
     */
    @Test
    void approximateModesMatchTheirClosedForms() {
        for (String mode : new String[] {"exact", "jfb", "neumann-2", "neumann-3", "damped"}) {
            Map<String, Object> c = new HashMap<>(config("single_index_deq", "tanh", 1, "mse").values());
            c.put("grad_mode", mode);
            c.put("d", 1);
            RunConfig cfg = RunConfig.fromMap(c);
            DataFactory f = new DataFactory(cfg);
            Dataset data = f.dataset();
            Params p = Init.params(cfg);
            p.W.data[0] = 0.7;
            p.A.data[0] = 0.4;
            DeqObjective obj = new DeqObjective(cfg, data);
            obj.evaluate(p, true);
            double gw = 0;
            double ga = 0;
            for (int i = 0; i < data.n(); i++) {
                double x = data.x().data[i];
                double y = obj.fixedPoints().data[i];
                double u = p.W.data[0] * x + p.A.data[0] * y;
                double dp = Math.tanh(u);
                dp = 1 - dp * dp;
                double t = p.A.data[0] * dp;
                double factor = switch (mode) {
                    case "exact" -> 1 / (1 - t);
                    case "jfb" -> 1;
                    case "neumann-2" -> 1 + t;
                    case "neumann-3" -> 1 + t + t * t;
                    default -> 1 / (1 - t / 2);
                };
                double r = y - data.y().data[i];
                gw += 2.0 / data.n() * r * dp * x * factor;
                ga += 2.0 / data.n() * r * dp * y * factor;
            }
            assertEquals(gw, obj.grad.W.data[0], 1e-12 * Math.max(1, Math.abs(gw)), mode + " dtheta1");
            assertEquals(ga, obj.grad.A.data[0], 1e-12 * Math.max(1, Math.abs(ga)), mode + " dtheta2");
        }
    }
}
