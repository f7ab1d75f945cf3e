package org.deqsweep.sweep.refine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Adaptive refinement of one key, for one group of runs (the runs that share every other varying key
 * but the seed), as pure functions of the outcomes so far (DESIGN 4.7). No Spark and no state: the
 * sweep job asks {@link #progress} for each group after each round, and because every placed value is a
 * function of the values and outcomes of earlier rounds only, a resumed sweep regenerates the same
 * values, hence the same run_ids.
 *
 * <ul>
 *   <li>{@link #verdict}: pass, fail or undecided for one value ({@link Criterion}).</li>
 *   <li>{@link #bracket}: [largest pass below the smallest failure, smallest failure].</li>
 *   <li>{@link #nextPoints}: the k values of the next round, inside the bracket.</li>
 *   <li>{@link #progress}: the rounds replayed from the grid's values: what to run next, or why the
 *       group is done.</li>
 *   <li>{@link #roundLimit}, {@link #predictedRounds}, {@link #budget}: the bounds {@code --dry-run} prints.</li>
 * </ul>
 */
public final class Refinement {

    /**
     * The margin of {@link #predictedRounds}: the rounds are counted to reach {@code (1 - margin)} of the
     * target, so the few ulps by which placed values miss exact k-sections never need one round more.
     */
    static final double PREDICTION_MARGIN = 1e-6;

    private Refinement() {
    }

    /**
     * One value's verdict with threshold t = {@link Refine#threshold()}: PASS when converged / runs &gt;= t,
     * FAIL when (runs - failed) / runs &lt; t, UNDECIDED otherwise. For {@code all_converged} (t = 1): pass
     * when every run converged, fail when some run failed.
     */
    public static Verdict verdict(Outcome o, Refine r) {
        double t = r.threshold();
        if ((double) o.converged() / o.runs() >= t) {
            return Verdict.PASS;
        }
        if ((double) (o.runs() - o.failed()) / o.runs() < t) {
            return Verdict.FAIL;
        }
        return Verdict.UNDECIDED;
    }

    /**
     * The bracket of one group: upper is the smallest failing value, lower the largest passing value
     * below it. Passing values above upper are reported ({@link Bracket#passesAbove}), never used.
     *
     * @param outcomes the group's values with all their runs done, in any order, each value once
     * @throws IllegalArgumentException when a value appears twice
     */
    public static Bracket bracket(Collection<Outcome> outcomes, Refine r) {
        TreeMap<Double, Verdict> v = new TreeMap<>();
        for (Outcome o : outcomes) {
            if (v.put(o.value(), verdict(o, r)) != null) {
                throw new IllegalArgumentException("the value " + o.value() + " twice");
            }
        }
        if (v.isEmpty()) {
            return new Bracket(Bracket.Kind.NO_DATA, Double.NaN, Double.NaN, Double.NaN, List.of(), List.of(),
                    "no value of " + r.key() + " has all its runs done");
        }
        double upper = Double.NaN;
        for (Map.Entry<Double, Verdict> e : v.entrySet()) {
            if (e.getValue() == Verdict.FAIL) {
                upper = e.getKey();
                break;
            }
        }
        double lower = Double.NaN;
        List<Double> above = new ArrayList<>();
        for (Map.Entry<Double, Verdict> e : v.entrySet()) {
            if (e.getValue() == Verdict.PASS) {
                if (Double.isNaN(upper) || e.getKey() < upper) {
                    lower = e.getKey();
                } else {
                    above.add(e.getKey());
                }
            }
        }
        double first = v.firstKey();
        double last = v.lastKey();
        if (Double.isNaN(upper)) {
            String why = Double.isNaN(lower)
                    ? "no value of " + r.key() + " in [" + first + ", " + last + "] passed or failed (every one undecided)"
                    : "no value of " + r.key() + " failed up to " + last + ": the boundary lies above the values tried";
            return new Bracket(Bracket.Kind.NO_FAILURE, lower, Double.NaN, Double.NaN, List.of(), List.of(), why);
        }
        if (Double.isNaN(lower)) {
            String why = upper == first
                    ? "the smallest value of " + r.key() + ", " + upper + ", already fails: the boundary lies below the values tried"
                    : "no value of " + r.key() + " below the smallest failure, " + upper + ", passed";
            return new Bracket(Bracket.Kind.NO_PASS_BELOW_FAILURE, Double.NaN, upper, Double.NaN, List.of(), above, why);
        }
        List<Double> undecided = new ArrayList<>();
        for (Map.Entry<Double, Verdict> e : v.entrySet()) {
            if (e.getKey() > lower && e.getKey() < upper && e.getValue() == Verdict.UNDECIDED) {
                undecided.add(e.getKey());
            }
        }
        return new Bracket(Bracket.Kind.BRACKETED, lower, upper, r.scale().relativeWidth(lower, upper), undecided, above, "");
    }

    /** True when the group has a bracket and a target width, and the bracket is no wider. */
    public static boolean reached(Bracket b, Refine r) {
        return b.bracketed() && r.targetWidth() != null && b.relativeWidth() <= r.targetWidth();
    }

    /**
     * The values of the next round, ascending: k = {@link Refine#pointsPerRound()} values cutting the
     * bracket into k + 1 equal pieces on the scale. When undecided values lie inside the bracket, the
     * boundary is in one of the two gaps beside them, (lower, first undecided) and (last undecided, upper);
     * the k values are shared between those two gaps in proportion to their lengths (largest remainder,
     * ties to the lower gap) and cut each into equal pieces. Values already tried, and values that fall on
     * an end at double precision, are left out, so fewer than k (or none) may come back.
     *
     * @param tried every value the group has tried, done or not
     * @return nothing for a group without a bracket
     */
    public static List<Double> nextPoints(Bracket b, Refine r, Collection<Double> tried) {
        if (!b.bracketed()) {
            return List.of();
        }
        int k = r.pointsPerRound();
        Scale s = r.scale();
        List<double[]> gaps = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        if (b.undecidedInside().isEmpty()) {
            gaps.add(new double[] {b.lower(), b.upper()});
            counts.add(k);
        } else {
            double[] lowGap = {b.lower(), b.undecidedInside().get(0)};
            double[] highGap = {b.undecidedInside().get(b.undecidedInside().size() - 1), b.upper()};
            double g1 = s.span(lowGap[0], lowGap[1]);
            double g2 = s.span(highGap[0], highGap[1]);
            double q1 = k * g1 / (g1 + g2);
            int n1 = (int) Math.floor(q1);
            int n2 = (int) Math.floor(k - q1);
            if (n1 + n2 < k) {
                if (q1 - n1 >= (k - q1) - n2) {
                    n1++;
                } else {
                    n2++;
                }
            }
            gaps.add(lowGap);
            counts.add(n1);
            gaps.add(highGap);
            counts.add(n2);
        }
        Set<Double> seen = new HashSet<>(tried);
        TreeSet<Double> out = new TreeSet<>();
        for (int g = 0; g < gaps.size(); g++) {
            double lo = gaps.get(g)[0];
            double hi = gaps.get(g)[1];
            int j = counts.get(g);
            for (int i = 1; i <= j; i++) {
                double p = s.point(lo, hi, i, j + 1);
                if (p > lo && p < hi && seen.add(p)) {
                    out.add(p);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The most rounds a group may take: {@link Refine#rounds()} when given, else
     * {@link #predictedRounds}. It is enforced, so {@link #budget} is a true bound.
     */
    public static int roundLimit(List<Double> gridValues, Refine r) {
        return r.rounds() != null ? r.rounds() : predictedRounds(gridValues, r);
    }

    /**
     * The rounds after which a bracket between two neighbouring grid values is at most the target wide,
     * taking the widest neighbours: the smallest R with W / (k+1)^R &lt;= target (1 - margin), where W is
     * ln(upper/lower) against ln(1 + target) on the log scale (exact: each round divides it by k + 1) and
     * the relative width on the linear one (an upper bound: the lower end only rises). 0 without a target.
     * A group whose outcomes are not monotone or leave undecided values may need more.
     *
     * @param gridValues the refined key's grid values, at least two, all &gt; 0
     */
    public static int predictedRounds(List<Double> gridValues, Refine r) {
        if (r.targetWidth() == null) {
            return 0;
        }
        List<Double> v = new ArrayList<>(new TreeSet<>(gridValues));
        if (v.size() < 2) {
            throw new IllegalArgumentException("at least two distinct grid values, got " + gridValues);
        }
        double widest = 0;
        for (int i = 1; i < v.size(); i++) {
            double w = r.scale() == Scale.LOG ? r.scale().span(v.get(i - 1), v.get(i))
                    : r.scale().relativeWidth(v.get(i - 1), v.get(i));
            widest = Math.max(widest, w);
        }
        double goal = (r.scale() == Scale.LOG ? StrictMath.log1p(r.targetWidth()) : r.targetWidth()) * (1 - PREDICTION_MARGIN);
        int rounds = 0;
        while (widest > goal) {
            widest /= r.pointsPerRound() + 1;
            rounds++;
        }
        return rounds;
    }

    /**
     * The most runs a refinement may add, for {@code --dry-run}: rounds x k x (groups x seeds).
     *
     * @param rounds          {@link #roundLimit}
     * @param predictedRounds {@link #predictedRounds} (0 without a target)
     * @param pointsPerRound  k
     * @param runsPerValue    runs one new value of the key costs over all groups: groups x seeds, that is
     *                        the included grid points over the refined axis' length
     * @param maxRuns         rounds x k x runsPerValue
     */
    public record Budget(int rounds, int predictedRounds, int pointsPerRound, long runsPerValue, long maxRuns) {
    }

    /**
     * The {@link Budget} of a refinement over a grid.
     *
     * @param gridValues   the refined key's grid values
     * @param runsPerValue groups x seeds (the included points over the refined axis' length)
     */
    public static Budget budget(List<Double> gridValues, long runsPerValue, Refine r) {
        int limit = roundLimit(gridValues, r);
        long max = Math.multiplyExact(Math.multiplyExact((long) limit, r.pointsPerRound()), runsPerValue);
        return new Budget(limit, predictedRounds(gridValues, r), r.pointsPerRound(), runsPerValue, max);
    }

    /**
     * The points of a uniform grid over [min, max] of the grid's values whose neighbours are at most
     * {@code width} apart (relative, on the scale; on the linear scale measured at min): what the same
     * resolution costs without refinement, per group and seed.
     */
    public static long uniformPoints(List<Double> gridValues, double width, Scale scale) {
        TreeSet<Double> v = new TreeSet<>(gridValues);
        double lo = v.first();
        double hi = v.last();
        double steps = scale == Scale.LOG ? StrictMath.log(hi / lo) / StrictMath.log1p(width) : (hi - lo) / (width * lo);
        return (long) Math.ceil(steps * (1 - PREDICTION_MARGIN)) + 1;
    }

    /** Where a group's refinement stands. */
    public enum State {
        /** Some values of {@link Progress#round()} lack runs: run {@link Progress#toRun()}. */
        RUNNING,
        /** The bracket is at most the target wide. */
        TARGET_REACHED,
        /** {@link #roundLimit} rounds are done. */
        ROUND_LIMIT,
        /** The values tried hold no bracket ({@link Bracket#kind()} says why): nothing is added, nothing guessed. */
        NO_BRACKET,
        /** No new value fits inside the bracket at double precision. */
        EXHAUSTED
    }

    /**
     * One group's refinement, replayed round by round from the grid.
     *
     * @param state       where it stands
     * @param round       RUNNING: the round whose values lack runs (0 is the grid itself); else the rounds done
     * @param toRun       RUNNING: the values of that round that lack runs (all their seeds are to run,
     *                    resume skips those present); else empty
     * @param bracket     the bracket over every value done so far
     * @param rounds      the values of each round, round 0 the grid's, each ascending
     * @param runsSpent   runs at refined values (rounds 1 and later) that are done
     */
    public record Progress(State state, int round, List<Double> toRun, Bracket bracket, List<List<Double>> rounds,
                           long runsSpent) {
        public Progress {
            toRun = List.copyOf(toRun);
            rounds = List.copyOf(rounds);
        }

        public boolean done() {
            return state != State.RUNNING;
        }
    }

    /**
     * Replays a group's refinement from the grid: round 0 is the grid's values; round i + 1's values are
     * {@link #nextPoints} of the bracket over rounds 0..i. Stops at the first round with a value whose
     * runs are not all done (RUNNING), or when the group is done. Because round i + 1 depends only on the
     * outcomes of rounds 0..i, a killed refinement resumes with the same values, a finished one asked
     * again returns the same done state, and more rounds or a tighter target continue the same sequence.
     *
     * @param gridValues the refined key's grid values
     * @param outcomes   a value's outcome over the group's runs when every one of them is done, else null
     */
    public static Progress progress(List<Double> gridValues, Function<Double, Outcome> outcomes, Refine r) {
        int limit = roundLimit(gridValues, r);
        List<List<Double>> rounds = new ArrayList<>();
        rounds.add(List.copyOf(new TreeSet<>(gridValues)));
        Map<Double, Outcome> known = new LinkedHashMap<>();
        long spent = 0;
        for (int round = 0;; round++) {
            List<Double> missing = new ArrayList<>();
            for (double x : rounds.get(round)) {
                Outcome o = outcomes.apply(x);
                if (o == null) {
                    missing.add(x);
                } else {
                    if (o.value() != x) {
                        throw new IllegalArgumentException("the outcome of " + x + " is for " + o.value());
                    }
                    known.put(x, o);
                    spent += round > 0 ? o.runs() : 0;
                }
            }
            Bracket b = bracket(known.values(), r);
            if (!missing.isEmpty()) {
                return new Progress(State.RUNNING, round, missing, b, rounds, spent);
            }
            if (!b.bracketed()) {
                return new Progress(State.NO_BRACKET, round, List.of(), b, rounds, spent);
            }
            if (reached(b, r)) {
                return new Progress(State.TARGET_REACHED, round, List.of(), b, rounds, spent);
            }
            if (round >= limit) {
                return new Progress(State.ROUND_LIMIT, round, List.of(), b, rounds, spent);
            }
            List<Double> next = nextPoints(b, r, known.keySet());
            if (next.isEmpty()) {
                return new Progress(State.EXHAUSTED, round, List.of(), b, rounds, spent);
            }
            rounds.add(next);
        }
    }
}
