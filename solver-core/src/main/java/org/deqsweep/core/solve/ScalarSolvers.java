package org.deqsweep.core.solve;

import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;

/**
 * The forward and adjoint solves of a width-1 DEQ in primitive arrays (DESIGN 3): the same algorithms,
 * stopping rules, residuals and singularity tests as {@link DirectLinearSolver}, {@link NewtonSolver} and
 * {@link DirectAdjointSolver} at m = 1, without their matrices. Sample i has the scalar state z[i], the
 * injection u[i] = w . x_i + b, and A = a.
 *
 * <p>Workspace: three n-arrays, reallocated only when n changes; nothing is allocated per call. Not
 * thread-safe.
 */
public final class ScalarSolvers {
    private double[] fz = new double[0];
    private double[] best = new double[0];
    private double[] x = new double[0];
    /** The last Newton solve's z is the one its last forward map was evaluated at (fz = act(a z + u)). */
    private boolean mapAtSolution;

    private void size(int n) {
        if (fz.length != n) {
            fz = new double[n];
            best = new double[n];
            x = new double[n];
        }
    }

    /**
     * z = u / (1 - a), as DirectLinearSolver computes it (the inverse of the 1 x 1 LU, then a product).
     *
     * @param z Output: the solution; kept as it was when 1 - a is singular
     */
    public SolveStats direct(double a, double[] u, double[] z, double tol) {
        int n = u.length;
        size(n);
        if (!Double.isFinite(a)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        double pivot = -a + 1.0;
        boolean singular = !(Math.abs(pivot) > 0) || !Double.isFinite(pivot);
        // one pass: u's finiteness and the candidate solution (in fz until it is known to be finite)
        boolean uFinite = true;
        if (!singular) {
            double inv = 1.0 / pivot;
            boolean finite = true;
            for (int i = 0; i < n; i++) {
                double ui = u[i];
                uFinite &= Double.isFinite(ui);
                double t = ui * inv;
                fz[i] = t;
                finite &= Double.isFinite(t);
            }
            if (!uFinite) {
                return SolveStats.of(false, 0, Double.NaN);
            }
            if (!finite) {
                singular = true;
            }
        } else if (!Finite.allFinite(u)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        // one pass: z takes the solution, fz = act(a z + u) for the identity, and the residual's sums
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            double zi = singular ? z[i] : fz[i];
            z[i] = zi;
            double f = zi * a + u[i];
            fz[i] = f;
            double r = zi - f;
            num += r * r;
            den += zi * zi;
        }
        double res = residual(num, den, z, fz, n);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }

    /** Batch.relDiff(z, f) from its two sums, taken in its order; its rescaled pass when one overflowed. */
    private static double residual(double num, double den, double[] z, double[] f, int n) {
        if (Double.isInfinite(num) || Double.isInfinite(den)) {
            return Batch.relDiff(z, f, 0, n);
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), Batch.TINY);
    }

