package org.deqsweep.core.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deqsweep.core.config.Family;
import org.deqsweep.core.config.FlowOptions;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.config.TrainOptions;
import org.deqsweep.core.model.DeqObjective;
import org.deqsweep.core.model.Diagnostics;
import org.deqsweep.core.model.Objective;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * Full-batch gradient descent, theta_{k+1} = theta_k - eta grad L(theta_k), and gradient flow
 * theta' = -grad L(theta) integrated by Dormand-Prince 5(4) with adaptive steps (DESIGN 3). Stops at
 * loss &lt;= tol (or rel_tol times the initial loss), on failure, at max_steps (flow: at the horizon
 * eta * max_steps), or when the wall-clock budget runs out. Numerical trouble ends the run with a
 * status; nothing here throws for it.
 */
public final class Trainer {

    /**
     * What a training produced; the caller adds the data-dependent quantities to make a RunResult.
     */
    public record Outcome(Status status, long steps, double lossInitial, double lossFinal, RateFit rate, RateFit excessRate,
                          double conservationDrift, double distanceGrowthMin, double sigmaMinMin, double sigmaMinMax,
                          double contractionMax, double gradNormFinal, long forwardIters, long backwardIters,
                          String failureReason, long stepAtFailure, double lastFiniteLoss, List<CurvePoint> curve) {
    }

    private final TrainOptions train;
    private final FlowOptions flowOptions;
    /** forward_tol, for the reason a run whose forward solve failed is given. */
    private final double forwardTol;
    private final Objective obj;
    private final Params p;
    private final RunTrace trace;
    private final Diagnostics diag;
    private final boolean linearFamily;
    private final long[] schedule;
    private final List<CurvePoint> curve = new ArrayList<>();
    private final DMatrixRMaj q0;
    private final DMatrixRMaj q;
    private final long deadline;
    private final double eta;
    private final double divergeFactor;
    private final double lossTol;
    private final double lossRelTol;
    /** check()'s reason for the status it returns (one slot, reused: the step loop allocates nothing here). */
    private final String[] why = new String[1];

    /** gradient flow: the evaluation of the last stage the integrator asked for. */
    private Objective.Evaluation last;
    private double[] lossSteps = new double[256];
    private double[] lossValues = new double[256];
    private int lossCount;
    private int nextRecord;
    private double sigmaMinMin = Double.NaN;
    private double sigmaMinMax = Double.NaN;
    private double contractionMax = Double.NaN;
    private double lastFinite = Double.NaN;
    private long forwardIters;
    private long backwardIters;

    /**
     * @param p Input/Output: initial parameters on entry, final parameters on exit
     * @param trace Output: full per-step loss trace, or null
     */
    public Trainer(RunConfig cfg, Objective obj, Params p, RunTrace trace) {
        this(cfg, obj, p, trace, cfg.train().stepSize());
    }

    /** A trainer for the run {@code cfg} describes, at the step size eta (see the main constructor). */
    public Trainer(RunConfig cfg, Objective obj, Params p, RunTrace trace, double eta) {
        this(cfg.train(), cfg.flow(), cfg.forward().tol(), cfg.family() == Family.LINEAR_DEQ, obj, p, trace, eta);
    }

    /**
     * @param forwardTol forward_tol, named in the reason of a run whose forward solve failed
     * @param conservation track the linear DEQ's conserved quantity Q (DESIGN 2.2)
     * @param eta the step size (GD) or recording interval (flow) actually used: step_size, or under
     *     step_rule relative, step_size times the curvature step at initialisation
     */
    public Trainer(TrainOptions train, FlowOptions flow, double forwardTol, boolean conservation, Objective obj, Params p,
                   RunTrace trace, double eta) {
        this.eta = eta;
        this.train = train;
        this.flowOptions = flow;
        this.forwardTol = forwardTol;
        this.obj = obj;
        this.p = p;
        this.trace = trace;
        this.diag = new Diagnostics(p.A.numRows);
        this.linearFamily = conservation;
        this.schedule = recordSchedule(train.maxSteps(), train.recordPoints());
        this.q0 = linearFamily ? Diagnostics.conservationQ(p, null) : null;
        this.q = linearFamily ? new DMatrixRMaj(p.width(), p.width()) : null;
        this.deadline = System.nanoTime() + train.timeBudgetMs() * 1_000_000L;
        this.divergeFactor = train.divergeFactor();
        this.lossTol = train.tol();
        this.lossRelTol = train.relTol();
    }

