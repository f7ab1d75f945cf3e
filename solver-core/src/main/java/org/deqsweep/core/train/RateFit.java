package org.deqsweep.core.train;

/**
 * The empirical linear rate of a loss trajectory (DESIGN 3): log loss_k ~ a + k log(rho), fitted by
 * least squares on the tail window where the decay is linear.
 *
 * <p>Candidate windows end at the last usable point and start at 1/2, 3/4, 1/4 or 0 of the way, in
 * that order (at least {@link #MIN_POINTS} points): the tail half measures the asymptotic rate the
 * theory predicts; the first candidate whose R^2 is at least {@link #GOOD_R2} wins, else the one with
 * the best R^2. Points at or below the round-off floor (loss &lt;= 1e-300, or
 * non-finite) end the usable range.
 *
 * @param rho fitted per-step factor exp(slope)
 * @param r2 coefficient of determination of the fit (1 for a perfect line; NaN when the loss is constant)
 * @param from first step index of the window
 * @param to last step index of the window
 */
public record RateFit(double rho, double r2, double from, double to) {
    public static final int MIN_POINTS = 5;
    public static final double GOOD_R2 = 0.999;
    private static final RateFit NONE = new RateFit(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Fits losses observed at steps {@code x[0..count)} (increasing). */
    public static RateFit fit(double[] x, double[] loss, int count) {
        int end = 0;
        while (end < count && Double.isFinite(loss[end]) && loss[end] > 1e-300) {
            end++;
        }
        if (end < MIN_POINTS) {
            return NONE;
        }
        RateFit best = null;
        for (int q : new int[] {2, 3, 1, 0}) {
            int start = (int) ((long) end * q / 4);
            if (end - start < MIN_POINTS) {
                continue;
            }
            RateFit f = line(x, loss, start, end);
            if (f.r2() >= GOOD_R2) {
                return f;
            }
            if (best == null || (f.r2() > best.r2()) || Double.isNaN(best.r2())) {
                best = f;
            }
        }
        return best == null ? NONE : best;
    }

    /** Fits a trajectory recorded at every step 0..count-1. */
    public static RateFit fitEveryStep(double[] loss, int count) {
        double[] x = new double[count];
        for (int i = 0; i < count; i++) {
            x[i] = i;
        }
        return fit(x, loss, count);
    }

    private static RateFit line(double[] x, double[] loss, int start, int end) {
        int k = end - start;
        double mx = 0;
        double my = 0;
        for (int i = start; i < end; i++) {
            mx += x[i];
            my += Math.log(loss[i]);
        }
        mx /= k;
        my /= k;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = start; i < end; i++) {
            double dx = x[i] - mx;
            double dy = Math.log(loss[i]) - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (sxx == 0) {
            return NONE;
        }
        double slope = sxy / sxx;
        double r2 = syy == 0 ? Double.NaN : (sxy * sxy) / (sxx * syy);
        return new RateFit(Math.exp(slope), r2, x[start], x[end - 1]);
    }
}
