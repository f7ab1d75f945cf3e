package org.deqsweep.core.train;

/** How a run ended (DESIGN 3). Numerical trouble is one of these, never an exception. */
public enum Status {
    /** loss reached tol (or rel_tol times the initial loss). */
    CONVERGED,
    /** max_steps done without reaching the tolerance. */
    MAX_STEPS,
    /** loss above diverge_factor * max(initial loss, 1). */
    DIVERGED,
    /** a loss, gradient or parameter became NaN or infinite. */
    NAN,
    /** the forward fixed point was not reached within forward_max_iter. */
    FORWARD_FAILED,
    /** the adjoint (backward) solve of the gradient did not reach backward_tol within backward_max_iter. */
    ADJOINT_FAILED,
    /** I - D A (or its adjoint) numerically singular. */
    SINGULAR,
    /** the per-run wall-clock budget ran out. */
    TIMEOUT,
    /** an unexpected exception; its message is the failure reason. */
    ERROR,
    /** the config cannot be run (for example a data file of the wrong shape). */
    INVALID;

    /** True for the statuses the failures table keeps. */
    public boolean isFailure() {
        return this != CONVERGED && this != MAX_STEPS;
    }
}
