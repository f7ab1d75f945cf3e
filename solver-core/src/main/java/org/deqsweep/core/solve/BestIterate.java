package org.deqsweep.core.solve;

import org.ejml.data.DMatrixRMaj;

/**
 * The lowest-residual iterate an iterative solver has seen, so that it returns the best iterate rather
 * than the last (DESIGN 3). Workspace: one n x m copy, reused across solves; {@link #offer} copies only
 * when the residual improves.
 */
final class BestIterate {
    private final DMatrixRMaj best = new DMatrixRMaj(0, 0);
    private double bestRes;
    private boolean current;

    /** Starts a solve from the iterate {@code z} with residual {@code res}. */
    void start(DMatrixRMaj z, double res) {
        best.setTo(z);
        bestRes = res;
        current = true;
    }

    /** Records the new iterate {@code z} if its residual is the lowest so far. */
    void offer(DMatrixRMaj z, double res) {
        if (res < bestRes) {
            bestRes = res;
            best.setTo(z);
            current = true;
        } else {
            current = false;
        }
    }

    /** Puts the best iterate into {@code z} (Output) and reports it. */
    SolveStats finish(DMatrixRMaj z, double tol, int iterations) {
        if (!current) {
            z.setTo(best);
        }
        return SolveStats.of(bestRes <= tol, iterations, bestRes);
    }
}
