package org.deqsweep.core.solve;

/**
 * Outcome of a fixed-point or adjoint solve; numerical trouble shows here, never as an exception.
 *
 * @param converged relative residual reached the tolerance
 * @param iterations iterations spent (1 for a direct solve)
 * @param residual final relative residual |z - T(z)|_F / max(|z|_F, 1e-300); NaN or infinite when the iteration blew up
 * @param singular a direct solve met a numerically singular system
 */
public record SolveStats(boolean converged, int iterations, double residual, boolean singular) {
    public static SolveStats of(boolean converged, int iterations, double residual) {
        return new SolveStats(converged, iterations, residual, false);
    }
}
