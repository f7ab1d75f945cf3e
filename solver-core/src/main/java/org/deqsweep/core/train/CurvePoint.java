package org.deqsweep.core.train;

/**
 * One recorded step of a run's trajectory (DESIGN 3). NaN where a quantity does not apply.
 *
 * @param step GD step index (flow: time / step_size)
 * @param time flow time, step * step_size for GD
 * @param loss training loss
 * @param gradNorm Frobenius norm of the (possibly approximate) gradient over trainable parameters
 * @param conservationDrift |Q_t - Q_0|_F / |Q_0|_F (linear_deq only)
 * @param sigmaMin sigma_min(I - D A) (min over samples; exact for small width, estimated above)
 * @param contraction Lip(act) |A|_2, the contraction factor of the fixed-point map
 * @param forwardIters iterations of this step's forward solve
 * @param forwardResidual relative residual of this step's forward solve
 * @param backwardIters iterations of this step's adjoint solve (1 when direct)
 * @param paramNorm Frobenius norm of (A, W, b, v)
 */
public record CurvePoint(long step, double time, double loss, double gradNorm, double conservationDrift,
                         double sigmaMin, double contraction, int forwardIters, double forwardResidual,
                         int backwardIters, double paramNorm) {
}
