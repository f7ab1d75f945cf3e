package org.deqsweep.sweep.refine;

import java.util.List;

/**
 * Where one group's boundary lies among the values tried so far (DESIGN 4.7): the smallest failing
 * value ({@code upper}) and the largest passing value below it ({@code lower}).
 *
 * @param kind            {@link Kind#BRACKETED}, or why there is no bracket
 * @param lower           the largest passing value below {@code upper}; NaN when none
 * @param upper           the smallest failing value; NaN when none
 * @param relativeWidth   the scale's relative width of [lower, upper]; NaN without a bracket
 * @param undecidedInside values strictly between lower and upper that neither passed nor failed, ascending
 * @param passesAbove     passing values above {@code upper}, ascending: non-empty means the outcomes are not
 *                        monotone in the key (the bracket is still the one below the smallest failure)
 * @param reason          for a group without a bracket, why, in words; empty when bracketed
 */
public record Bracket(Kind kind, double lower, double upper, double relativeWidth, List<Double> undecidedInside,
                      List<Double> passesAbove, String reason) {

    /** Whether a group has a bracket, and if not, why. */
    public enum Kind {
        /** A passing value below the smallest failing one. */
        BRACKETED,
        /** No value of the group has all its runs done. */
        NO_DATA,
        /** No value failed: the boundary lies above every value tried (or nothing was decided). */
        NO_FAILURE,
        /** Some value failed, but no value below the smallest failure passed: the boundary lies below. */
        NO_PASS_BELOW_FAILURE
    }

    public Bracket {
        undecidedInside = List.copyOf(undecidedInside);
        passesAbove = List.copyOf(passesAbove);
    }

    public boolean bracketed() {
        return kind == Kind.BRACKETED;
    }

    /** True when some value above the smallest failure passed. */
    public boolean nonMonotone() {
        return !passesAbove.isEmpty();
    }
}
