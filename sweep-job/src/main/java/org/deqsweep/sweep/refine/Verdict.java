package org.deqsweep.sweep.refine;

/** One value's outcome under a {@link Criterion}. */
public enum Verdict {
    PASS, FAIL, UNDECIDED
}