    /**
     * The safeguarded Newton iteration of NewtonSolver at m = 1: every sample not yet at its own tolerance
     * takes a Newton step with an Armijo line search (Picard when 1 - a act' is zero or the search fails);
     * the batch stops at the relative residual tol or after maxIter steps; the lowest-residual iterate is
     * returned.
     *
     * @param z Input/Output: the warm start on entry, the lowest-residual iterate on exit
     */
    public SolveStats newton(double a, Activation act, double eps, double[] u, double[] z, double tol, int maxIter) {
        int n = u.length;
        size(n);
        mapAtSolution = false;
        if (!Double.isFinite(a) || !Finite.allFinite(u) || !Finite.allFinite(z)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        forwardMap(a, act, eps, u, z);
        double res = Batch.relDiff(z, fz, 0, n);
        System.arraycopy(z, 0, best, 0, n);
        double bestRes = res;
        boolean current = true;
        int it = 0;
        while (!(res <= tol) && it < maxIter && Double.isFinite(res)) {
            for (int i = 0; i < n; i++) {
                z[i] = newtonStep(a, act, eps, u[i], z[i], fz[i], tol);
            }
            it++;
            forwardMap(a, act, eps, u, z);
            res = Batch.relDiff(z, fz, 0, n);
            if (res < bestRes) {
                bestRes = res;
                System.arraycopy(z, 0, best, 0, n);
                current = true;
            } else {
                current = false;
            }
        }
        if (!current) {
            System.arraycopy(best, 0, z, 0, n);
        }
        mapAtSolution = current;
        return SolveStats.of(bestRes <= tol, it, bestRes);
    }

    /**
     * act(a z_i + u_i) at the z the last {@link #newton} returned, when it has it (it does unless the solve
     * fell back to an earlier, lower-residual iterate), else null. Valid until the next call.
     */
    public double[] forwardMapAtSolution() {
        return mapAtSolution ? fz : null;
    }

    /** One damped Newton step of one sample, with f = act(a z + u) given. */
    private static double newtonStep(double a, Activation act, double eps, double u, double z, double f, double tol) {
        double r = z - f;
        double r2 = r * r;
        if (r2 <= tol * tol * (z * z)) {
            return z;
        }
        double normR = Math.sqrt(r2);
        double d = act.derivative(u + a * z, f, eps); // f = act(z a + u), the same point
        double jac = 1.0 - d * a;
        double dz = (f - z) / jac;
        if (Math.abs(jac) > 0 && Double.isFinite(jac) && Double.isFinite(dz)) {
            double t = 1;
            for (int h = 0; h <= NewtonSolver.MAX_HALVINGS; h++, t *= 0.5) {
                double trial = z + t * dz;
                double fr = trial - act.apply(u + a * trial, eps);
                if (Math.sqrt(fr * fr) <= (1 - NewtonSolver.ARMIJO * t) * normR) {
                    return trial;
                }
            }
        }
        return f;
    }

    /** fz = act(a z + u), as Batch.forwardMap at m = 1. */
    private void forwardMap(double a, Activation act, double eps, double[] u, double[] z) {
        for (int i = 0; i < u.length; i++) {
            fz[i] = act.apply(z[i] * a + u[i], eps);
        }
    }

    /**
     * The adjoint nu_i = g_i / (1 - s a D_i), as DirectAdjointSolver at m = 1: through the one inverse when
     * every D_i is the same, else sample by sample; a singular sample keeps its nu.
     *
     * @param nu Input/Output: the solution (unchanged for singular samples)
     */
    public SolveStats adjoint(double a, double s, double[] dact, double[] g, double[] nu, double tol) {
        int n = g.length;
        size(n);
        // one pass: the inputs' finiteness and whether every D_i is the same
        boolean finite = Double.isFinite(a);
        boolean shared = n > 0;
        for (int i = 0; i < n; i++) {
            finite &= Double.isFinite(dact[i]) & Double.isFinite(g[i]);
            shared &= dact[i] == dact[0];
        }
        if (!finite) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        double sat = a * s;
        boolean singular = false;
        if (shared) {
            double pivot = -sat * dact[0] + 1.0;
            if (!(Math.abs(pivot) > 0) || !Double.isFinite(pivot)) {
                singular = true;
            } else {
                double inv = 1.0 / pivot;
                for (int i = 0; i < n; i++) {
                    double t = g[i] * inv;
                    if (Double.isFinite(t)) {
                        nu[i] = t;
                    } else {
                        singular = true;
                    }
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                double pivot = -sat * dact[i] + 1.0;
                if (!(Math.abs(pivot) > 0) || !Double.isFinite(pivot)) {
                    singular = true;
                    continue;
                }
                double t = g[i] / pivot;
                if (Double.isFinite(t)) {
                    nu[i] = t;
                } else {
                    singular = true;
                }
            }
        }
        // residual of nu = g + s (D o nu) a, as Batch.adjointMap, and its sums in the same pass
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            double nui = nu[i];
            double xi = s * dact[i] * nui * a + g[i];
            x[i] = xi;
            double r = nui - xi;
            num += r * r;
            den += nui * nui;
        }
        double res = residual(num, den, nu, x, n);
        return new SolveStats(!singular && res <= tol, 1, res, singular);
    }
}
