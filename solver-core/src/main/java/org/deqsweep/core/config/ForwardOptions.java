package org.deqsweep.core.config;

/**
 * The forward fixed-point solve (DESIGN 3).
 *
 * @param solver    auto, direct, picard, anderson or newton
 * @param tol       relative residual |z - act(Az + Wx + b)| / |z|
 * @param damping   Picard: z &lt;- (1 - a) z + a act(...)
 * @param warmStart start each step's solve from the previous fixed points
 */
public record ForwardOptions(String solver, double tol, int maxIter, double damping, boolean warmStart) {
}
