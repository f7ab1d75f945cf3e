package org.deqsweep.core.train;

import java.util.concurrent.atomic.AtomicLong;
import org.deqsweep.core.config.Family;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.data.InvalidInputException;
import org.deqsweep.core.model.Diagnostics;
import org.deqsweep.core.model.GramObjective;
import org.deqsweep.core.model.Init;
import org.deqsweep.core.model.Objective;
import org.deqsweep.core.model.Objectives;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.solve.SolveStats;
import org.ejml.data.DMatrixRMaj;

/**
 * Runs one config end to end: data, teacher, init, training, diagnostics (DESIGN 3). The entry point
 * sweep-job calls on the executors. Never throws for numerical trouble or unexpected exceptions:
 * those are statuses on the returned result (ERROR carries the exception's message).
 */
public final class Runner {
    private static final AtomicLong INVOCATIONS = new AtomicLong();
    /** Gram matrices (n x n, or P x P when the parameters are fewer) are skipped above this size. */
    public static final int GRAM_MAX = 1500;
    /** How the failure reason of a run that ran out of heap begins. */
    public static final String OUT_OF_MEMORY = "out of memory";

    private Runner() {
    }

    /** Trains {@code cfg} on its own data and initialisation and returns its result (with the subsampled curve). */
    public static RunResult run(RunConfig cfg) {
        return run(cfg, null, null, null);
    }

    /**
     * Trains {@code cfg}, optionally on given data and initial parameters (the one-run command's
     * {@code --data} and {@code --init}), recording a full trace when {@code trace} is not null.
     *
     * @param data Input: data to use instead of the config's generator, or null
     * @param init Input/Output: initial parameters, or null to draw them; trained in place when given
     * @param trace Output: per-step loss trace, or null
     */
    public static RunResult run(RunConfig cfg, Dataset data, Params init, RunTrace trace) {
        INVOCATIONS.incrementAndGet();
        long t0 = System.nanoTime();
        String runId = cfg.runId();
        try {
            DataFactory factory = new DataFactory(cfg);
            Dataset ds = data != null ? data : factory.dataset();
            Params p = init != null ? init : Init.params(cfg);
            String shape = checkShapes(cfg, ds, p);
            if (shape != null) {
                return failed(runId, Status.INVALID, shape, t0);
            }
            Objective obj = Objectives.create(cfg, ds);
            double lamCov = Diagnostics.lambdaMinCovariance(ds.x());
            obj.evaluate(p, false);
            double[] gramInit = obj instanceof GramObjective deq ? gramSpectrum(deq, p) : null;
            double stepTheory = stepTheory(cfg, gramInit);
            double eta = cfg.train().stepSize();
            if (cfg.train().stepRule().equals("relative")) {
                if (!(stepTheory > 0) || !Double.isFinite(stepTheory)) {
                    return failed(runId, Status.INVALID, "step_rule relative needs the curvature at initialisation, which"
                            + " could not be computed (Gram matrix above " + GRAM_MAX + " or singular)", t0);
                }
                eta = cfg.train().stepSize() * stepTheory;
            }
            Trainer.Outcome o = new Trainer(cfg, obj, p, trace, eta).train();
            double[] gramFinal = obj instanceof GramObjective deq && p.isFinite() ? gramAt(deq, p) : null;
            double accuracy = obj.accuracy();
            double rho = o.rate().rho();
            double kappa = rho > 0 ? -Math.log(rho) / eta : Double.NaN;
            return new RunResult(runId, o.status(), o.steps(), o.lossInitial(), o.lossFinal(), rho, o.rate().r2(), kappa,
                    o.excessRate().rho(), o.excessRate().r2(),
                    theoryRate(cfg, eta, gramFinal), o.conservationDrift(), o.distanceGrowthMin(), o.sigmaMinMin(),
                    o.sigmaMinMax(), o.contractionMax(), lamCov, lambdaMin(gramInit, cfg), lambdaMin(gramFinal, cfg),
                    stepTheory, eta, accuracy, o.gradNormFinal(), o.forwardIters(), o.backwardIters(), elapsedMs(t0), o.failureReason(),
                    o.stepAtFailure(), o.lastFiniteLoss(), o.curve());
        } catch (InvalidInputException e) {
            return failed(runId, Status.INVALID, e.getMessage(), t0);
        } catch (RuntimeException | StackOverflowError e) {
            String msg = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return failed(runId, Status.ERROR, msg, t0);
        } catch (OutOfMemoryError e) {
            // the run's arrays are unreachable once this frame is left: the JVM goes on (see outOfMemory)
            return failed(runId, Status.ERROR, outOfMemory(cfg, e), t0);
        }
    }

    /**
     * The failure reason of a run that ran out of heap: {@value #OUT_OF_MEMORY}, the JVM's words, and the
     * run's estimate against the heap this JVM has.
     */
    public static String outOfMemory(RunConfig cfg, OutOfMemoryError e) {
        String est;
        try {
            est = MemoryEstimate.of(cfg).human();
        } catch (RuntimeException unknown) {
            est = "unknown";
        }
        return OUT_OF_MEMORY + " (" + e.getMessage() + "): this run needs about " + est + " (estimate); the JVM's heap is "
                + MemoryEstimate.human(Runtime.getRuntime().maxMemory()) + ", shared by the runs in flight";
    }

