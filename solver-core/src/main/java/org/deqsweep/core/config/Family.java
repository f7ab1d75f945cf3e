package org.deqsweep.core.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The model families (DESIGN 2); a spec names one by its key, {@code general_deq} and so on. */
public enum Family {
    /** z* = act(A z* + W x + b), f(x) = v . z*: covers every model below (DESIGN 2.1). */
    GENERAL_DEQ,
    /** identity activation (scalar by default): the conservation law and linear convergence of GD (DESIGN 2.2). */
    LINEAR_DEQ,
    /** the scalar-state single-index DEQ (DESIGN 2.3). */
    SINGLE_INDEX_DEQ,
    /** the single-index baseline with A = 0 (DESIGN 2.3). */
    EXPLICIT,
    /** wide DEQ with He-style initialisation (DESIGN 2.4). */
    OVERPARAM_DEQ,
    /** z = gamma softmax(A) z + phi(x): the nonlinearity on the weights (DESIGN 2.4). */
    IMPLICIT_LAYER;

    /** The spec's name for this family. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The family a spec names; the caller has validated the key against {@link #keys()}. */
    public static Family of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }

    /** Every key, in declaration order (the schema's allowed values). */
    public static List<String> keys() {
        return Arrays.stream(values()).map(Family::key).toList();
    }

    /** The families with a scalar state z (width 1 by default, v = 1 frozen): linear, single-index, explicit. */
    public boolean scalar() {
        return this == LINEAR_DEQ || this == SINGLE_INDEX_DEQ || this == EXPLICIT;
    }

    @Override
    public String toString() {
        return key();
    }
}
