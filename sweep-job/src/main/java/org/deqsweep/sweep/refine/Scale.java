package org.deqsweep.sweep.refine;

import java.util.List;
import java.util.Locale;

/**
 * How a refined key is measured (DESIGN 4.7): where the points of a round go inside a bracket and how
 * its relative width is taken. Every operation is IEEE arithmetic or {@link StrictMath}, so a placed
 * value is the same bits on every JVM and machine (its run_id depends on it).
 */
public enum Scale {
    /** Geometric: points evenly spaced in log(value); relative width upper / lower - 1. */
    LOG,
    /** Arithmetic: points evenly spaced in value; relative width (upper - lower) / lower. */
    LINEAR;

    /** The spellings of the {@code refine.scale} key, in the order they are documented. */
    public static final List<String> KEYS = List.of("log", "linear");

    /** The spec spelling: {@code log} or {@code linear}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scale spelled {@code key} (lower case, as {@link #KEYS}), or null when there is none. */
    public static Scale of(String key) {
        for (Scale s : values()) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The relative width of [lower, upper] (0 &lt; lower &lt;= upper): {@code upper / lower - 1} on the log
     * scale, {@code (upper - lower) / lower} on the linear one.
     */
    public double relativeWidth(double lower, double upper) {
        return this == LOG ? upper / lower - 1 : (upper - lower) / lower;
    }

    /** The additive length of [lower, upper] on this scale: ln(upper / lower), or upper - lower. */
    double span(double lower, double upper) {
        return this == LOG ? StrictMath.log(upper / lower) : upper - lower;
    }

    /**
     * The {@code i}-th of {@code parts - 1} interior points that cut [lower, upper] into {@code parts}
     * equal pieces on this scale: {@code lower (upper/lower)^(i/parts)} or
     * {@code lower + (upper - lower) i / parts}. A pure function of its arguments.
     */
    double point(double lower, double upper, int i, int parts) {
        if (this == LOG) {
            return lower * StrictMath.pow(upper / lower, (double) i / parts);
        }
        return lower + (upper - lower) * i / parts;
    }
}
