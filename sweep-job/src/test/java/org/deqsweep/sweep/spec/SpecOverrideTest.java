package org.deqsweep.sweep.spec;

import static org.deqsweep.sweep.spec.SpecTestSupport.axis;
import static org.deqsweep.sweep.spec.SpecTestSupport.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** --set path=value overrides (DESIGN 4): explicit sections, bare run keys, and refusals. */
class SpecOverrideTest {

    private static final String BASE = String.join("\n",
            "name: base",
            "family: general_deq",
            "grid:",
            "  d: [5, 10]",
            "  step_size: [0.1, 0.01]",
            "zip:",
            "  - {n: [100, 200], max_steps: [10, 20]}",
            "fixed:",
            "  width: 4",
            "  forward: {solver: anderson, tol: 1.0e-12}",
            "job:",
            "  wave_size: 10",
            "");

    @Test
    void gridListReplacedInPlace() {
        SweepSpec s = parse(BASE, "grid.d=[8,16,32]");
        assertEquals(List.of(8, 16, 32), axis(s, "d"));
        assertEquals("d", s.grid().get(0).key(), "the dimension keeps its position");
        assertEquals(3L * 2 * 2, s.toGrid().size());
    }

    @Test
    void gridKeyOverriddenWithScalarIsOneValue() {
        SweepSpec viaSection = parse(BASE, "grid.d=8");
        assertEquals(List.of(8), axis(viaSection, "d"));
        SweepSpec bare = parse(BASE, "d=8");
        assertEquals(List.of(8), axis(bare, "d"));
        assertEquals(2L * 2, bare.toGrid().size());
    }

    @Test
    void valueFormsInOverrides() {
        SweepSpec s = parse(BASE, "grid.step_size=logspace(1e-3,1,4)");
        assertEquals(List.of(0.001, 0.01, 0.1, 1.0), axis(s, "step_size"));
    }

    @Test
    void fixedNameAndJob() {
        SweepSpec s = parse(BASE, "fixed.noise=0.5", "name=foo", "job.wave_size=50", "description=a b c");
        assertEquals(0.5, s.fixed().get("noise"));
        assertEquals("foo", s.name());
        assertEquals(50, s.job().waveSize());
        assertEquals("a b c", s.description());
        assertEquals(List.of("fixed.noise=0.5", "name=foo", "job.wave_size=50", "description=a b c"), s.overrides());
        assertFalse(s.rawText().contains("foo"), "the raw text is the spec as read");
        assertTrue(s.canonicalJson().contains("\"foo\""), "the canonical JSON is the spec as resolved");
    }

    @Test
    void fixedKeyMovedToGrid() {
        SweepSpec s = parse(BASE, "grid.width=[2,4]");
        assertEquals(List.of(2, 4), axis(s, "width"));
        assertFalse(s.fixed().containsKey("width"));
    }

    @Test
    void gridKeyMovedToFixed() {
        SweepSpec s = parse(BASE, "fixed.d=3");
        assertEquals(3, s.fixed().get("d"));
        assertFalse(s.varyingKeys().contains("d"));
    }

    @Test
    void bareKeyReplacedWhereverItLives() {
        SweepSpec zipped = parse(BASE, "max_steps=[30,40]");
        assertEquals(List.of(30, 40), zipped.zip().get(0).axes().get(1).values());
        SweepSpec nested = parse(BASE, "forward.tol=1e-8");
        assertEquals(1e-8, nested.fixed().get("forward_tol"));
        SweepSpec fixed = parse(BASE, "width=2");
        assertEquals(2, fixed.fixed().get("width"));
        SweepSpec fresh = parse(BASE, "noise=0.25");
        assertEquals(0.25, fresh.fixed().get("noise"), "a run key given nowhere goes to fixed");
        SweepSpec family = parse(BASE, "family=linear_deq", "fixed.activation=identity");
        assertEquals("linear_deq", family.family());
    }

    @Test
    void laterOverrideWins() {
        SweepSpec s = parse(BASE, "d=[1,2]", "d=[3]");
        assertEquals(List.of(3), axis(s, "d"));
    }

    @Test
    void unknownPathsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> parse(BASE, "foo.bar=1"));
        assertEquals("foo.bar", e.path());
        assertTrue(e.allowed().contains("grid.KEY"), e.getMessage());

        e = assertThrows(SpecException.class, () -> parse(BASE, "job.wavesize=3"));
        assertEquals("job.wavesize", e.path());
        assertTrue(e.allowed().contains("did you mean wave_size?"), e.getMessage());

        e = assertThrows(SpecException.class, () -> parse(BASE, "grid.stepsize=[0.1]"));
        assertEquals("grid.stepsize", e.path());
        assertTrue(e.allowed().contains("did you mean step_size?"), e.getMessage());

        e = assertThrows(SpecException.class, () -> parse(BASE, "stepsize=0.1"));
        assertTrue(e.allowed().contains("did you mean step_size?"), e.getMessage());

        e = assertThrows(SpecException.class, () -> parse(BASE, "zip.n=[1,2]"));
        assertEquals("zip.n", e.path());

        e = assertThrows(SpecException.class, () -> parse(BASE, "no-equals-sign"));
        assertTrue(e.allowed().contains("path=value"), e.getMessage());
    }

    @Test
    void overriddenValuesAreValidatedLikeTheSpec() {
        SpecException e = assertThrows(SpecException.class, () -> parse(BASE, "grid.d=[8,-1]"));
        assertEquals("grid.d[1]", e.path());
        e = assertThrows(SpecException.class, () -> parse(BASE, "max_steps=[1,2,3]"));
        assertEquals("zip[0].max_steps", e.path());
        e = assertThrows(SpecException.class, () -> parse(BASE, "grid.step_size=[0.1, .nan]"));
        assertEquals("grid.step_size[1]", e.path());
    }
}
