package org.deqsweep.core.solve;

import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.math.Activation;









/** Builds the forward solver a run's config names (DESIGN 3). */
public final class ForwardSolvers {
    private ForwardSolvers() {
    }

    /**
     * A new solver for {@code forward_solver}: direct, picard (with forward_damping), anderson
     * (anderson_memory, anderson_beta, anderson_lambda), newton; auto = direct when the activation is
     * the identity, else anderson. Tolerance and limit from forward_tol and forward_max_iter.
     *
     * @param cfg Input: a resolved run config
     * @return a fresh solver (solvers hold workspaces and are not thread-safe)
     */
    public static ForwardSolver fromConfig(RunConfig cfg) {
        double tol = cfg.real("forward_tol");
        int maxIter = cfg.integer("forward_max_iter");
        String kind = cfg.str("forward_solver");
        if (kind.equals("auto")) {
            kind = cfg.activation() == Activation.IDENTITY ? "direct" : "anderson";
        }
        switch (kind) {
            case "direct":
                return new DirectLinearSolver(tol);
            case "picard":
                return new PicardSolver(tol, maxIter, cfg.real("forward_damping"));
            case "anderson":
                return new AndersonSolver(tol, maxIter, cfg.integer("anderson_memory"), cfg.real("anderson_beta"),
                        cfg.real("anderson_lambda"));
            case "newton":
                return new NewtonSolver(tol, maxIter);
            default:
                throw new IllegalArgumentException("unknown forward_solver '" + kind + "'; allowed: auto, direct, picard, anderson, newton");
        }
    }
}
