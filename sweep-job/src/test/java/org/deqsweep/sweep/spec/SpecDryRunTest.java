package org.deqsweep.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The --dry-run plan: counts, partitions, waves and the cost model. */
class SpecDryRunTest {

    @Test
    void exampleSpecPlan() {
        SweepSpec s = SpecParser.parse(SpecTestSupport.resource("linear-stepsize.yaml"), List.of());
        DryRunPlan p = DryRunPlan.of(s, 2, 0);
        assertEquals(3120, p.gridSize());
        assertEquals(2730, p.included());
        assertEquals(8, p.partitions(), "2 cores x 4 tasks per core");
        assertEquals(1, p.waves());
        String text = p.describe();
        assertTrue(text.contains("= 3120 points"), text);
        assertTrue(text.contains("included:   2730 runs"), text);
        assertTrue(text.contains("a model, not a measurement"), text);
        assertTrue(text.contains("zip(n, max_steps) 3"), text);
    }

    @Test
    void costModelIsTheDocumentedFormula() {
        SweepSpec s = SpecTestSupport.parse("name: c\nfamily: general_deq\nfixed: {width: 4, d: 6, n: 100, max_steps: 1000}\n");
        DryRunPlan p = DryRunPlan.of(s, 1, 0);
        double expected = DryRunPlan.SECONDS_PER_UNIT * 1000 * 100 * (4 * 4 + 4 * 6);
        assertEquals(expected, p.cpuSeconds(), 1e-15);
        assertEquals(expected, p.wallSeconds(), 1e-15);
        assertEquals(1, p.partitions(), "never more partitions than points");
    }

    @Test
    void explicitPartitionsAndWaves() {
        SweepSpec s = SpecTestSupport.parse("name: w\ngrid: {seed: 'range(0, 100)'}\njob: {wave_size: 30, partitions: 7}\n");
        DryRunPlan fromSpec = DryRunPlan.of(s, 2, 0);
        assertEquals(7, fromSpec.partitions());
        assertEquals(30, fromSpec.waveSize());
        assertEquals(4, fromSpec.waves());
        assertEquals(5, DryRunPlan.of(s, 2, 5).partitions(), "the caller's partition count wins");
    }

    @Test
    void automaticWavesAimAtTenMinutes() {
        assertEquals(1000, DryRunPlan.autoWaveSize(1000, 100));
        assertEquals(250, DryRunPlan.autoWaveSize(1000, 2400));
        assertEquals("42 s", DryRunPlan.human(42));
        assertEquals("2.5 h", DryRunPlan.human(9000));
    }
}
