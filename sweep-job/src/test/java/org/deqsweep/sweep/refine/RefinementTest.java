package org.deqsweep.sweep.refine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bracket, the verdicts, the placement and the bounds of {@link Refinement} (DESIGN 4.7), case by case. */
class RefinementTest {

    static final Refine ALL_LOG = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, 6, null, 3);

    static Outcome pass(double v) {
        return new Outcome(v, 4, 4, 0);
    }

    static Outcome fail(double v) {
        return new Outcome(v, 4, 3, 1);
    }

    /** Every run neither converged nor failed (MAX_STEPS). */
    static Outcome undecided(double v) {
        return new Outcome(v, 4, 2, 0);
    }

    @Test
    void verdictsOfAllConverged() {
        assertEquals(Verdict.PASS, Refinement.verdict(new Outcome(1, 5, 5, 0), ALL_LOG));
        assertEquals(Verdict.FAIL, Refinement.verdict(new Outcome(1, 5, 4, 1), ALL_LOG));
        assertEquals(Verdict.FAIL, Refinement.verdict(new Outcome(1, 5, 0, 5), ALL_LOG));
        assertEquals(Verdict.UNDECIDED, Refinement.verdict(new Outcome(1, 5, 4, 0), ALL_LOG), "one MAX_STEPS seed, none failed");
        assertEquals(Verdict.UNDECIDED, Refinement.verdict(new Outcome(1, 5, 0, 0), ALL_LOG));
    }

    @Test
    void verdictsOfAConvergedFractionAtTheExactThreshold() {
        Refine r = new Refine("step_size", Scale.LOG, Criterion.CONVERGED_FRACTION, 0.3, 2, null, 1);
        assertEquals(Verdict.PASS, Refinement.verdict(new Outcome(1, 10, 3, 7), r), "3/10 is 0.3: passes (no 0.30000000000000004)");
        assertEquals(Verdict.FAIL, Refinement.verdict(new Outcome(1, 10, 2, 8), r));
        assertEquals(Verdict.UNDECIDED, Refinement.verdict(new Outcome(1, 10, 2, 7), r), "the MAX_STEPS run could make it 3/10");
    }

    @Test
    void monotoneOutcomesBracketBetweenNeighbours() {
        Bracket b = Refinement.bracket(List.of(pass(0.01), fail(1.0), pass(0.1), fail(0.3)), ALL_LOG);
        assertTrue(b.bracketed());
        assertEquals(0.1, b.lower());
        assertEquals(0.3, b.upper());
        assertEquals(0.3 / 0.1 - 1, b.relativeWidth());
        assertFalse(b.nonMonotone());
        assertTrue(b.undecidedInside().isEmpty());
    }

    @Test
    void aPassAboveAFailureIsReportedAndTheBracketStaysBelowTheSmallestFailure() {
        Bracket b = Refinement.bracket(List.of(pass(0.01), pass(0.1), fail(0.3), pass(1.0), fail(3.0), pass(10.0)), ALL_LOG);
        assertTrue(b.bracketed());
        assertEquals(0.1, b.lower());
        assertEquals(0.3, b.upper());
        assertTrue(b.nonMonotone());
        assertEquals(List.of(1.0, 10.0), b.passesAbove());
    }

    @Test
    void undecidedValuesInsideAreListedAndDoNotMoveTheEnds() {
        Bracket b = Refinement.bracket(List.of(pass(0.1), undecided(0.2), undecided(0.25), fail(0.4), undecided(0.05)), ALL_LOG);
        assertEquals(0.1, b.lower());
        assertEquals(0.4, b.upper());
        assertEquals(List.of(0.2, 0.25), b.undecidedInside());
    }

    @Test
    void groupsWithoutABracketSayWhy() {
        Bracket none = Refinement.bracket(List.of(), ALL_LOG);
        assertEquals(Bracket.Kind.NO_DATA, none.kind());
        assertTrue(Double.isNaN(none.lower()) && Double.isNaN(none.upper()) && Double.isNaN(none.relativeWidth()));

        Bracket allPass = Refinement.bracket(List.of(pass(0.1), pass(1.0)), ALL_LOG);
        assertEquals(Bracket.Kind.NO_FAILURE, allPass.kind());
        assertEquals(1.0, allPass.lower(), "the largest pass is kept: the boundary is above it");
        assertTrue(allPass.reason().contains("above the values tried"), allPass.reason());

        Bracket allFail = Refinement.bracket(List.of(fail(0.1), fail(1.0)), ALL_LOG);
        assertEquals(Bracket.Kind.NO_PASS_BELOW_FAILURE, allFail.kind());
        assertEquals(0.1, allFail.upper());
        assertTrue(allFail.reason().contains("already fails"), allFail.reason());

        Bracket undecidedBelow = Refinement.bracket(List.of(undecided(0.1), fail(1.0), pass(3.0)), ALL_LOG);
        assertEquals(Bracket.Kind.NO_PASS_BELOW_FAILURE, undecidedBelow.kind());
        assertEquals(List.of(3.0), undecidedBelow.passesAbove());

        Bracket allUndecided = Refinement.bracket(List.of(undecided(0.1), undecided(1.0)), ALL_LOG);
        assertEquals(Bracket.Kind.NO_FAILURE, allUndecided.kind());
        assertTrue(allUndecided.reason().contains("every one undecided"), allUndecided.reason());

        for (Bracket b : List.of(none, allPass, allFail, undecidedBelow, allUndecided)) {
            assertEquals(List.of(), Refinement.nextPoints(b, ALL_LOG, List.of()), "nothing is placed, nothing guessed: " + b);
            assertFalse(Refinement.reached(b, withTarget(ALL_LOG, 10.0)));
        }
    }

    @Test
    void aValueTwiceIsACallerMistake() {
        assertThrows(IllegalArgumentException.class, () -> Refinement.bracket(List.of(pass(0.1), fail(0.1)), ALL_LOG));
    }

    @Test
    void logPointsCutTheBracketIntoEqualRatios() {
        Bracket b = Refinement.bracket(List.of(pass(0.1), fail(1.6)), ALL_LOG);
        List<Double> p = Refinement.nextPoints(b, ALL_LOG, List.of(0.1, 1.6));
        assertEquals(3, p.size());
        double[] expected = {0.2, 0.4, 0.8};
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], p.get(i), 1e-14, p.toString());
        }
        Refine lin = new Refine("step_size", Scale.LINEAR, Criterion.ALL_CONVERGED, 1.0, 6, null, 4);
        Bracket bl = Refinement.bracket(List.of(pass(1.0), fail(2.0)), lin);
        assertClose(List.of(1.2, 1.4, 1.6, 1.8), Refinement.nextPoints(bl, lin, List.of()), 1e-15);
        assertEquals(1.0, bl.relativeWidth());
    }

    @Test
    void triedValuesAreNotPlacedAgain() {
        Refine bisect = new Refine("step_size", Scale.LINEAR, Criterion.ALL_CONVERGED, 1.0, 6, null, 1);
        Bracket b = Refinement.bracket(List.of(pass(1.0), fail(2.0)), bisect);
        assertEquals(List.of(1.5), Refinement.nextPoints(b, bisect, List.of()));
        assertEquals(List.of(), Refinement.nextPoints(b, bisect, List.of(1.5)));
    }

    @Test
    void aBracketAtDoublePrecisionPlacesNothing() {
        double lo = 1.0;
        double hi = Math.nextUp(1.0);
        Bracket b = Refinement.bracket(List.of(pass(lo), fail(hi)), ALL_LOG);
        assertEquals(List.of(), Refinement.nextPoints(b, ALL_LOG, List.of()));
    }

    @Test
    void undecidedValuesSplitThePointsBetweenTheTwoGapsByLength() {
        Refine lin = new Refine("step_size", Scale.LINEAR, Criterion.ALL_CONVERGED, 1.0, 6, null, 4);
        // gaps (1, 2) of length 1 and (4, 7) of length 3: 4 points go 1 and 3
        Bracket b = Refinement.bracket(List.of(pass(1.0), undecided(2.0), undecided(4.0), fail(7.0)), lin);
        List<Double> p = Refinement.nextPoints(b, lin, List.of(1.0, 2.0, 4.0, 7.0));
        assertEquals(List.of(1.5, 4.75, 5.5, 6.25), p);
        // k = 1: the point goes to the longer gap, a tie to the lower one
        Refine one = new Refine("step_size", Scale.LINEAR, Criterion.ALL_CONVERGED, 1.0, 6, null, 1);
        assertEquals(List.of(5.5), Refinement.nextPoints(b, one, List.of()));
        Bracket tie = Refinement.bracket(List.of(pass(1.0), undecided(2.0), fail(3.0)), one);
        assertEquals(List.of(1.5), Refinement.nextPoints(tie, one, List.of()));
    }

    @Test
    void predictedRoundsFromTheWidestNeighbours() {
        // log grid 0.01, 0.1, 1 (ratio 10), k = 3: ln 10 / 4^R <= ln 1.02 needs R = 3 (ln10/64 = 0.036 > 0.0198), R = 4 (0.009)
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.02, 3);
        assertEquals(4, Refinement.predictedRounds(List.of(1.0, 0.01, 0.1), r));
        assertEquals(4, Refinement.roundLimit(List.of(1.0, 0.01, 0.1), r), "without rounds the prediction is the limit");
        // a finer neighbour pair does not matter, the widest does
        assertEquals(4, Refinement.predictedRounds(List.of(0.01, 0.011, 0.1, 1.0), r));
        // already narrow enough: no round
        assertEquals(0, Refinement.predictedRounds(List.of(1.0, 1.01), r));
        // with rounds given, those are the limit
        Refine both = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, 2, 0.02, 3);
        assertEquals(2, Refinement.roundLimit(List.of(0.01, 0.1, 1.0), both));
        assertEquals(4, Refinement.predictedRounds(List.of(0.01, 0.1, 1.0), both));
        // linear: relative width (2 - 1) / 1 = 1 against 0.1 with k = 1: 1/2^4 = 0.0625 <= 0.1
        Refine lin = new Refine("step_size", Scale.LINEAR, Criterion.ALL_CONVERGED, 1.0, null, 0.1, 1);
        assertEquals(4, Refinement.predictedRounds(List.of(1.0, 2.0, 2.5), lin));
        assertEquals(0, Refinement.predictedRounds(List.of(1.0, 2.0), ALL_LOG), "no target, no prediction");
    }

    @Test
    void anExactTieCostsTheBoundOneRoundNeverOneShort() {
        // linear width 1 against 1/16 with k = 1: four exact bisections reach 1/16 itself; the margin that
        // covers placements a few ulps off counts five
        Refine lin = new Refine("step_size", Scale.LINEAR, Criterion.ALL_CONVERGED, 1.0, null, 1.0 / 16, 1);
        assertEquals(5, Refinement.predictedRounds(List.of(1.0, 2.0), lin));
        Refine looser = RefinementTest.withTarget(lin, 1.0 / 16 * (1 + 1e-5));
        assertEquals(4, Refinement.predictedRounds(List.of(1.0, 2.0), looser));
    }

    @Test
    void theBudgetMultipliesRoundsPointsAndRunsPerValue() {
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.02, 3);
        Refinement.Budget b = Refinement.budget(List.of(0.01, 0.1, 1.0), 2 * 5, r);
        assertEquals(4, b.rounds());
        assertEquals(4L * 3 * 10, b.maxRuns());
        Refinement.Budget given = Refinement.budget(List.of(0.01, 0.1, 1.0), 10, ALL_LOG);
        assertEquals(6L * 3 * 10, given.maxRuns());
        assertEquals(0, given.predictedRounds());
    }

    @Test
    void uniformGridOfTheSameResolution() {
        // 0.01 to 1 at 2% spacing: ln(100) / ln(1.02) = 232.6 steps, 234 points
        assertEquals(234, Refinement.uniformPoints(List.of(0.01, 0.1, 1.0), 0.02, Scale.LOG));
        // 1 to 2 linear at 0.1 of 1: 10 steps, 11 points
        assertEquals(11, Refinement.uniformPoints(List.of(1.0, 2.0), 0.1, Scale.LINEAR));
    }

    @Test
    void badRecordsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Outcome(0.0, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Outcome(1.0, 2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new Outcome(1.0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Refine("s", Scale.LOG, Criterion.ALL_CONVERGED, 0.5, 1, null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Refine("s", Scale.LOG, Criterion.ALL_CONVERGED, 1, null, null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Refine("s", Scale.LOG, Criterion.ALL_CONVERGED, 1, 1, 1e-7, 1));
        assertThrows(IllegalArgumentException.class, () -> new Refine("s", Scale.LOG, Criterion.ALL_CONVERGED, 1, 1, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new Refine("s", Scale.LOG, Criterion.CONVERGED_FRACTION, 0, 1, null, 1));
    }

    static Refine withTarget(Refine r, double target) {
        return new Refine(r.key(), r.scale(), r.criterion(), r.threshold(), r.rounds(), target, r.pointsPerRound());
    }

    private static void assertClose(List<Double> expected, List<Double> actual, double tol) {
        assertEquals(expected.size(), actual.size(), actual.toString());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), tol, actual.toString());
        }
    }
}
