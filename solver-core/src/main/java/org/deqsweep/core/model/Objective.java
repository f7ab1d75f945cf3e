package org.deqsweep.core.model;

import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.solve.SolveStats;

/**
 * A training objective over {@link Params}: the loss, its gradient, and the diagnostics of the model's
 * fixed-point map. The trainers (package train) see models only through this.
 */
public interface Objective {

    /** Outcome of one evaluation; loss is NaN when the forward solve produced non-finite values. */
    record Evaluation(double loss, SolveStats forward, SolveStats backward, double gradNorm) {
    }

    /**
     * Solves the forward problem at {@code p}, computes the loss and, when asked, the gradient into
     * {@link #gradient()}.
     *
     * @param p Input: parameters, not modified
     */
    Evaluation evaluate(Params p, boolean needGradient);

    /** The gradient of the last evaluation that asked for one (frozen parts zero). */
    Params gradient();

    /** sigma_min of the Jacobian of the fixed-point equation at the last evaluation. */
    double sigmaMin(Params p, Diagnostics diag);

    /** A contraction factor of the fixed-point map at {@code p}. */
    double contraction(Params p, Diagnostics diag);

    /** Classification accuracy at the last evaluation, NaN for regression. */
    default double accuracy() {
        return Double.NaN;
    }

    Dataset data();
}
