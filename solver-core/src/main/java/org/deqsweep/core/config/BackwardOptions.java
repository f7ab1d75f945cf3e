package org.deqsweep.core.config;

/**
 * The gradient's backward pass: the gradient mode and the adjoint solve (DESIGN 2.1, 3).
 *
 * @param gradMode  exact, jfb, damped or neumann-k
 * @param solver    auto, direct or iterative
 * @param tol       relative residual of the adjoint solve
 */
public record BackwardOptions(String gradMode, String solver, double tol, int maxIter) {
}
