package org.deqsweep.core.solve;

import org.deqsweep.core.config.AndersonOptions;
import org.deqsweep.core.config.BackwardOptions;

/** Builds the adjoint (backward) solver a run's config names (DESIGN 2.1, 3). */
public final class AdjointSolvers {
    /** Widest m for which {@code backward_solver: auto} picks the direct solver. */
    public static final int AUTO_DIRECT_MAX_WIDTH = 64;

    private AdjointSolvers() {
    }

    /**
     * A new solver for {@code backward_solver}: direct, iterative (Anderson with anderson_memory,
     * anderson_beta, anderson_lambda); auto = direct when width &lt;= 64, else iterative. Tolerance and
     * limit from backward_tol and backward_max_iter.
     *
     * @param width the model's width m (auto picks by it)
     * @return a fresh solver (solvers hold workspaces and are not thread-safe)
     */
    public static AdjointSolver create(BackwardOptions backward, AndersonOptions anderson, int width) {
        double tol = backward.tol();
        String kind = backward.solver();
        if (kind.equals("auto")) {
            kind = width <= AUTO_DIRECT_MAX_WIDTH ? "direct" : "iterative";
        }
        switch (kind) {
            case "direct":
                return new DirectAdjointSolver(tol);
            case "iterative":
                return new IterativeAdjointSolver(tol, backward.maxIter(), anderson);
            default:
                throw new IllegalArgumentException("unknown backward_solver '" + kind + "'; allowed: auto, direct, iterative");
        }
    }
}
