package org.deqsweep.core.train;

import java.util.List;
import org.deqsweep.core.config.RunConfig;

/**
 * Outcome of one training run (DESIGN 3): a value, whatever happened numerically. NaN marks a quantity
 * that does not apply or could not be computed.
 *
 * @param runId content hash of the config ({@link RunConfig#runId()})
 * @param status how the run ended
 * @param steps GD steps taken (flow: time reached / step_size)
 * @param lossInitial loss at the initial parameters
 * @param lossFinal loss at the last finite step
 * @param rate fitted linear rate rho, loss_{k+1} ~ rho loss_k, on the log-loss tail
 * @param rateFitR2 R^2 of that fit
 * @param kappa -log(rho) / eta: rate per unit of flow time
 * @param rateExcess fitted linear rate of the excess loss L_k - L_final (the rate to a nonzero minimum)
 * @param rateExcessR2 R^2 of that fit
 * @param rateTheory the rate the local spectrum (the Gram matrix) predicts at the final parameters, for every DEQ family; NaN without eigenvalues
 * @param conservationDrift |Q_T - Q_0|_F / |Q_0|_F at the end (linear_deq)
 * @param distanceGrowthMin min over every GD step of the change of |(W, I - A)|^2 (linear_deq, m = 1: never negative under GD)
 * @param sigmaMinMin smallest sigma_min(I - D A) seen
 * @param sigmaMinMax largest sigma_min(I - D A) seen
 * @param contractionMax largest contraction factor Lip(act) |A|_2 seen
 * @param lambdaMinCov lambda_min of the empirical input covariance X^T X / n
 * @param lambdaMinGramInit lambda_min of the Gram matrix H_ij = &lt;grad f(x_i), grad f(x_j)&gt; at initialisation
 *     (0 when n exceeds the number of trainable parameters; NaN above the size limit)
 * @param lambdaMinGramFinal the same at the final parameters
 * @param stepTheory the GD stability threshold at initialisation, 2 / mu_max with mu_max the largest eigenvalue of
 *     the function-space curvature K = 2 c H (c = 1/n for mse): steps above it expand the residual along the
 *     top eigenvector of H (for the linear DEQ mu_max = 2 lambda_max(Sigma)(1 + |beta|^2) / (1 - theta2)^2 at m = 1)
 * @param eta the step size used: step_size, or step_size * stepTheory under step_rule relative
 * @param accuracy classification accuracy at the last step (implicit_layer on class data), else NaN
 * @param gradNormFinal gradient norm at the last step
 * @param forwardIters total forward iterations
 * @param backwardIters total adjoint iterations
 * @param wallMs wall time of the run
 * @param failureReason diagnostic message for failures, else empty
 * @param stepAtFailure step at which the run failed, -1 if it did not
 * @param lastFiniteLoss last finite loss seen
 * @param curve recorded steps (log-spaced plus the last)
 */
public record RunResult(String runId, Status status, long steps, double lossInitial, double lossFinal, double rate,
                        double rateFitR2, double kappa, double rateExcess, double rateExcessR2, double rateTheory, double conservationDrift,
                        double distanceGrowthMin, double sigmaMinMin, double sigmaMinMax, double contractionMax,
                        double lambdaMinCov, double lambdaMinGramInit, double lambdaMinGramFinal,
                        double stepTheory, double eta, double accuracy, double gradNormFinal, long forwardIters, long backwardIters, long wallMs,
                        String failureReason, long stepAtFailure, double lastFiniteLoss, List<CurvePoint> curve) {
    public RunResult {
        curve = List.copyOf(curve);
        failureReason = failureReason == null ? "" : failureReason;
    }
}
