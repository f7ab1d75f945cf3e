package org.deqsweep.sweep.refine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Refinement run to the end against synthetic oracles whose boundary is known (DESIGN 4.7): the
 * bracket always holds the boundary, reaches the target within the predicted rounds, and a killed,
 * resumed, repeated or extended refinement places the same values bit for bit.
 */
class RefinementSimulationTest {

    private static final List<Double> GRID = List.of(0.01, 0.0316227766017, 0.1, 0.316227766017, 1.0, 3.16227766017, 10.0);
    private static final int SEEDS = 4;

    /** Every seed converges at or below c, every seed diverges above. */
    private static DoubleFunction<Outcome> threshold(double c) {
        return v -> v <= c ? new Outcome(v, SEEDS, SEEDS, 0) : new Outcome(v, SEEDS, 0, SEEDS);
    }

    /**
     * A simulated sweep: runs whatever {@link Refinement#progress} asks for until the group is done,
     * counting the runs. {@code ran} holds the values whose runs are done.
     */
    private static final class Sweep {
        final Set<Double> ran = new HashSet<>();
        final DoubleFunction<Outcome> oracle;
        final List<Double> grid;
        long runs;

        Sweep(List<Double> grid, DoubleFunction<Outcome> oracle) {
            this.grid = grid;
            this.oracle = oracle;
        }

        Function<Double, Outcome> lookup() {
            return v -> ran.contains(v) ? oracle.apply(v) : null;
        }

        Refinement.Progress run(Refine r) {
            for (int guard = 0; guard < 1000; guard++) {
                Refinement.Progress p = Refinement.progress(grid, lookup(), r);
                if (p.done()) {
                    return p;
                }
                for (double v : p.toRun()) {
                    ran.add(v);
                    runs += oracle.apply(v).runs();
                }
            }
            throw new AssertionError("no end after 1000 rounds");
        }
    }