    /** 0, then about {@code points - 1} log-spaced steps up to maxSteps (distinct, increasing, maxSteps included). */
    public static long[] recordSchedule(long maxSteps, int points) {
        long[] s = new long[points + 2];
        int k = 0;
        s[k++] = 0;
        double logMax = Math.log(Math.max(1, maxSteps));
        for (int i = 1; i < points; i++) {
            long v = Math.round(Math.exp(logMax * i / (points - 1)));
            v = Math.max(v, s[k - 1] + 1);
            if (v > maxSteps) {
                break;
            }
            s[k++] = v;
        }
        if (s[k - 1] != maxSteps) {
            s[k++] = maxSteps;
        }
        return Arrays.copyOf(s, k);
    }

    /** Runs the configured trainer. */
    public Outcome train() {
        return train.flow() ? flow() : gradientDescent();
    }

    private Outcome gradientDescent() {
        double eta = this.eta;
        long maxSteps = train.maxSteps();
        Objective.Evaluation ev = obj.evaluate(p, true);
        count(ev);
        double l0 = ev.loss();
        double distMin = Double.POSITIVE_INFINITY;
        long k = 0;
        while (true) {
            addLoss(k, ev.loss());
            if (trace != null) {
                trace.add(k, k * eta, ev.loss());
            }
            Status st = check(ev, l0, k, maxSteps, why);
            if (st != null || isScheduled(k)) {
                record(k, k * eta, ev);
            }
            if (st != null) {
                return outcome(st, k, l0, ev, distMin, why[0]);
            }
            double before = linearFamily ? Diagnostics.traceQ(p) : 0;
            stepInPlace(eta);
            if (linearFamily) {
                distMin = Math.min(distMin, Diagnostics.traceQ(p) - before);
            }
            k++;
            ev = obj.evaluate(p, true);
            count(ev);
        }
    }

    /** theta <- theta - eta grad (the gradient of frozen parameters is zero). */
    private void stepInPlace(double eta) {
        CommonOps_DDRM.addEquals(p.A, -eta, obj.gradient().A);
        CommonOps_DDRM.addEquals(p.W, -eta, obj.gradient().W);
        CommonOps_DDRM.addEquals(p.b, -eta, obj.gradient().b);
        CommonOps_DDRM.addEquals(p.v, -eta, obj.gradient().v);
    }

    /** The status that ends the run at this point, or null to go on. */
    private Status check(Objective.Evaluation ev, double l0, long k, long maxSteps, String[] why) {
        why[0] = null;
        SolveStats fs = ev.forward();
        double loss = ev.loss();
        if (fs.singular()) {
            why[0] = "I - A is numerically singular at step " + k + " (the degenerate fixed point)";
            return Status.SINGULAR;
        }
        if (!Double.isFinite(loss) || !p.isFinite()) {
            why[0] = "non-finite loss or parameters at step " + k + " (forward residual " + fs.residual() + ")";
            return Status.NAN;
        }
        if (!fs.converged()) {
            why[0] = "forward solve did not reach forward_tol " + forwardTol + " in " + fs.iterations()
                    + " iterations at step " + k + " (residual " + fs.residual() + ")";
            return Status.FORWARD_FAILED;
        }
        double bound = divergeFactor * Math.max(l0, 1.0);
        if (loss > bound) {
            why[0] = "loss " + loss + " above diverge_factor * max(initial loss, 1) = " + bound + " at step " + k;
            return Status.DIVERGED;
        }
        if (loss <= lossTol || loss <= lossRelTol * l0) {
            return Status.CONVERGED;
        }
        SolveStats bs = ev.backward();
        if (bs != null && bs.singular()) {
            why[0] = "adjoint system I - A^T D numerically singular at step " + k;
            return Status.SINGULAR;
        }
        if (bs != null && !bs.converged()) {
            why[0] = "adjoint solve did not reach backward_tol in " + bs.iterations() + " iterations at step " + k
                    + " (residual " + bs.residual() + ")";
            return Status.ADJOINT_FAILED;
        }
        if (!Double.isFinite(ev.gradNorm())) {
            why[0] = "non-finite gradient at step " + k;
            return Status.NAN;
        }
        if (k >= maxSteps) {
            return Status.MAX_STEPS;
        }
        if (System.nanoTime() > deadline) {
            why[0] = "time_budget_ms " + train.timeBudgetMs() + " ran out at step " + k;
            return Status.TIMEOUT;
        }
        return null;
    }

