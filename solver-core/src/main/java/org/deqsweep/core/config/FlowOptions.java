package org.deqsweep.core.config;

/** Gradient flow's integrator: the local error tolerances of Dormand-Prince 5(4) (DESIGN 3). */
public record FlowOptions(double rtol, double atol) {
}