    private static List<Double> criticalValues(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(0.01 * Math.pow(1000, rnd.nextDouble())); // log-uniform in (0.01, 10)
        }
        return out;
    }

    @Test
    void theBracketHoldsTheBoundaryAndReachesTheTargetWithinThePredictedRounds() {
        for (Scale scale : Scale.values()) {
            for (int k : new int[] {1, 2, 3, 7}) {
                for (double target : new double[] {0.2, 0.02, 1e-3}) {
                    Refine r = new Refine("step_size", scale, Criterion.ALL_CONVERGED, 1.0, null, target, k);
                    int predicted = Refinement.predictedRounds(GRID, r);
                    for (double c : criticalValues(40, 42L + k)) {
                        Sweep s = new Sweep(GRID, threshold(c));
                        Refinement.Progress p = s.run(r);
                        String what = scale + " k=" + k + " target=" + target + " c=" + c + ": " + p;
                        assertEquals(Refinement.State.TARGET_REACHED, p.state(), what);
                        assertTrue(p.bracket().lower() <= c && c < p.bracket().upper(), what);
                        assertTrue(p.bracket().relativeWidth() <= target, what);
                        assertTrue(p.round() <= predicted, what + " took " + p.round() + " rounds, predicted " + predicted);
                        for (int i = 1; i < p.rounds().size(); i++) {
                            assertTrue(p.rounds().get(i).size() <= k, what);
                        }
                        assertEquals(s.runs - GRID.size() * SEEDS, p.runsSpent(), what);
                        assertTrue(p.runsSpent() <= Refinement.budget(GRID, SEEDS, r).maxRuns(), what);
                    }
                }
            }
        }
    }

    @Test
    void onTheLogScaleThePredictionIsExactForABoundaryInTheWidestGap() {
        // the widest neighbours of this grid are 1 and 10; k = 3: ln 10 / 4^R <= ln 1.02 at R = 4
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.02, 3);
        List<Double> grid = List.of(0.1, 0.2, 0.5, 1.0, 10.0);
        Refinement.Progress p = new Sweep(grid, threshold(Math.PI)).run(r);
        assertEquals(Refinement.State.TARGET_REACHED, p.state());
        assertEquals(4, p.round());
        assertEquals(Refinement.predictedRounds(grid, r), p.round());
        assertEquals(4L * 3 * SEEDS, p.runsSpent(), "every round adds k values of SEEDS runs");
    }

    @Test
    void roundsAloneStopAtTheRoundLimitAndShrinkTheBracketByKPlusOneEachRound() {
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, 5, null, 3);
        double c = 0.5;
        Refinement.Progress p = new Sweep(GRID, threshold(c)).run(r);
        assertEquals(Refinement.State.ROUND_LIMIT, p.state());
        assertEquals(5, p.round());
        double span = Math.log(p.bracket().upper() / p.bracket().lower());
        assertEquals(Math.log(Math.sqrt(10)) / Math.pow(4, 5), span, 1e-12, "ln(upper/lower) / (k+1) per round");
        assertTrue(p.bracket().lower() <= c && c < p.bracket().upper());
    }

    @Test
    void aConvergedFractionBracketsTheValueWhereTheFractionCrossesTheThreshold() {
        int seeds = 10;
        double[] crit = new double[seeds];
        for (int s = 0; s < seeds; s++) {
            crit[s] = 0.4 * (1 + 0.08 * (s - 4.5) / 4.5); // each seed's own critical value, from 0.368 to 0.432
        }
        DoubleFunction<Outcome> oracle = v -> {
            int conv = 0;
            for (double cs : crit) {
                conv += v <= cs ? 1 : 0;
            }
            return new Outcome(v, seeds, conv, seeds - conv);
        };
        for (double t : new double[] {0.1, 0.5, 0.7, 1.0}) {
            double[] sorted = crit.clone();
            Arrays.sort(sorted);
            // passes iff at least ceil(t * seeds) seeds converge, i.e. v <= the ceil(t * seeds)-th largest critical value
            int need = (int) Math.ceil(t * seeds - 1e-9);
            double boundary = sorted[seeds - need];
            Refine r = new Refine("step_size", Scale.LOG, Criterion.CONVERGED_FRACTION, t, null, 1e-3, 3);
            Refinement.Progress p = new Sweep(GRID, oracle).run(r);
            String what = "t=" + t + " boundary=" + boundary + ": " + p;
            assertEquals(Refinement.State.TARGET_REACHED, p.state(), what);
            assertTrue(p.bracket().lower() <= boundary && boundary < p.bracket().upper(), what);
            assertTrue(p.round() <= Refinement.predictedRounds(GRID, r), what);
        }
    }

    @Test
    void anUndecidedBandIsNarrowedFromBothSidesAndNeverLeavesTheBracketWithoutTheBoundary() {
        // converged up to 0.45, MAX_STEPS (neither) up to c = 0.5, diverged above: the target 1e-3 is narrower
        // than the band, so the group stops at the round limit with the band inside its bracket
        double c = 0.5;
        double band = 0.45;
        DoubleFunction<Outcome> oracle = v -> v <= band ? new Outcome(v, SEEDS, SEEDS, 0)
                : v <= c ? new Outcome(v, SEEDS, 0, 0) : new Outcome(v, SEEDS, 0, SEEDS);
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 1e-3, 3);
        Refinement.Progress p = new Sweep(GRID, oracle).run(r);
        assertEquals(Refinement.State.ROUND_LIMIT, p.state(), p.toString());
        assertEquals(Refinement.predictedRounds(GRID, r), p.round());
        Bracket b = p.bracket();
        assertTrue(b.lower() <= band && c < b.upper(), b.toString());
        assertFalse(b.undecidedInside().isEmpty());
        // both ends approach the band's edges: each within 5% of them after the rounds
        assertTrue(band / b.lower() - 1 < 0.05, b.toString());
        assertTrue(b.upper() / c - 1 < 0.05, b.toString());
    }

    @Test
    void aPassAboveTheBoundaryIsFlaggedAndTheBracketStaysAtTheSmallestFailure() {
        double c = 0.2;
        DoubleFunction<Outcome> oracle = v -> v <= c || v == 3.16227766017 ? new Outcome(v, SEEDS, SEEDS, 0)
                : new Outcome(v, SEEDS, 0, SEEDS);
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.01, 3);
        Refinement.Progress p = new Sweep(GRID, oracle).run(r);
        assertEquals(Refinement.State.TARGET_REACHED, p.state());
        assertTrue(p.bracket().nonMonotone());
        assertEquals(List.of(3.16227766017), p.bracket().passesAbove());
        assertTrue(p.bracket().lower() <= c && c < p.bracket().upper());
    }

    @Test
    void groupsWithoutABracketAddNothing() {
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, 6, 0.01, 3);
        for (double c : new double[] {100.0, 0.001}) {
            Sweep s = new Sweep(GRID, threshold(c));
            Refinement.Progress p = s.run(r);
            assertEquals(Refinement.State.NO_BRACKET, p.state());
            assertEquals(0, p.round());
            assertEquals(1, p.rounds().size(), "only the grid");
            assertEquals(GRID.size() * SEEDS, s.runs);
            assertEquals(0, p.runsSpent());
        }
    }

    @Test
    void aKilledRefinementResumesWithTheSameValuesAndAFinishedOneDoesNothing() {
        Refine r = new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 1e-4, 3);
        double c = 0.123456;
        Refinement.Progress straight = new Sweep(GRID, threshold(c)).run(r);

        // killed in every round: only the first value of each round is done before the "kill"
        Sweep killed = new Sweep(GRID, threshold(c));
        killed.ran.addAll(GRID);
        int kills = 0;
        while (true) {
            Refinement.Progress p = Refinement.progress(GRID, killed.lookup(), r);
            if (p.done()) {
                break;
            }
            assertEquals(straight.rounds().get(p.round()).subList(p.rounds().get(p.round()).size() - p.toRun().size(),
                    p.rounds().get(p.round()).size()), p.toRun(), "the values still to run are the round's, in order");
            killed.ran.add(p.toRun().get(0));
            kills++;
        }
        assertTrue(kills > straight.round(), "the refinement was interrupted in its rounds");
        Refinement.Progress resumed = Refinement.progress(GRID, killed.lookup(), r);
        assertSameBits(straight.rounds(), resumed.rounds());
        assertEquals(straight.bracket(), resumed.bracket());

        // a finished refinement asked again: done, nothing to run, the same rounds
        Refinement.Progress again = Refinement.progress(GRID, killed.lookup(), r);
        assertTrue(again.done());
        assertEquals(List.of(), again.toRun());
        assertSameBits(resumed.rounds(), again.rounds());
    }

    @Test
    void moreRoundsOrATighterTargetContinueTheSameSequence() {
        double c = 2.0 / 7.3;
        Sweep s = new Sweep(GRID, threshold(c));
        Refinement.Progress three = s.run(new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, 3, null, 3));
        long after3 = s.runs;
        Refinement.Progress six = s.run(new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, 6, null, 3));
        assertSameBits(three.rounds(), six.rounds().subList(0, three.rounds().size()));
        assertEquals(after3 + 3L * 3 * SEEDS, s.runs, "three more rounds, every earlier run reused");

        Sweep t = new Sweep(GRID, threshold(c));
        Refinement.Progress loose = t.run(new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.05, 3));
        Refinement.Progress tight = t.run(new Refine("step_size", Scale.LOG, Criterion.ALL_CONVERGED, 1.0, null, 0.001, 3));
        assertSameBits(loose.rounds(), tight.rounds().subList(0, loose.rounds().size()));
        assertTrue(tight.bracket().relativeWidth() <= 0.001);
    }

    @Test
    void placedValuesDependOnTheEndsAloneNotOnOrderOrValuesOutside() {
        // a resumed job hands over outcomes in whatever order Spark returns them, with other values around
        for (Scale scale : Scale.values()) {
            Refine r = new Refine("step_size", scale, Criterion.ALL_CONVERGED, 1.0, 4, null, 5);
            List<Outcome> two = List.of(new Outcome(0.0316227766017, 1, 1, 0), new Outcome(0.1, 1, 0, 1));
            List<Outcome> many = new ArrayList<>(List.of(new Outcome(3.0, 1, 0, 1), new Outcome(0.1, 1, 0, 1),
                    new Outcome(0.001, 1, 1, 0), new Outcome(0.5, 1, 0, 1), new Outcome(0.0316227766017, 1, 1, 0)));
            List<Double> expected = Refinement.nextPoints(Refinement.bracket(two, r), r, List.of());
            assertEquals(5, expected.size());
            for (long seed = 0; seed < 5; seed++) {
                java.util.Collections.shuffle(many, new java.util.Random(seed));
                Bracket b = Refinement.bracket(many, r);
                List<Double> tried = new ArrayList<>(List.of(3.0, 0.1, 0.001, 0.5, 0.0316227766017));
                java.util.Collections.shuffle(tried, new java.util.Random(seed + 100));
                assertSameBits(List.of(expected), List.of(Refinement.nextPoints(b, r, tried)));
            }
        }
    }

    static void assertSameBits(List<List<Double>> expected, List<List<Double>> actual) {
        assertEquals(expected.size(), actual.size(), "rounds: " + expected + " against " + actual);
        for (int i = 0; i < expected.size(); i++) {
            List<Double> e = expected.get(i);
            List<Double> a = actual.get(i);
            assertEquals(e.size(), a.size(), "round " + i);
            for (int j = 0; j < e.size(); j++) {
                assertEquals(Double.doubleToRawLongBits(e.get(j)), Double.doubleToRawLongBits(a.get(j)),
                        "round " + i + " value " + j + ": " + e.get(j) + " against " + a.get(j));
            }
        }
    }
}