    private boolean isScheduled(long k) {
        while (nextRecord < schedule.length && schedule[nextRecord] < k) {
            nextRecord++;
        }
        return nextRecord < schedule.length && schedule[nextRecord] == k;
    }

    private void count(Objective.Evaluation ev) {
        forwardIters += ev.forward().iterations();
        if (ev.backward() != null) {
            backwardIters += ev.backward().iterations();
        }
    }

    private void addLoss(double step, double loss) {
        if (lossCount == lossValues.length) {
            lossSteps = Arrays.copyOf(lossSteps, lossCount * 2);
            lossValues = Arrays.copyOf(lossValues, lossCount * 2);
        }
        lossSteps[lossCount] = step;
        lossValues[lossCount] = loss;
        lossCount++;
        if (Double.isFinite(loss)) {
            lastFinite = loss;
        }
    }

    private void record(long step, double time, Objective.Evaluation ev) {
        double sigma = p.isFinite() ? obj.sigmaMin(p, diag) : Double.NaN;
        double contraction = p.isFinite() ? obj.contraction(p, diag) : Double.NaN;
        double drift = Double.NaN;
        if (linearFamily) {
            Diagnostics.conservationQ(p, q);
            CommonOps_DDRM.subtractEquals(q, q0);
            drift = NormOps_DDRM.normF(q) / NormOps_DDRM.normF(q0);
        }
        sigmaMinMin = nanMin(sigmaMinMin, sigma);
        sigmaMinMax = nanMax(sigmaMinMax, sigma);
        contractionMax = nanMax(contractionMax, contraction);
        SolveStats bs = ev.backward();
        curve.add(new CurvePoint(step, time, ev.loss(), ev.gradNorm(), drift, sigma, contraction,
                ev.forward().iterations(), ev.forward().residual(), bs == null ? 0 : bs.iterations(),
                DeqObjective.norm(p)));
    }

    private Outcome outcome(Status st, long steps, double l0, Objective.Evaluation last, double distMin, String why) {
        RateFit fit = RateFit.fit(lossSteps, lossValues, lossCount);
        RateFit excess = excessFit(l0);
        double drift = linearFamily && !curve.isEmpty() ? curve.get(curve.size() - 1).conservationDrift() : Double.NaN;
        boolean failed = st.isFailure();
        return new Outcome(st, steps, l0, Double.isFinite(last.loss()) ? last.loss() : lastFinite, fit, excess, drift,
                linearFamily && distMin != Double.POSITIVE_INFINITY ? distMin : Double.NaN, sigmaMinMin, sigmaMinMax,
                contractionMax, last.gradNorm(), forwardIters, backwardIters, failed ? why : "",
                failed ? steps : -1, lastFinite, curve);
    }

    /**
     * The linear rate of the excess loss L_k - L_end, for runs that converge to a nonzero minimum (label
     * noise, a layer too narrow to interpolate): points until the excess falls to 1e-9 of its initial value.
     */
    private RateFit excessFit(double l0) {
        if (lossCount < RateFit.MIN_POINTS || !Double.isFinite(lastFinite) || !(l0 > lastFinite)) {
            return RateFit.fit(new double[0], new double[0], 0);
        }
        double floor = 1e-9 * (l0 - lastFinite);
        double[] x = new double[lossCount];
        double[] e = new double[lossCount];
        int count = 0;
        for (int i = 0; i < lossCount - 1; i++) {
            double ex = lossValues[i] - lastFinite;
            if (!(ex > floor)) {
                break;
            }
            x[count] = lossSteps[i];
            e[count] = ex;
            count++;
        }
        return RateFit.fit(x, e, count);
    }

