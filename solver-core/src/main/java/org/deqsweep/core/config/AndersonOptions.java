package org.deqsweep.core.config;

/**
 * Anderson acceleration, shared by the forward solver and the iterative adjoint solver (DESIGN 3).
 *
 * @param memory history length
 * @param beta   mixing
 * @param lambda Tikhonov regulariser of the mixing least squares
 */
public record AndersonOptions(int memory, double beta, double lambda) {
    /** TorchDEQ's defaults, and the schema's: memory 5, beta 1, lambda 1e-4. */
    public static final AndersonOptions DEFAULTS = new AndersonOptions(5, 1.0, 1e-4);
}
