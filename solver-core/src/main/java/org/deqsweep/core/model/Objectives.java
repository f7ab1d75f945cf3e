package org.deqsweep.core.model;

import org.deqsweep.core.config.Family;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;

/** Picks the objective of a run: the implicit layer, the scalar path for width 1, or the general DEQ. */
public final class Objectives {
    private Objectives() {
    }

    /**
     * True when {@link ScalarDeqObjective} solves this config: a DEQ of width 1 whose forward solver is auto,
     * direct or newton and whose adjoint solver is auto or direct (at m = 1 these are the closed form and
     * Newton; a config that names picard, anderson or the iterative adjoint gets that solver, in the
     * general path).
     */
    public static boolean scalar(RunConfig cfg) {
        String fwd = cfg.forward().solver();
        String bwd = cfg.backward().solver();
        return cfg.family() != Family.IMPLICIT_LAYER && cfg.width() == 1
                && (fwd.equals("auto") || fwd.equals("direct") || fwd.equals("newton"))
                && (bwd.equals("auto") || bwd.equals("direct"));
    }

    /** The objective of the run {@code cfg} on {@code data}. */
    public static Objective create(RunConfig cfg, Dataset data) {
        if (cfg.family() == Family.IMPLICIT_LAYER) {
            return new ImplicitLayerObjective(cfg, data, Init.featureMap(cfg));
        }
        return scalar(cfg) ? new ScalarDeqObjective(cfg, data) : new DeqObjective(cfg, data);
    }
}
