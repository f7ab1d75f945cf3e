package org.deqsweep.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.junit.jupiter.api.Test;

/** A failed solve is named by the solve that failed: the forward fixed point or the gradient's adjoint. */
class FailureStatusTest {

    private static final Map<String, Object> BASE = Map.of("family", "general_deq", "activation", "tanh", "d", 4,
            "width", 8, "n", 30, "max_steps", 5, "seed", 3);

    private static RunResult run(Map<String, Object> changes) {
        return Runner.run(RunConfig.fromMap(BASE).with(changes));
    }

    @Test
    void anAdjointSolveThatStopsShortIsAdjointFailed() {
        RunResult r = run(Map.of("backward_solver", "iterative", "backward_max_iter", 1, "backward_tol", 1e-14));
        assertEquals(Status.ADJOINT_FAILED, r.status(), r.failureReason());
        assertTrue(r.status().isFailure());
        assertTrue(r.failureReason().startsWith("adjoint solve did not reach backward_tol in 1 iterations at step 0"),
                r.failureReason());
        assertEquals(0, r.stepAtFailure());
    }

    @Test
    void aForwardSolveThatStopsShortIsForwardFailed() {
        RunResult r = run(Map.of("forward_solver", "picard", "forward_max_iter", 1, "forward_tol", 1e-14));
        assertEquals(Status.FORWARD_FAILED, r.status(), r.failureReason());
        assertTrue(r.failureReason().startsWith("forward solve did not reach forward_tol 1.0E-14 in 1 iterations at step 0"),
                r.failureReason());
    }

    @Test
    void withRoomBothSolvesConverge() {
        RunResult r = run(Map.of("backward_solver", "iterative"));
        assertEquals(Status.MAX_STEPS, r.status(), r.failureReason());
    }
}