    // ---------------------------------------------------------------- gradient flow (Dormand-Prince 5(4))

    private Outcome flow() {
        double eta = this.eta;
        long maxSteps = train.maxSteps();
        double horizon = eta * maxSteps;
        // f(theta) = -grad L(theta); after each call p holds the point and last its evaluation
        DormandPrince dp = new DormandPrince(p.toVector(null), flowOptions.rtol(), flowOptions.atol(), (y, out) -> {
            p.fromVectorInPlace(y);
            last = obj.evaluate(p, true);
            count(last);
            boolean ok = Double.isFinite(last.loss()) && Double.isFinite(last.gradNorm()) && last.forward().converged();
            if (ok) {
                negGrad(out);
            }
            return ok;
        });
        Objective.Evaluation ev = last;
        double l0 = ev.loss();
        double t = 0;
        double h = Math.min(eta, horizon);
        double distMin = Double.POSITIVE_INFINITY;
        while (true) {
            double kEquiv = t / eta;
            long stepIndex = Math.round(kEquiv);
            addLoss(kEquiv, ev.loss());
            if (trace != null) {
                trace.add(kEquiv, t, ev.loss());
            }
            boolean atEnd = t >= horizon * (1 - 1e-12);
            Status st = check(ev, l0, atEnd ? maxSteps : Math.min(stepIndex, maxSteps - 1), maxSteps, why);
            boolean onRecord = Math.abs(kEquiv - stepIndex) < 1e-9 && isScheduled(stepIndex);
            if (st != null || onRecord) {
                record(stepIndex, t, ev);
            }
            if (st != null) {
                return outcome(st, stepIndex, l0, ev, distMin, why[0]);
            }
            // next stop: the next scheduled record time or the horizon
            double tNext = horizon;
            for (int i = nextRecord; i < schedule.length; i++) {
                double ts = schedule[i] * eta;
                if (ts > t * (1 + 1e-12) + 1e-300) {
                    tNext = ts;
                    break;
                }
            }
            double before = linearFamily ? Diagnostics.traceQ(p) : 0;
            while (true) {
                double hh = Math.min(h, tNext - t);
                double err = dp.attempt(hh);
                ev = last;
                if (err <= 1.0) {
                    t = hh == tNext - t ? tNext : t + hh;
                    dp.accept();
                    double factor = DormandPrince.acceptedFactor(err);
                    if (hh == h || factor < 1) {
                        h = hh * factor;
                    }
                    break;
                }
                h = dp.retryStep(hh, err);
                if (h < DormandPrince.UNDERFLOW * Math.max(1.0, t) || System.nanoTime() > deadline) {
                    // cannot make progress: restore the last accepted point and let check() classify it
                    p.fromVectorInPlace(dp.state());
                    ev = obj.evaluate(p, true);
                    count(ev);
                    if (Double.isFinite(ev.loss()) && ev.forward().converged() && System.nanoTime() <= deadline) {
                        return outcome(Status.NAN, Math.round(t / eta), l0, ev, distMin,
                                "gradient flow step size underflow at t = " + t);
                    }
                    break;
                }
            }
            p.fromVectorInPlace(dp.state());
            if (linearFamily) {
                distMin = Math.min(distMin, Diagnostics.traceQ(p) - before);
            }
            if (ev.forward().converged() && Double.isFinite(ev.loss())) {
                // ev is the evaluation at the accepted point (the FSAL stage)
                continue;
            }
            ev = obj.evaluate(p, true);
            count(ev);
        }
    }

    private void negGrad(double[] out) {
        obj.gradient().toVector(out);
        for (int j = 0; j < out.length; j++) {
            out[j] = -out[j];
        }
    }

    private static double nanMin(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
    }

    private static double nanMax(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }
}
