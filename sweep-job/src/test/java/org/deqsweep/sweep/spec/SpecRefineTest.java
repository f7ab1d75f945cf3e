package org.deqsweep.sweep.spec;

import static org.deqsweep.sweep.spec.SpecTestSupport.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.sweep.refine.Bracket;
import org.deqsweep.sweep.refine.Criterion;
import org.deqsweep.sweep.refine.Outcome;
import org.deqsweep.sweep.refine.Refine;
import org.deqsweep.sweep.refine.Refinement;
import org.deqsweep.sweep.refine.Scale;
import org.junit.jupiter.api.Test;

/**
 * The {@code refine:} section (DESIGN 4.7) as the parser reads it: defaults, the canonical JSON, --set,
 * and refined values that keep their run_id through text. Refusals are rows of {@link SpecMalformedTest}.
 */
class SpecRefineTest {

    /** The closed-form case of issue 15: explicit, identity, mse; GD diverges above 2 / lambda_max of (2/n) X^T X. */
    static final String SPEC = String.join("\n",
            "name: refine-explicit",
            "family: explicit",
            "grid:",
            "  step_size: [0.1, 0.3, 1.0, 3.0]",
            "  seed: [0, 1]",
            "  d: [2, 4]",
            "fixed: {activation: identity, n: 20, max_steps: 2000}",
            "refine: {key: step_size, target_width: 0.02}",
            "");

