package org.deqsweep.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunConfigTest {

    private static ConfigException refused(Map<String, Object> m) {
        return assertThrows(ConfigException.class, () -> RunConfig.fromMap(m));
    }

    @Test
    void familyDefaultsAreResolved() {
        RunConfig lin = RunConfig.fromMap(Map.of("family", "linear_deq"));
        assertEquals(1, lin.width());
        assertEquals("identity", lin.model().activation().key());
        assertEquals(false, lin.model().trainV());
        RunConfig gen = RunConfig.fromMap(Map.of());
        assertEquals(16, gen.width());
        assertEquals("tanh", gen.model().activation().key());
        assertEquals(true, gen.model().trainV());
        RunConfig si = RunConfig.fromMap(Map.of("family", "single_index_deq"));
        assertEquals("single_index", si.data().teacher());
    }

    @Test
    void nestedGroupsFlatten() {
        RunConfig c = RunConfig.fromMap(Map.of("forward", Map.of("solver", "picard", "tol", 1e-12)));
        assertEquals("picard", c.forward().solver());
        assertEquals(1e-12, c.forward().tol());
    }

    @Test
    void unknownKeyNamesItself() {
        ConfigException e = refused(Map.of("stepsize", 0.1));
        assertEquals("stepsize", e.path());
        assertTrue(e.getMessage().contains("step_size"), e.getMessage());
        ConfigException g = refused(Map.of("forward", Map.of("tolerance", 1e-3)));
        assertEquals("forward.tolerance", g.path());
        assertTrue(g.getMessage().contains("tol"), g.getMessage());
    }

    @Test
    void wrongTypesAndRangesAreRefused() {
        assertEquals("d", refused(Map.of("d", "five")).path());
        assertEquals("d", refused(Map.of("d", 0)).path());
        assertEquals("d", refused(Map.of("d", 2.5)).path());
        assertEquals("step_size", refused(Map.of("step_size", 0.0)).path());
        assertEquals("step_size", refused(Map.of("step_size", Double.NaN)).path());
        assertEquals("step_size", refused(Map.of("step_size", Double.POSITIVE_INFINITY)).path());
        assertEquals("activation", refused(Map.of("activation", "swish")).path());
        assertEquals("bias", refused(Map.of("bias", "yes")).path());
        assertEquals("grad_mode", refused(Map.of("grad_mode", "neumann-0")).path());
        assertTrue(refused(Map.of("step_size", -1.0)).getMessage().contains("> 0"));
        assertEquals("neumann-3", RunConfig.fromMap(Map.of("grad_mode", "neumann-3")).backward().gradMode());
    }

    @Test
    void contradictionsAreRefused() {
        assertEquals("activation", refused(Map.of("family", "linear_deq", "activation", "tanh")).path());
        assertEquals("width", refused(Map.of("family", "single_index_deq", "width", 4)).path());
        assertEquals("train_a", refused(Map.of("family", "explicit", "train_a", true)).path());
        assertEquals("grad_mode", refused(Map.of("trainer", "flow", "grad_mode", "jfb")).path());
        assertEquals("forward.solver", refused(Map.of("forward_solver", "direct", "activation", "tanh")).path());
    }

    @Test
    void runIdIsAContentHash() {
        Map<String, Object> a = new HashMap<>(Map.of("d", 3, "step_size", 0.1, "seed", 4));
        Map<String, Object> b = new HashMap<>(Map.of("seed", 4L, "step_size", 0.1, "d", 3.0));
        assertEquals(RunConfig.fromMap(a).runId(), RunConfig.fromMap(b).runId(), "key order and number form do not matter");
        assertEquals(16, RunConfig.fromMap(a).runId().length());
        a.put("seed", 5);
        assertNotEquals(RunConfig.fromMap(a).runId(), RunConfig.fromMap(b).runId());
        assertNotEquals(RunConfig.fromMap(a).streamSeed("data", RunConfig.DATA_KEYS),
                RunConfig.fromMap(b).streamSeed("data", RunConfig.DATA_KEYS));
    }

    @Test
    void runsDifferingOnlyInHowTheyTrainShareDataAndInit() {
        RunConfig a = RunConfig.fromMap(Map.of("d", 3, "step_size", 0.1, "seed", 4));
        RunConfig b = RunConfig.fromMap(Map.of("d", 3, "step_size", 0.7, "seed", 4, "grad_mode", "jfb", "max_steps", 9));
        for (var keys : java.util.List.of(RunConfig.DATA_KEYS, RunConfig.TEACHER_KEYS, RunConfig.INIT_KEYS)) {
            assertEquals(a.streamSeed("s", keys), b.streamSeed("s", keys));
        }
        RunConfig c = RunConfig.fromMap(Map.of("d", 3, "step_size", 0.1, "seed", 4, "init_scale", 0.3));
        assertEquals(a.streamSeed("data", RunConfig.DATA_KEYS), c.streamSeed("data", RunConfig.DATA_KEYS));
        assertNotEquals(a.streamSeed("init", RunConfig.INIT_KEYS), c.streamSeed("init", RunConfig.INIT_KEYS));
    }
}
