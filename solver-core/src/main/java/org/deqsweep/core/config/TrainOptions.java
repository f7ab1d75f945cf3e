package org.deqsweep.core.config;

/**
 * The trainer and its stopping rules (DESIGN 3).
 *
 * @param trainer       gd (gradient descent) or flow (gradient flow)
 * @param stepSize      GD step eta; for flow, the time between recorded steps
 * @param stepRule      absolute (eta = stepSize) or relative (eta = stepSize * 2 / mu_max at init)
 * @param tol           stop when the loss is at most tol
 * @param relTol        stop when the loss is at most relTol times the initial loss
 * @param divergeFactor DIVERGED when the loss exceeds divergeFactor * max(initial loss, 1)
 * @param timeBudgetMs  per-run wall-clock budget (TIMEOUT)
 * @param recordPoints  curve points kept
 */
public record TrainOptions(String trainer, double stepSize, String stepRule, int maxSteps, double tol, double relTol,
                           double divergeFactor, long timeBudgetMs, int recordPoints) {

    public boolean flow() {
        return trainer.equals("flow");
    }
}
