package org.deqsweep.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertEquals(64, p.waveSize(), "automatic: 8 points per task at first");
        assertEquals(2730, p.maxWaveSize(), "the cost model keeps the whole grid under 10 minutes");
        assertEquals(43, p.waves(), "at most, at the first size");
        String text = p.describe();
        assertTrue(text.contains("waves:      at most 43: automatic, the first of 64 points (8 per task), later ones sized"
                + " to take about 10 s as measured, up to 2730 points"), text);
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
    void automaticWavesGrowToTheirMeasuredTimeAndBackWithinTheirBounds() {
        DryRunPlan p = DryRunPlan.of(SpecParser.parse(SpecTestSupport.resource("linear-stepsize.yaml"), List.of()), 2, 0);
        assertTrue(p.wavesGrow());
        assertEquals(512, p.nextWaveSize(64, 0.1), "6400 points would take 10 s; growth is at most 8x");
        assertEquals(1280, p.nextWaveSize(512, 4.0), "10 s at 512 points per 4 s");
        assertEquals(2730, p.nextWaveSize(512, 1.0), "never beyond the cost model's bound");
        assertEquals(256, p.nextWaveSize(512, 20.0), "a slower region shrinks the waves");
        assertEquals(64, p.nextWaveSize(64, 60.0), "never below the first waves' size");
        assertEquals(512, p.nextWaveSize(64, 0.0), "an instant wave grows by the most allowed");

        DryRunPlan fixed = DryRunPlan.of(SpecTestSupport.parse("name: w\ngrid: {seed: 'range(0, 100)'}\njob: {wave_size: 30}\n"), 2, 0);
        assertFalse(fixed.wavesGrow());
        assertEquals(30, fixed.nextWaveSize(30, 0.01), "job.wave_size is kept whatever the waves take");
        assertEquals(30, fixed.maxWaveSize());
        assertTrue(fixed.describe().contains("waves:      4 of up to 30 points\n"), fixed.describe());
    }

    @Test
    void automaticWavesAimAtTenMinutes() {
        assertEquals(1000, DryRunPlan.autoWaveSize(1000, 100));
        assertEquals(250, DryRunPlan.autoWaveSize(1000, 2400));
        assertEquals("42 s", DryRunPlan.human(42));
        assertEquals("2.5 h", DryRunPlan.human(9000));
    }

    @Test
    void aRefinementSaysHowManyRunsItMayAddAtMost() {
        // groups x seeds = 2 d x 2 seeds = 4 runs per new value; the widest neighbours 0.3 and 1 (ln 10/3 = 1.204)
        // against ln 1.02 = 0.0198 with k = 3: 1.204 / 4^2 = 0.075, 1.204 / 4^3 = 0.0188, three rounds; 3 x 3 x 4 = 36 runs
        SweepSpec s = SpecTestSupport.parse(SpecRefineTest.SPEC);
        DryRunPlan p = DryRunPlan.of(s, 2, 0);
        assertEquals(16, p.included(), "the grid alone");
        assertEquals(3, p.refine().rounds());
        assertEquals(4, p.refine().runsPerValue());
        assertEquals(36, p.refine().maxRuns());
        String text = p.describe();
        assertTrue(text.contains("refine:     step_size, log scale, all_converged: at most 36 more runs"
                + " (3 rounds x 3 values x 4 runs per value: groups x seeds)"), text);
        assertTrue(text.contains("target width 0.02: 3 rounds from the widest neighbouring grid values (the round limit)"), text);

        DryRunPlan given = DryRunPlan.of(SpecTestSupport.parse(SpecRefineTest.SPEC, "refine.rounds=5",
                "refine.criterion=converged_fraction", "refine.threshold=0.5"), 2, 0);
        assertEquals(5 * 3 * 4, given.refine().maxRuns(), "the rounds given are the limit");
        assertTrue(given.describe().contains("converged_fraction >= 0.5"), given.describe());
        assertFalse(given.describe().contains("all_converged"), given.describe());
        assertNull(DryRunPlan.of(SpecTestSupport.parse("name: n\ngrid: {d: [1, 2]}\n"), 2, 0).refine());
    }
}
