package org.deqsweep.core.model;

import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;

/**
 * An objective whose output gradients give the Gram matrix H = J J^T the run's diagnostics use
 * (lambda_min at init and at the end, the edge-of-stability step; DESIGN 3): the DEQ objectives.
 */
public interface GramObjective extends Objective {

    /** Number of trainable scalars (the columns of {@link #jacobian}). */
    int trainableCount(Params p);

    /**
     * The Jacobian J (n x P) of the outputs f(x_i) with respect to the trainable parameters, at the fixed
     * points of the last evaluation (call {@link #evaluate} first).
     *
     * @param out Output: n x P
     * @return the output adjoint's statistics (singular systems show there)
     */
    SolveStats jacobian(Params p, DMatrixRMaj out);

    /** H = J J^T (n x n) at the fixed points of the last evaluation. */
    SolveStats gram(Params p, DMatrixRMaj out);
}
