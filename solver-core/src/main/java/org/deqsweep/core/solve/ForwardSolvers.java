package org.deqsweep.core.solve;

import org.deqsweep.core.config.AndersonOptions;
import org.deqsweep.core.config.ForwardOptions;
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
     * @param act the model's activation (auto picks by it)
     * @return a fresh solver (solvers hold workspaces and are not thread-safe)
     */
    public static ForwardSolver create(ForwardOptions forward, AndersonOptions anderson, Activation act) {
        double tol = forward.tol();
        int maxIter = forward.maxIter();
        String kind = forward.solver();
        if (kind.equals("auto")) {
            kind = act == Activation.IDENTITY ? "direct" : "anderson";
        }
        switch (kind) {
            case "direct":
                return new DirectLinearSolver(tol);
            case "picard":
                return new PicardSolver(tol, maxIter, forward.damping());
            case "anderson":
                return new AndersonSolver(tol, maxIter, anderson);
            case "newton":
                return new NewtonSolver(tol, maxIter);
            default:
                throw new IllegalArgumentException("unknown forward_solver '" + kind + "'; allowed: auto, direct, picard, anderson, newton");
        }
    }
}
