package org.deqsweep.sweep.refine;

import java.util.List;
import java.util.Locale;

/**
 * What makes a value of the refined key pass (DESIGN 4.7), over the runs of one value (its seeds).
 * Both criteria are one rule with a threshold t: a value <b>passes</b> when at least a fraction t of
 * its runs CONVERGED, <b>fails</b> when even counting every run that did not fail as converged the
 * fraction stays below t, and is <b>undecided</b> otherwise (runs that neither converged nor failed,
 * such as MAX_STEPS, decide it).
 */
public enum Criterion {
    /** t = 1: every seed CONVERGED passes; some seed failed fails. */
    ALL_CONVERGED,
    /** t = {@code refine.threshold} in (0, 1]. */
    CONVERGED_FRACTION;

    /** The spellings of the {@code refine.criterion} key, in the order they are documented. */
    public static final List<String> KEYS = List.of("all_converged", "converged_fraction");

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The criterion spelled {@code key}, or null when there is none. */
    public static Criterion of(String key) {
        for (Criterion c : values()) {
            if (c.key().equals(key)) {
                return c;
            }
        }
        return null;
    }
}
