package org.deqsweep.core.solve;

import org.deqsweep.core.math.Activation;
import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.lu.LUDecompositionBase_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Per-sample Newton iteration for the DEQ fixed point (DESIGN 2.1, 3), for small widths m:
 * <pre>  F(z) = z - act(A z + u),   J(z) = I - D A,  D = diag(act'(A z + u))
 *   solve J dz = -F(z);  z &lt;- z + t dz,  t = 1, 1/2, 1/4, ... until |F(z + t dz)| &lt;= (1 - 1e-4 t) |F(z)|</pre>
 * All n samples step in lockstep (one Newton step each per iteration, O(n m^3)); a sample whose own
 * relative residual is already at most {@code tol} is left alone. The batch stopping rule is the
 * one of {@link ForwardSolver}. When J is numerically singular (LU pivot ratio below 1e-14), dz
 * is not finite, or the line search fails after {@value #MAX_HALVINGS} halvings, that sample takes
 * a plain Picard step instead. The lowest-residual batch iterate is returned.
 *
 * <p>Workspace: the LU solver (a field, from {@link LinearSolverFactory_DDRM#lu}), an m x m
 * Jacobian, five m-vectors and two n x m buffers, reallocated only when (n, m) change; the loop
 * allocates nothing. Not thread-safe.
 */
public final class NewtonSolver implements ForwardSolver {
    static final int MAX_HALVINGS = 30;
    static final double ARMIJO = 1e-4;
    private static final double PIVOT_RCOND_MIN = 1e-14;

    private final double tol;
    private final int maxIter;
    private int m = -1;
    private LinearSolverDense<DMatrixRMaj> lu;
    private DMatrixRMaj jac;
    private DMatrixRMaj rhs;
    private DMatrixRMaj dz;
    private double[] pre;
    private double[] trial;
    private double[] ftrial;
    private final DMatrixRMaj f = new DMatrixRMaj(0, 0);
    private final BestIterate best = new BestIterate();
    /** Picard fallbacks in the last solve, summed over samples (diagnostics and tests). */
    int fallbacks;

    /**
     * @param tol relative residual to reach, &gt; 0 (forward_tol)
     * @param maxIter Newton iteration limit, &gt;= 0 (forward_max_iter)
     */
    public NewtonSolver(double tol, int maxIter) {
        Batch.checkTolerances(tol, maxIter);
        this.tol = tol;
        this.maxIter = maxIter;
    }

    private void configure(int width) {
        if (width == m) {
            return;
        }
        m = width;
        lu = LinearSolverFactory_DDRM.lu(width);
        jac = new DMatrixRMaj(width, width);
        rhs = new DMatrixRMaj(width, 1);
        dz = new DMatrixRMaj(width, 1);
        pre = new double[width];
        trial = new double[width];
        ftrial = new double[width];
    }

    /**
     * @param A Input: m x m, not modified
     * @param act activation, {@code eps} its parameter
     * @param U Input: n x m injection, not modified
     * @param Z Input/Output: n x m warm start on entry, the lowest-residual iterate on exit
     * @return converged, Newton iterations, residual of the returned Z; NaN residual for non-finite input
     * @throws IllegalArgumentException when the shapes of A, U and Z disagree
     */
    @Override
    public SolveStats solve(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z) {
        Batch.checkForward(A, U, Z);
        if (!Finite.allFinite(A) || !Finite.allFinite(U) || !Finite.allFinite(Z)) {
            return SolveStats.of(false, 0, Double.NaN);
        }
        int n = Z.numRows;
        configure(A.numRows);
        fallbacks = 0;
        f.reshape(n, m);
        Batch.forwardMap(A, act, eps, U, Z, f);
        double res = Batch.residual(Z, f);
        best.start(Z, res);
        int it = 0;
        while (!(res <= tol) && it < maxIter && Double.isFinite(res)) {
            for (int i = 0; i < n; i++) {
                stepSample(A, act, eps, U, Z, i);
            }
            it++;
            Batch.forwardMap(A, act, eps, U, Z, f);
            res = Batch.residual(Z, f);
            best.offer(Z, res);
        }
        return best.finish(Z, tol, it);
    }

    /** One damped Newton step on row i of Z, with f holding act(Z A^T + U) on entry. */
    private void stepSample(DMatrixRMaj A, Activation act, double eps, DMatrixRMaj U, DMatrixRMaj Z, int i) {
        int off = i * m;
        double[] z = Z.data;
        double[] fz = f.data;
        double[] a = A.data;
        double[] u = U.data;
        double r2 = 0;
        double z2 = 0;
        for (int c = 0; c < m; c++) {
            double r = z[off + c] - fz[off + c];
            r2 += r * r;
            z2 += z[off + c] * z[off + c];
        }
        if (r2 <= tol * tol * z2) {
            return;
        }
        double normR = Math.sqrt(r2);
        // J = I - D A, rhs = -F(z)
        for (int r = 0; r < m; r++) {
            double s = u[off + r];
            for (int c = 0; c < m; c++) {
                s += a[r * m + c] * z[off + c];
            }
            double d = act.derivative(s, eps);
            for (int c = 0; c < m; c++) {
                jac.data[r * m + c] = (r == c ? 1.0 : 0.0) - d * a[r * m + c];
            }
            rhs.data[r] = fz[off + r] - z[off + r];
        }
        boolean ok = lu.setA(jac) && pivotOk();
        if (ok) {
            lu.solve(rhs, dz);
            for (int c = 0; c < m && ok; c++) {
                ok = Double.isFinite(dz.data[c]);
            }
        }
        if (ok) {
            double t = 1;
            for (int h = 0; h <= MAX_HALVINGS; h++, t *= 0.5) {
                for (int c = 0; c < m; c++) {
                    trial[c] = z[off + c] + t * dz.data[c];
                }
                double ft2 = 0;
                for (int r = 0; r < m; r++) {
                    double s = u[off + r];
                    for (int c = 0; c < m; c++) {
                        s += a[r * m + c] * trial[c];
                    }
                    double fr = trial[r] - act.apply(s, eps);
                    ft2 += fr * fr;
                }
                if (Math.sqrt(ft2) <= (1 - ARMIJO * t) * normR) {
                    System.arraycopy(trial, 0, z, off, m);
                    return;
                }
            }
        }
        fallbacks++;
        System.arraycopy(fz, off, z, off, m);
    }

    private boolean pivotOk() {
        Object d = lu.getDecomposition();
        if (d instanceof LUDecompositionBase_DDRM base) {
            return Batch.pivotRcond(base.getLU(), m) >= PIVOT_RCOND_MIN;
        }
        return true;
    }
}
