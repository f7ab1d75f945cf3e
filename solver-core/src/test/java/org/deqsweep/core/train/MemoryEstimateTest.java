package org.deqsweep.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.junit.jupiter.api.Test;

/**
 * The memory estimate's accounting (how close it is to real runs is measured by bench-memory, not here)
 * and a run that runs out of heap, which is a row, not an exception.
 */
class MemoryEstimateTest {

    private static MemoryEstimate of(Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(Map.of("family", "general_deq", "n", 200, "d", 10, "width", 16));
        m.putAll(extra);
        return MemoryEstimate.of(RunConfig.fromMap(m));
    }

    @Test
    void aWideRunCountsItsWidthSquaredMatrices() {
        MemoryEstimate e = of(Map.of("width", 2000));
        // A and its gradient, A^T packed, the forward and adjoint solvers' m x m, the diagnostics' four: 9 m^2;
        // then 36 n x m buffers (objective 10, Anderson forward 12 and adjoint 13, Z)
        long mm = 8L * 2000 * 2000;
        long nm = 8L * 200 * 2000;
        assertTrue(e.bytes() >= 9 * mm + 36 * nm, e.human());
        assertTrue(e.bytes() <= 9 * mm + 37 * nm + (1 << 20), e.human());
        assertEquals("training", e.phase());
        assertEquals("A (width x width = 2000 x 2000)", e.largestName());
        assertFalse(e.exceedsArrayLimit());
    }

    @Test
    void eachSizeTermGrows() {
        long base = of(Map.of()).bytes();
        assertTrue(of(Map.of("anderson_memory", 40)).bytes() > base + 3L * 40 * 40 * 200 * 8, "Anderson's memory^2 systems");
        assertTrue(of(Map.of("n", 1400, "width", 40)).bytes() > 5L * 1400 * 1400 * 8, "the n x n Gram matrices");
        assertTrue(of(Map.of("max_steps", 1_000_000)).bytes() > 3L * (1 << 20) * 8, "the loss history, doubled as it grows");
        assertTrue(of(Map.of("n", 100_000, "d", 50, "width", 4)).bytes() > 2L * 100_000 * 50 * 8, "the data");
        MemoryEstimate il = MemoryEstimate.of(RunConfig.fromMap(Map.of("family", "implicit_layer", "n", 4000, "d", 50,
                "width", 600, "outputs", 10)));
        assertTrue(il.bytes() > 6L * 4000 * 600 * 8 + 10L * 600 * 600 * 8, il.human());
    }

    @Test
    void aMatrixNoJavaArrayCanHoldIsFlagged() {
        MemoryEstimate e = of(Map.of("width", 50_000));
        assertTrue(e.exceedsArrayLimit());
        assertEquals(2.5e9, e.largestArray());
        assertFalse(of(Map.of("width", 46_000)).exceedsArrayLimit());
    }

    @Test
    void aRunOutOfHeapIsAnErrorWithItsEstimate() {
        // A alone (width^2 doubles) is more than this JVM's heap, yet a legal array: "Java heap space" at once
        long heap = Runtime.getRuntime().maxMemory();
        int width = (int) Math.ceil(Math.sqrt(heap / 8.0 * 1.25));
        assertTrue((long) width * width < MemoryEstimate.MAX_ARRAY, "this JVM's heap is too large for the test: " + heap);
        RunConfig cfg = RunConfig.fromMap(Map.of("family", "general_deq", "n", 20, "d", 2, "width", width, "max_steps", 5));
        RunResult r = Runner.run(cfg);
        assertEquals(Status.ERROR, r.status());
        assertTrue(r.failureReason().startsWith(Runner.OUT_OF_MEMORY + " (Java heap space): this run needs about "
                + MemoryEstimate.of(cfg).human() + " (estimate); the JVM's heap is "), r.failureReason());
        // the JVM goes on: the next run trains
        assertFalse(Runner.run(cfg.with(Map.of("width", 4))).status() == Status.ERROR);
    }
}
