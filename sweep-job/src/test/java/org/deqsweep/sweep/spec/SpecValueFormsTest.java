package org.deqsweep.sweep.spec;

import static org.deqsweep.sweep.spec.SpecTestSupport.axis;
import static org.deqsweep.sweep.spec.SpecTestSupport.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each value form of a grid entry expands to the values DESIGN 4 promises, typed by the key. */
class SpecValueFormsTest {

    private static List<Object> grid(String key, String form) {
        return axis(parse("name: t\ngrid:\n  " + key + ": " + form + "\n"), key);
    }

    @Test
    void listKeepsOrderAndTypes() {
        assertEquals(List.of(5, 10, 20), grid("d", "[5, 10, 20]"));
        // a double key accepts integers and keeps them as doubles
        assertEquals(List.of(1.0, 0.5), grid("step_size", "[1, 0.5]"));
        assertEquals(List.of("tanh", "relu"), grid("activation", "[tanh, relu]"));
    }

    @Test
    void scalarIsOneValue() {
        assertEquals(List.of(7), grid("d", "7"));
        assertEquals(List.of(true), grid("bias", "true"));
    }

    @Test
    void rangeIsPythonLike() {
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), grid("seed", "range(0, 5)"));
        assertEquals(List.of(2, 5, 8), grid("d", "range(2, 11, 3)"));
        assertEquals(List.of(10, 7, 4, 1), grid("d", "range(10, 0, -3)"));
        assertEquals(List.of(2, 5, 8), grid("d", "'range(2,9,3)'"));
    }

    @Test
    void linspaceIncludesBothEnds() {
        assertEquals(List.of(0.1, 0.4, 0.7, 1.0), grid("step_size", "linspace(0.1, 1, 4)"));
        assertEquals(List.of(100, 200, 300, 400), grid("n", "linspace(100, 400, 4)"));
        assertEquals(List.of(0.5), grid("step_size", "linspace(0.5, 2, 1)"));
    }

    @Test
    void logspaceTakesEndpointValues() {
        assertEquals(List.of(0.001, 0.01, 0.1, 1.0), grid("step_size", "logspace(1e-3, 1, 4)"));
        List<Object> v = grid("step_size", "logspace(1e-3, 1, 13)");
        assertEquals(13, v.size());
        assertEquals(0.001, v.get(0));
        assertEquals(0.01, v.get(4));
        assertEquals(0.1, v.get(8));
        assertEquals(1.0, v.get(12));
        double ratio = Math.pow(10, 0.25);
        for (int i = 1; i < v.size(); i++) {
            double r = (Double) v.get(i) / (Double) v.get(i - 1);
            assertEquals(ratio, r, 1e-10, "geometric step at " + i);
            assertTrue(new BigDecimal(v.get(i).toString()).precision() <= 12, "at most 12 significant digits: " + v.get(i));
        }
    }

    @Test
    void pow2IsInclusive() {
        assertEquals(List.of(8, 16, 32, 64), grid("d", "pow2(3, 6)"));
        assertEquals(List.of(0.125, 0.25, 0.5, 1.0), grid("step_size", "pow2(-3, 0)"));
        assertEquals(List.of(1L), grid("seed", "pow2(0, 0)"));
    }

    @Test
    void nestedGroupsFlatten() {
        SweepSpec s = parse("name: t\ngrid:\n  forward:\n    tol: [1e-8, 1e-10]\n  d: [2]\nfixed:\n  forward: {solver: anderson}\n");
        assertEquals(List.of(1e-8, 1e-10), axis(s, "forward_tol"));
        assertEquals("anderson", s.fixed().get("forward_solver"));
    }

    @Test
    void exampleSpecFromResources() {
        SweepSpec s = SpecParser.parse(SpecTestSupport.resource("linear-stepsize.yaml"), List.of());
        assertEquals("linear-stepsize", s.name());
        assertEquals("linear_deq", s.family());
        assertEquals(List.of("d", "step_size", "activation", "seed", "init_scale", "n", "max_steps"), s.varyingKeys());
        Grid g = s.toGrid();
        assertEquals(4L * 13 * 1 * 10 * 2 * 3, g.size());
        assertEquals(g.size() - 13 * 10 * 3, g.countIncluded());
        assertTrue(s.rawText().contains("logspace(1e-3, 1, 13)"));
        assertTrue(s.canonicalJson().contains("\"step_size\""), s.canonicalJson());
        assertEquals(s.canonicalJson(), SpecParser.parse(s.rawText(), "again", List.of()).canonicalJson(), "canonical JSON is stable");
    }
}
