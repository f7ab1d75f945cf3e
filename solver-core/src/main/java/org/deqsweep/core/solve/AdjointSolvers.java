package org.deqsweep.core.solve;

import org.deqsweep.core.config.RunConfig;









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
     * @param cfg Input: a resolved run config
     * @return a fresh solver (solvers hold workspaces and are not thread-safe)
     */
    public static AdjointSolver fromConfig(RunConfig cfg) {
        double tol = cfg.real("backward_tol");
        String kind = cfg.str("backward_solver");
        if (kind.equals("auto")) {
            kind = cfg.width() <= AUTO_DIRECT_MAX_WIDTH ? "direct" : "iterative";
        }
        switch (kind) {
            case "direct":
                return new DirectAdjointSolver(tol);
            case "iterative":
                return new IterativeAdjointSolver(tol, cfg.integer("backward_max_iter"), cfg.integer("anderson_memory"),
                        cfg.real("anderson_beta"), cfg.real("anderson_lambda"));
            default:
                throw new IllegalArgumentException("unknown backward_solver '" + kind + "'; allowed: auto, direct, iterative");
        }
    }
}
