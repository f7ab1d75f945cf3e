package org.deqsweep.sweep.refine;

/**
 * The runs of one value of the refined key within one group (its seeds), once all of them are done.
 *
 * @param value     the refined key's value, finite and &gt; 0
 * @param runs      runs at this value, at least 1
 * @param converged runs whose status is CONVERGED
 * @param failed    runs whose status is a failure ({@code Status.isFailure}: DIVERGED, NAN, ...); the
 *                  rest (MAX_STEPS) neither converged nor failed
 */
public record Outcome(double value, int runs, int converged, int failed) {
    public Outcome {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("a refined value must be finite and > 0, got " + value);
        }
        if (runs < 1 || converged < 0 || failed < 0 || converged + failed > runs) {
            throw new IllegalArgumentException("counts must satisfy runs >= 1, converged, failed >= 0 and converged + failed <= runs;"
                    + " got runs " + runs + ", converged " + converged + ", failed " + failed);
        }
    }

    /** The fraction of runs that CONVERGED. */
    public double convergedFraction() {
        return (double) converged / runs;
    }
}