    /** How many runs this JVM has started: the sweep tests check that each grid point is trained once. */
    public static long invocations() {
        return INVOCATIONS.get();
    }

    private static String checkShapes(RunConfig cfg, Dataset ds, Params p) {
        if (ds.k() != cfg.model().outputs()) {
            return "data has " + ds.k() + " target columns but the config says outputs = " + cfg.model().outputs();
        }
        if (ds.d() != cfg.d() || ds.n() != cfg.n()) {
            return "data is n = " + ds.n() + ", d = " + ds.d() + " but the config says n = " + cfg.n() + ", d = " + cfg.d();
        }
        if (cfg.family() == Family.IMPLICIT_LAYER) {
            int k = cfg.model().outputs();
            return p.A.numRows == cfg.width() && p.A.numCols == cfg.width() && p.W.numRows == k && p.W.numCols == cfg.width()
                    ? null : "initial parameters do not match width " + cfg.width() + " and outputs " + k
                    + " (expected A " + cfg.width() + "x" + cfg.width() + " and B " + k + "x" + cfg.width() + ")";
        }
        if (p.width() != cfg.width() || p.dim() != cfg.d()) {
            return "initial parameters have width " + p.width() + " and d " + p.dim() + " but the config says width "
                    + cfg.width() + ", d " + cfg.d();
        }
        return null;
    }

    private static RunResult failed(String runId, Status st, String why, long t0) {
        double nan = Double.NaN;
        return new RunResult(runId, st, 0, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan,
                0, 0, elapsedMs(t0), why, 0, nan, java.util.List.of());
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    private static double[] gramAt(GramObjective obj, Params p) {
        Objective.Evaluation ev = obj.evaluate(p, false);
        return Double.isFinite(ev.loss()) ? gramSpectrum(obj, p) : null;
    }

    /**
     * Spectrum of the Gram matrix H = J J^T (J: n x P, rows grad_theta f(x_i)): the eigenvalues of H
     * itself when n &lt;= P, else those of the P x P matrix J^T J (the same nonzero eigenvalues, and H has
     * n - P zeros); null when it cannot be computed or both sizes exceed {@link #GRAM_MAX}.
     */
    private static double[] gramSpectrum(GramObjective obj, Params p) {
        int n = obj.data().n();
        int params = obj.trainableCount(p);
        if (Math.min(n, params) > GRAM_MAX || params == 0 || !p.isFinite()) {
            return null;
        }
        SolveStats st;
        DMatrixRMaj h;
        if (n <= params) {
            h = new DMatrixRMaj(n, n);
            st = obj.gram(p, h);
        } else {
            DMatrixRMaj j = new DMatrixRMaj(n, params);
            st = obj.jacobian(p, j);
            h = new DMatrixRMaj(params, params);
            org.ejml.dense.row.CommonOps_DDRM.multTransA(j, j, h);
        }
        if (st.singular() || !st.converged()) {
            return null;
        }
        return Diagnostics.symmetricEigenvalues(h);
    }

    private static int trainableCount(RunConfig cfg) {
        int m = cfg.width();
        int count = 0;
        count += cfg.model().trainA() ? m * m : 0;
        count += cfg.model().trainW() ? m * cfg.d() : 0;
        count += cfg.model().trainB() ? m : 0;
        count += cfg.model().trainV() ? m : 0;
        return count;
    }

    private static double lambdaMin(double[] ev, RunConfig cfg) {
        if (ev == null || ev.length == 0) {
            return Double.NaN;
        }
        if (cfg.n() > trainableCount(cfg)) {
            return 0.0;
        }
        return Math.max(0.0, ev[0]);
    }

    /** 2 / mu_max of K = 2 c H at initialisation (the step at which GD stops contracting the top mode). */
    private static double stepTheory(RunConfig cfg, double[] ev) {
        if (ev == null || ev.length == 0 || !(ev[ev.length - 1] > 0)) {
            return Double.NaN;
        }
        return 2.0 / (2 * cfg.model().lossFactor(cfg.n()) * ev[ev.length - 1]);
    }

    /**
     * The local linear rate at the final parameters: near a zero-residual minimum the residual evolves
     * as r_{k+1} = (I - eta K) r_k with K = 2 c H (c = 1/n for mse, 1/(2n) for half_mse), so the loss
     * decays by max over the nonzero eigenvalues mu of K of (1 - eta mu)^2 per step (GD), or by
     * exp(-2 eta mu_min) per step-size of time (flow). Eigenvalues below 1e-9 mu_max count as zero.
     */
    private static double theoryRate(RunConfig cfg, double eta, double[] ev) {
        if (ev == null || ev.length == 0) {
            return Double.NaN;
        }
        double c = cfg.model().lossFactor(cfg.n());
        double muMax = 2 * c * ev[ev.length - 1];
        if (!(muMax > 0)) {
            return Double.NaN;
        }
        boolean flow = cfg.train().trainer().equals("flow");
        double worst = 0;
        double muMin = Double.POSITIVE_INFINITY;
        for (double e : ev) {
            double mu = 2 * c * e;
            if (mu <= 1e-9 * muMax) {
                continue;
            }
            muMin = Math.min(muMin, mu);
            double f = (1 - eta * mu) * (1 - eta * mu);
            worst = Math.max(worst, f);
        }
        return flow ? Math.exp(-2 * eta * muMin) : worst;
    }
}