    @Test
    void defaultsAreLogAllConvergedAndThreePointsPerRound() {
        Refine r = parse(SPEC).refine();
        assertEquals(new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.02, 3), r);
    }

    @Test
    void everySettingIsRead() {
        SweepSpec s = parse(SPEC.replace("refine: {key: step_size, target_width: 0.02}",
                "refine: {key: step_size, scale: LINEAR, criterion: converged_fraction, threshold: 0.5, rounds: 4,"
                        + " target_width: 1e-3, points_per_round: 7}"));
        assertEquals(new Refine("step_size", Scale.LINEAR, Criterion.CONVERGED_FRACTION, 0.5, 4, 1e-3, 7), s.refine());
    }

    @Test
    void aNestedKeyIsItsFlatName() {
        SweepSpec s = parse("name: t\ngrid:\n  forward: {tol: [1.0e-8, 1.0e-10]}\nrefine: {key: forward.tol, rounds: 2}\n");
        assertEquals("forward_tol", s.refine().key());
    }

    @Test
    void noRefineSectionMeansNoRefinementAndTheSameCanonicalJson() {
        String without = SPEC.replace("refine: {key: step_size, target_width: 0.02}\n", "");
        SweepSpec s = parse(without);
        assertNull(s.refine());
        assertFalse(s.canonicalJson().contains("\"refine\":"), s.canonicalJson());
        assertNull(parse(SPEC + "", "refine=null").refine(), "--set refine=null turns it off");
        assertEquals(s.canonicalJson(), parse(SPEC, "refine=null").canonicalJson());
    }

    @Test
    void theCanonicalJsonRecordsEverySetting() {
        SweepSpec s = parse(SPEC);
        assertTrue(s.canonicalJson().endsWith(",\"refine\":{\"key\":\"step_size\",\"scale\":\"log\",\"criterion\":\"all_converged\","
                + "\"threshold\":null,\"rounds\":null,\"target_width\":0.02,\"points_per_round\":3}}"), s.canonicalJson());
        String spelledOut = SPEC.replace("refine: {key: step_size, target_width: 0.02}",
                "refine:\n  points_per_round: 3\n  target_width: 2.0e-2\n  scale: log\n  criterion: all_converged\n  key: step_size");
        assertEquals(s.canonicalJson(), parse(spelledOut).canonicalJson(), "two spellings, one canonical form");
    }

    @Test
    void setOverridesReachTheRefineSection() {
        SweepSpec s = parse(SPEC, "refine.rounds=8", "refine.points_per_round=1", "refine.scale=linear");
        assertEquals(8, s.refine().rounds());
        assertEquals(1, s.refine().pointsPerRound());
        assertEquals(Scale.LINEAR, s.refine().scale());
        assertEquals(0.02, s.refine().targetWidth());

        SweepSpec whole = parse(SPEC.replace("refine: {key: step_size, target_width: 0.02}\n", ""),
                "refine={key: step_size, rounds: 2}");
        assertEquals(2, whole.refine().rounds());

        SpecException e = assertThrows(SpecException.class, () -> parse(SPEC, "refine.round=3"));
        SpecMalformedTest.assertRefusal(e, "refine.round", "did you mean rounds?");
        e = assertThrows(SpecException.class, () -> parse(SPEC, "refine.rounds=0"));
        SpecMalformedTest.assertRefusal(e, "refine.rounds", "an integer >= 1 and <= 64");
        e = assertThrows(SpecException.class, () -> parse(SPEC, "refine.key=d"));
        SpecMalformedTest.assertRefusal(e, "refine.key", "a real-valued grid key with at least two values, all > 0: step_size");
        e = assertThrows(SpecException.class, () -> parse(SPEC, "grid.step_size=[0.1]"));
        SpecMalformedTest.assertRefusal(e, "refine.key", "a bracket needs");
    }

    /** The run_id of a point of the grid with the refined key set to {@code value}. */
    private static String runIdAt(SweepSpec spec, long index, double value) {
        Map<String, Object> point = new HashMap<>(spec.toGrid().point(index));
        point.put(spec.refine().key(), value);
        return RunConfig.fromMap(point).runId();
    }

    private static List<Double> firstRound(SweepSpec spec) {
        Refine r = spec.refine();
        Bracket b = Refinement.bracket(List.of(new Outcome(0.3, 2, 2, 0), new Outcome(1.0, 2, 0, 2)), r);
        return Refinement.nextPoints(b, r, List.of(0.1, 0.3, 1.0, 3.0));
    }

    @Test
    void refinedValuesKeepTheirRunIdThroughTextAndARegeneration() {
        SweepSpec spec = parse(SPEC);
        List<Double> placed = firstRound(spec);
        assertEquals(3, placed.size());
        List<Double> again = firstRound(parse(SPEC));
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < placed.size(); i++) {
            double v = placed.get(i);
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(again.get(i)), "regenerated bit for bit");
            texts.add(Double.toString(v));
        }
        // the values written as a spec's grid (as a manifest or the runs table would hold them) and read back
        SweepSpec written = parse(SPEC.replace("[0.1, 0.3, 1.0, 3.0]", texts.toString()));
        List<Object> read = SpecTestSupport.axis(written, "step_size");
        Grid g = written.toGrid();
        long perValue = g.size() / read.size();
        for (int i = 0; i < placed.size(); i++) {
            assertEquals(placed.get(i), read.get(i));
            // grid index i * perValue is the i-th step size with the first seed and d
            long index = i * perValue;
            assertEquals(g.config(index).runId(), runIdAt(spec, 0, placed.get(i)), "value " + placed.get(i));
        }
    }

    @Test
    void refinedValuesAndTheirRunIdsArePinned() {
        // [0.3, 1.0] in four equal ratios: 0.3 (1/0.3)^(i/4) = 0.40536..., 0.54772..., 0.74008...; a 50-digit
        // decimal computation (Python) puts each within half an ulp of these. Changing the placement changes
        // them, and with them the run_ids a resumed refinement looks for, so a change shows here first
        List<Double> placed = firstRound(parse(SPEC));
        assertEquals(List.of("0x1.9f16b43a4badcp-2", "0x1.186f174f88472p-1", "0x1.7aec222340adfp-1"),
                placed.stream().map(Double::toHexString).toList());
        // the run_id also moves with the config schema, like RunIdPinTest's pins (recompute it with them)
        assertEquals("cb5b95fb980599a2", runIdAt(parse(SPEC), 0, placed.get(0)));
    }
}
